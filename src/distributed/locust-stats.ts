/**
 * Between Cicada's stats rows and Locust's stats dicts. A worker's row goes out with
 * Locust's fields (so a Locust master merges it) plus the HDR histogram (so a Cicada
 * master merges it exactly); a row from a Python worker, which has only Locust's
 * bucket dict, becomes a Cicada row whose histogram holds those buckets.
 */
import {
  type ErrorSnapshot,
  Histogram,
  type SerializedIterations,
  type SerializedStatsEntry,
  StatsEntry,
} from "../stats/index.js";
import type { CicadaIterations, LocustErrorRow, LocustStatsEntry } from "./protocol.js";
import { locustErrorKey } from "./python-compat.js";

function pairsToMap(pairs: ReadonlyArray<readonly [number, number]>): Map<number, number> {
  return new Map(pairs.map(([second, count]) => [second, count]));
}

/** Locust's dict for one row; `buckets` are its response times in Locust buckets (ms → count). */
export function toLocustEntry(entry: StatsEntry, buckets: ReadonlyMap<number, number>): LocustStatsEntry {
  const s = entry.serialize({ window: false });
  const row: LocustStatsEntry = {
    name: s.name,
    method: s.method,
    last_request_timestamp: s.lastRequestTimeMs === null ? null : s.lastRequestTimeMs / 1000,
    start_time: s.startTimeMs / 1000,
    num_requests: s.numRequests,
    num_none_requests: s.numNoneRequests,
    num_failures: s.numFailures,
    total_response_time: s.totalResponseTimeMs,
    max_response_time: s.maxResponseTimeMs,
    min_response_time: s.minResponseTimeMs,
    total_content_length: s.totalContentLength,
    response_times: new Map(buckets),
    num_reqs_per_sec: pairsToMap(s.numReqsPerSec),
    num_fail_per_sec: pairsToMap(s.numFailPerSec),
    cicada_hdr: { histogram: s.histogram, min_us: s.histogramMinUs, max_us: s.histogramMaxUs },
  };
  if (s.intended !== undefined) {
    const { histogram, minMs, maxMs, totalMs } = s.intended;
    row.cicada_intended = { histogram, min_ms: minMs, max_ms: maxMs, total_ms: totalMs };
  }
  return row;
}

/** A worker's iteration counters as the `cicada_iterations` key of its report. */
export function toCicadaIterations(s: SerializedIterations): CicadaIterations {
  return {
    scheduled: s.scheduled,
    started: s.started,
    completed: s.completed,
    dropped: s.dropped,
    dropped_at_stop: s.droppedAtStop,
    started_per_sec: pairsToMap(s.startedPerSec),
    dropped_per_sec: pairsToMap(s.droppedPerSec),
  };
}

/** The counters of a report's `cicada_iterations`, to merge. */
export function fromCicadaIterations(i: CicadaIterations): SerializedIterations {
  return {
    scheduled: i.scheduled,
    started: i.started,
    completed: i.completed,
    dropped: i.dropped,
    droppedAtStop: i.dropped_at_stop,
    startedPerSec: [...i.started_per_sec],
    droppedPerSec: [...i.dropped_per_sec],
  };
}

/**
 * A Cicada row from Locust's dict: Cicada's HDR histogram when the sender included it,
 * else one built from Locust's buckets (a Python worker: percentiles are then as coarse
 * as Locust's, min and max stay exact).
 */
export function fromLocustEntry(e: LocustStatsEntry): StatsEntry {
  return StatsEntry.deserialize(serializedFromLocust(e));
}

/**
 * {@link fromLocustEntry} as serialized data, which a master merges without building a
 * StatsEntry (`RequestStats.mergeSerializedEntries`). The bucket dict is read only when
 * there is no HDR histogram.
 */
export function serializedFromLocust(e: LocustStatsEntry): SerializedStatsEntry {
  let histogram: Uint8Array;
  let minUs: number;
  let maxUs: number;
  if (e.cicada_hdr) {
    histogram = e.cicada_hdr.histogram;
    minUs = e.cicada_hdr.min_us;
    maxUs = e.cicada_hdr.max_us;
  } else {
    const h = new Histogram();
    for (const [bucketMs, count] of e.response_times) {
      if (count > 0 && bucketMs >= 0) h.record(Math.round(bucketMs * 1000), count);
    }
    histogram = h.encode();
    const timed = h.totalCount > 0;
    minUs = timed && e.min_response_time !== null ? Math.round(e.min_response_time * 1000) : h.minValue;
    maxUs = timed ? Math.round(e.max_response_time * 1000) : h.maxValue;
  }
  const serialized: SerializedStatsEntry = {
    method: e.method,
    name: e.name,
    numRequests: e.num_requests,
    numNoneRequests: e.num_none_requests,
    numFailures: e.num_failures,
    totalResponseTimeMs: e.total_response_time,
    minResponseTimeMs: e.min_response_time,
    maxResponseTimeMs: e.max_response_time,
    totalContentLength: e.total_content_length,
    startTimeMs: e.start_time * 1000,
    lastRequestTimeMs: e.last_request_timestamp === null ? null : e.last_request_timestamp * 1000,
    histogram,
    histogramMinUs: minUs,
    histogramMaxUs: maxUs,
    numReqsPerSec: [...e.num_reqs_per_sec],
    numFailPerSec: [...e.num_fail_per_sec],
    currentWindowLagSeconds: 1,
  };
  const intended = e.cicada_intended;
  if (intended !== undefined) {
    serialized.intended = {
      histogram: intended.histogram,
      minMs: intended.min_ms,
      maxMs: intended.max_ms,
      totalMs: intended.total_ms,
    };
  }
  return serialized;
}

/** Locust's errors dict of a report: rows keyed by {@link locustErrorKey}. */
export function toLocustErrors(rows: readonly ErrorSnapshot[]): Record<string, LocustErrorRow> {
  const out: Record<string, LocustErrorRow> = {};
  for (const row of rows) {
    const key = locustErrorKey(row.method, row.name, row.error);
    const existing = out[key];
    if (existing) {
      existing.occurrences += row.occurrences;
      continue;
    }
    out[key] = {
      method: row.method,
      name: row.name,
      error: row.error,
      occurrences: row.occurrences,
      first_seen: row.firstSeenMs / 1000,
      last_seen: row.lastSeenMs / 1000,
    };
  }
  return out;
}

/** Cicada's failure rows from a report's errors dict; rows without times are seen at `nowMs`. */
export function fromLocustErrors(errors: Record<string, LocustErrorRow>, nowMs: number): ErrorSnapshot[] {
  return Object.values(errors).map((row) => ({
    method: row.method,
    name: row.name,
    error: row.error,
    occurrences: row.occurrences,
    firstSeenMs: row.first_seen === undefined ? nowMs : row.first_seen * 1000,
    lastSeenMs: row.last_seen === undefined ? nowMs : row.last_seen * 1000,
  }));
}
