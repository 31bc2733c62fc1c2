/**
 * What a capacity search reads from the statistics: cumulative samples of the Aggregated
 * row taken every tick, and the figures of the window between two of them (requests,
 * throughput, failure rate, exact percentiles from the difference of two HDR histograms).
 * It reads RequestStats, which a master fills from its workers' reports as a local runner
 * fills it from its own requests, so one search works in both.
 */
import type { CapacitySlo, SloCheck, SloMetric } from "../../shared/capacity.js";
import { sloMet } from "../../shared/capacity.js";
import { highestEquivalentValue, lowestEquivalentValue } from "../../stats/hdr-layout.js";
import { Histogram } from "../../stats/index.js";
import type { ReportMark } from "../runner.js";

/** The load generator at a sample (the latest second the generator monitor measured). */
export interface GeneratorReading {
  /** End of the generator's sampled second, epoch ms (several ticks may see the same one). */
  timeMs: number;
  cpuPercent: number;
  lagMs: number;
  overloaded: boolean;
  /** What overloaded it: this process's own work, or something outside it. */
  cause: "cpu" | "outside";
}

/** The running totals at one moment. */
export interface CumulativeSample {
  /** Epoch ms. */
  timeMs: number;
  requests: number;
  failures: number;
  /** Requests with a response time, and the sum of those times (ms). */
  timedRequests: number;
  responseTimeSumMs: number;
  /** Response times so far, µs (a copy: the stats go on). */
  histogram: Histogram;
  /** Response times from the intended start so far (the open model), µs; null otherwise. */
  intended: Histogram | null;
  /** Iterations dropped so far (the open model). */
  dropped: number;
  /**
   * Iterations completed so far (the open model; on a master, as its workers reported them
   * with their requests): the keep-up check's requests per iteration (per-iteration.ts).
   */
  iterationsCompleted: number;
  /** Iterations started and not completed now (the open model), else 0. */
  inFlight: number;
  /** Iterations waiting for a free user now (the open model), else 0. */
  waiting: number;
  /** Users running now. */
  users: number;
  generator: GeneratorReading | null;
  /** The busiest worker's CPU % now (distributed runs), else null. */
  workerCpuPercent: number | null;
  /**
   * A master's workers with their last two reports (distributed runs), else null: the
   * window's throughput is then the sum of each worker's rate between its own reports.
   * Optional: samples built without it (tests, older callers) measure on the clock.
   */
  workerReports?: readonly WorkerReports[] | null;
}

/** One worker's last two reports at a sample. */
export interface WorkerReports {
  id: string;
  /** Still running users (not missing, stopped or quit). */
  live: boolean;
  last: ReportMark;
  previous: ReportMark | null;
}

/** The figures of one window. */
export interface WindowFigures {
  fromMs: number;
  toMs: number;
  requests: number;
  rps: number;
  /** Failed requests (failRate's numerator: the evidence a failure-rate verdict rests on). */
  failures: number;
  failRate: number;
  avgMs: number | null;
  minMs: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  intendedP50Ms: number | null;
  intendedP95Ms: number | null;
  intendedP99Ms: number | null;
  /** Intended-start percentiles on demand (an SLO may ask for any). */
  intendedPercentile(p: number): number | null;
  percentile(p: number): number | null;
  /** Response times in the window's histograms (what a percentile rests on). */
  timedCount: number;
  intendedCount: number;
  dropped: number;
  /** Iterations completed in the window (the open model). */
  iterations: number;
  /** Iterations in flight at the window's end (the open model). */
  inFlight: number;
  /** Iterations waiting for a free user at the window's end minus at its start (the open model). */
  waitingGrowth: number;
}

/**
 * The values `later` recorded since `earlier` (both cumulative, so every slot of
 * `earlier` is at most `later`'s). Min and max are the edges of the lowest and highest
 * slots: within 0.05 %, like every percentile.
 */
export function histogramSince(later: Histogram, earlier: Histogram | null): Histogram {
  const indices: number[] = [];
  const counts: number[] = [];
  later.forEachIndex((index, count) => {
    const added = count - (earlier?.countAtIndex(index) ?? 0);
    if (added > 0) {
      indices.push(index);
      counts.push(added);
    }
  });
  const window = new Histogram();
  if (indices.length === 0) return window;
  window.addSparse(
    Int32Array.from(indices),
    Float64Array.from(counts),
    indices.length,
    lowestEquivalentValue(indices[0]!),
    highestEquivalentValue(indices.at(-1)!),
  );
  return window;
}

/** Percentile p (0..100) of a µs histogram, in ms; null when it is empty. */
function percentileMs(histogram: Histogram, p: number): number | null {
  return histogram.totalCount === 0 ? null : histogram.valueAtPercentile(p) / 1000;
}

/**
 * A master's throughput between two samples: each live worker's rate between its reports
 * (the ones merged by `a` and by `b`; or, when none came in between, its last two by `b`),
 * summed; null when the samples carry no workers' reports (a local run).
 *
 * Why not requests over the master's clock: workers report every 3 s, so a 3 s half of a
 * hold holds one report of each worker, or none, or two, depending on where the reports
 * fall against the master's ticks. Divided by the window's length that read 0 %, 100 % or
 * 200 % of the real rate (a false "keep-up" break, a step's 227 req/s from a target that
 * cannot do 200).
 */
export function reportedRate(a: CumulativeSample, b: CumulativeSample): number | null {
  if (!a.workerReports || !b.workerReports) return null;
  let rate = 0;
  for (const worker of b.workerReports) {
    if (!worker.live) continue;
    const before = a.workerReports.find((w) => w.id === worker.id)?.last;
    const from = before !== undefined && before.atMs < worker.last.atMs ? before : worker.previous;
    if (from === null || from.atMs >= worker.last.atMs) continue;
    rate += (worker.last.requests - from.requests) / ((worker.last.atMs - from.atMs) / 1000);
  }
  return rate;
}

/**
 * Whether a report of some worker was merged between two samples: false says the window
 * saw no report at all (so no request count moved, whatever the target did); null for a
 * local run, whose statistics move with every response.
 */
export function anyReportBetween(a: CumulativeSample, b: CumulativeSample): boolean | null {
  if (!a.workerReports || !b.workerReports) return null;
  return b.workerReports.some((worker) => {
    const before = a.workerReports!.find((w) => w.id === worker.id);
    return before === undefined || before.last.atMs < worker.last.atMs;
  });
}

/** The figures between two samples of the same test (`a` before `b`). */
export function windowFigures(a: CumulativeSample, b: CumulativeSample): WindowFigures {
  const requests = b.requests - a.requests;
  const failures = b.failures - a.failures;
  const seconds = Math.max(0.001, (b.timeMs - a.timeMs) / 1000);
  const times = histogramSince(b.histogram, a.histogram);
  const intended = b.intended === null ? null : histogramSince(b.intended, a.intended);
  const timed = b.timedRequests - a.timedRequests;
  const at = (p: number) => percentileMs(times, p);
  const intendedAt = (p: number) => (intended === null ? null : percentileMs(intended, p));
  return {
    fromMs: a.timeMs,
    toMs: b.timeMs,
    requests,
    rps: reportedRate(a, b) ?? requests / seconds,
    failures,
    failRate: requests > 0 ? failures / requests : 0,
    avgMs: timed > 0 ? (b.responseTimeSumMs - a.responseTimeSumMs) / timed : null,
    minMs: times.totalCount === 0 ? null : times.minValue / 1000,
    p50Ms: at(50),
    p95Ms: at(95),
    p99Ms: at(99),
    maxMs: times.totalCount === 0 ? null : times.maxValue / 1000,
    intendedP50Ms: intendedAt(50),
    intendedP95Ms: intendedAt(95),
    intendedP99Ms: intendedAt(99),
    intendedPercentile: intendedAt,
    percentile: at,
    timedCount: times.totalCount,
    intendedCount: intended?.totalCount ?? 0,
    dropped: b.dropped - a.dropped,
    iterations: b.iterationsCompleted - a.iterationsCompleted,
    inFlight: b.inFlight,
    waitingGrowth: b.waiting - a.waiting,
  };
}

/** The value of an SLO's metric over a window (null: nothing to measure). */
export function measureSlo(metric: SloMetric, figures: WindowFigures): number | null {
  switch (metric.kind) {
    case "percentile":
      return figures.percentile(metric.percentile);
    case "intendedPercentile":
      return figures.intendedPercentile(metric.percentile);
    case "avg":
      return figures.avgMs;
    case "med":
      return figures.p50Ms;
    case "min":
      return figures.minMs;
    case "max":
      return figures.maxMs;
    case "failRate":
      return figures.requests > 0 ? figures.failRate : null;
  }
}

/** Every SLO over a window; one with nothing to measure fails (a step with no response broke). */
export function checkSlos(slos: readonly CapacitySlo[], figures: WindowFigures): SloCheck[] {
  return slos.map((slo) => {
    const measured = measureSlo(slo.metric, figures);
    return {
      expression: slo.expression,
      measured,
      limit: slo.limit,
      passed: measured !== null && sloMet(slo, measured),
    };
  });
}
