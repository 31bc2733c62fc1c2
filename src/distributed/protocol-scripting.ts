/**
 * What a Cicada worker reports besides requests, as extra keys of its `stats` message (a
 * Locust master ignores them, as it ignores `cicada_iterations`):
 *
 * - `cicada_checks`: `[[name, passes, fails], ...]`, the checks since its previous report;
 * - `cicada_metrics`: `[{name, kind, ...}, ...]`, the custom metrics updated since then
 *   (a counter's sum, a gauge's last value with its min and max, a rate's trues and total,
 *   a trend's HDR histogram bytes with its exact min, max and sum).
 *
 * And the test data a Cicada master hands out: the `ack` names the data sets it has
 * (`cicada_data`), a worker asks for rows with `cicada_data_request` and gets them in
 * `cicada_data_rows`. Readers here take decoded msgpack (Maps) and check every field.
 */
import { Unpackr } from "msgpackr";
import type { GaugeMerge, SerializedChecks, SerializedMetric } from "../stats/index.js";
import { fail, isMap, num, record, str, toPlain } from "./protocol-fields.js";

/** `cicada_checks` of a stats report. */
export type CicadaChecks = SerializedChecks;
/** `cicada_metrics` of a stats report: the stats layer's deltas, as they are on the wire. */
export type CicadaMetrics = SerializedMetric[];

/** A worker asks its master for rows of a data set. */
export interface DataRequest {
  /** The worker's id of this request, echoed in the answer. */
  id: number;
  /** The data set's key (kind, mode and path, see data/data-set.ts). */
  data_set: string;
  count: number;
}

/** A master's answer to a {@link DataRequest}. */
export interface DataRows {
  id: number;
  data_set: string;
  rows: unknown[];
  /** Every row was handed out (unique, or sequential without wrap). */
  exhausted: boolean;
  /** Why no row could be given (an unknown data set, a file that cannot be read), or null. */
  error: string | null;
}

/** `cicada_checks`: an array of [name, passes, fails]; anything else is ignored. */
export function cicadaChecks(value: unknown): CicadaChecks | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map((row, i) => {
    if (!Array.isArray(row) || row.length !== 3) fail(`cicada_checks[${i}] is not [name, passes, fails]`);
    return [str(row[0], `cicada_checks[${i}] name`), count(row[1], i, "passes"), count(row[2], i, "fails")];
  });
}

function count(value: unknown, i: number, what: string): number {
  const n = num(value, `cicada_checks[${i}] ${what}`);
  return n >= 0 ? n : fail(`cicada_checks[${i}] ${what} is negative`);
}

/** `cicada_metrics`: an array of metric deltas; anything else is ignored. */
export function cicadaMetrics(value: unknown): CicadaMetrics | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map((item, i) => metricDelta(item, `cicada_metrics[${i}]`));
}

function metricDelta(value: unknown, what: string): SerializedMetric {
  const m = record(value, what);
  const name = str(m.get("name"), `${what}.name`);
  const kind = m.get("kind");
  const n = (key: string) => num(m.get(key), `${what}.${key}`);
  switch (kind) {
    case "counter":
      return { kind, name, sum: n("sum") };
    case "gauge": {
      const merge = m.get("merge");
      if (merge !== "sum" && merge !== "max") fail(`${what}.merge is not "sum" or "max"`);
      return { kind, name, merge: merge as GaugeMerge, value: n("value"), min: n("min"), max: n("max") };
    }
    case "rate":
      return { kind, name, trues: n("trues"), total: n("total") };
    case "trend": {
      const histogram = m.get("histogram");
      if (!(histogram instanceof Uint8Array)) fail(`${what}.histogram is not bytes`);
      const unit = m.get("unit");
      return {
        kind,
        name,
        unit: typeof unit === "string" ? unit : "",
        histogram: histogram as Uint8Array,
        min: n("min"),
        max: n("max"),
        sum: n("sum"),
      };
    }
    default:
      return fail(`${what}.kind is not counter, gauge, rate or trend`);
  }
}

const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: false, int64AsType: "number" });

/**
 * The two keys from their raw msgpack bytes (the stats frame reader keeps them as bytes:
 * they are rare and small, so the general decoder reads them).
 * @throws Invalid (protocol-fields.ts) for a wrong field.
 */
export function scriptingFromBytes(checks: Uint8Array | undefined, metrics: Uint8Array | undefined) {
  return {
    checks: checks === undefined ? undefined : cicadaChecks(unpackr.unpack(checks)),
    metrics: metrics === undefined ? undefined : cicadaMetrics(unpackr.unpack(metrics)),
  };
}

/** The data of a `cicada_data_request`. */
export function dataRequest(value: unknown): DataRequest {
  const d = record(value, "cicada_data_request data");
  const wanted = num(d.get("count"), "count");
  return {
    id: num(d.get("id"), "id"),
    data_set: str(d.get("data_set"), "data_set"),
    count: wanted >= 0 ? Math.floor(wanted) : fail("count is negative"),
  };
}

/** The data of a `cicada_data_rows`. */
export function dataRows(value: unknown): DataRows {
  const d = record(value, "cicada_data_rows data");
  const rows = d.get("rows");
  const error = d.get("error");
  return {
    id: num(d.get("id"), "id"),
    data_set: str(d.get("data_set"), "data_set"),
    // Rows are free-form (records of a CSV, elements of a JSON array).
    rows: Array.isArray(rows) ? rows.map(toPlainRow) : fail("rows is not an array"),
    exhausted: d.get("exhausted") === true,
    error: typeof error === "string" ? error : null,
  };
}

/** A row as the locustfile gets it: maps become plain objects with string keys. */
function toPlainRow(row: unknown): unknown {
  if (!isMap(row)) return toPlain(row);
  const out: Record<string, unknown> = {};
  // defineProperty: a column named "__proto__" is data, not the object's prototype.
  for (const [key, item] of row) {
    Object.defineProperty(out, String(key), {
      value: toPlain(item),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** The data set keys of a Cicada master's `ack` (`cicada_data`); undefined when it sent none. */
export function ackDataSets(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((k): k is string => typeof k === "string") : undefined;
}
