/**
 * When a step of a capacity search is over, and whether it met the SLOs. Pure: it reads
 * the cumulative samples taken since the step's hold began.
 *
 * The hold's last stretch is cut in two halves (each half the minimum hold). Once the
 * minimum hold has passed, at every tick:
 *
 * 1. steady (throughput and the SLOs' latencies of the two halves within 10 % and 15 %
 *    of each other): the verdict is the SLOs over both halves together;
 * 2. both halves broke an SLO and the latency is not falling: the step broke, settled or
 *    not (a falling latency is a warm-up: it is given until the maximum hold);
 * 3. at the maximum hold: broke if the last half broke an SLO, or if its latency was
 *    still rising (queues growing: the target does not keep up, it only has not failed yet)
 *    by more than the halves' samples explain; otherwise met, marked not steady.
 *
 * A failure-rate SLO breaks a step only on enough failures (failure-evidence.ts): a step
 * broken only on too few is held on, to the maximum hold, its failures counted from that
 * window on; it breaks once they are enough, and if they are still too few at the maximum
 * hold it met the SLOs, its reason saying what was measured.
 *
 * In the open model a step must also keep up (see {@link KeepUp}): the target completes
 * the requests the asked rate makes, and no backlog of iterations grows; judged on the
 * last half, where the previous step's answers still in flight no longer count. And it
 * drops no iteration in the judged window: a dropped iteration is load asked for and never
 * sent, so the step did not run the rate it is credited with.
 */
import type { CapacitySlo, SloCheck } from "../../shared/capacity.js";
import { unsureFailRate } from "./failure-evidence.js";
import {
  anyReportBetween,
  type CumulativeSample,
  checkSlos,
  measureSlo,
  type WindowFigures,
  windowFigures,
} from "./window.js";

/** Throughput of the two halves within this share of each other... */
export const THROUGHPUT_TOLERANCE = 0.1;
/** ...and latencies within this share, plus {@link LATENCY_SLACK_MS} (sub-millisecond jitter is not movement). */
export const LATENCY_TOLERANCE = 0.15;
export const LATENCY_SLACK_MS = 2;

/**
 * The open model: a step whose last half completed fewer requests than the asked rate
 * makes (its iterations/s times the requests per iteration, {@link keepUpProblem}) by more
 * than this share broke, and so did one whose iterations waiting for a free user grew by
 * more than this share of the iterations asked in that half.
 */
export const KEEP_UP_TOLERANCE = 0.05;

/**
 * ...and by more than this many iterations: a count's own jitter. An iteration that ends
 * just past a window's edge counts in the next window, one at each edge, more when
 * responses come out of order; at 20 iterations/s a half of 0.5 s holds 10, so one fewer
 * is 10 % "short" of a target that keeps up (a mix of 1- and 3-request iterations broke
 * every step of a search that way, down to a quarter of its capacity).
 */
export const KEEP_UP_COUNT_SLACK = 2;

/** What an open-model step must keep up with: null in the closed model. */
export interface KeepUp {
  /** The step's load: iterations per second asked. */
  askedRate: number;
  /**
   * Requests per iteration at the earlier steps that met every SLO (per-iteration.ts); null
   * before any did. Used when the window itself cannot say (see {@link keepUpProblem}).
   */
  requestsPerIteration: number | null;
}

export interface JudgeSettings {
  slos: readonly CapacitySlo[];
  minHoldMs: number;
  maxHoldMs: number;
  /** Samples per half (the ticks in half the minimum hold). */
  halfTicks: number;
}

export type StepVerdict =
  | {
      done: false;
      /**
       * The step broke a failure-rate SLO on too few failures to be sure: count its failures
       * from this sample on (the caller passes it back as `failuresFrom`).
       */
      failuresFrom?: CumulativeSample;
    }
  | {
      done: true;
      passed: boolean;
      steady: boolean;
      reason: string;
      figures: WindowFigures;
      checks: SloCheck[];
      /**
       * Its verdict on a failure-rate SLO rested on too few failures to be sure: a break
       * (then held on, until the maximum hold), or at the maximum hold a pass.
       */
      unsure?: boolean;
    };

const PENDING: StepVerdict = { done: false };

const ms = (value: number | null) => (value === null ? "no data" : `${Number(value.toPrecision(3))} ms`);

function describeCheck(check: SloCheck, figures: WindowFigures, unsure: boolean): string {
  if (check.measured === null) return `${check.expression} (no data)`;
  if (!check.expression.startsWith("failRate")) return `${check.expression} (${ms(check.measured)})`;
  const count = `${figures.failures} of ${figures.requests} request${figures.requests === 1 ? "" : "s"}`;
  return `${check.expression} (${(check.measured * 100).toFixed(2)} %: ${count}${unsure ? ", too few to be sure" : ""})`;
}

/** The latencies whose movement decides steadiness: the SLOs' own, or p95 when only failRate is judged. */
function latencies(slos: readonly CapacitySlo[], figures: WindowFigures): Array<number | null> {
  const timed = slos.filter((slo) => slo.metric.kind !== "failRate");
  if (timed.length === 0) return [figures.p95Ms];
  return timed.map((slo) => measureSlo(slo.metric, figures));
}

const within = (a: number, b: number, share: number, slack = 0) =>
  Math.abs(a - b) <= share * Math.max(a, b) + slack;

function steady(slos: readonly CapacitySlo[], a: WindowFigures, b: WindowFigures): boolean {
  if (!within(a.rps, b.rps, THROUGHPUT_TOLERANCE, 0.5)) return false;
  const la = latencies(slos, a);
  const lb = latencies(slos, b);
  return la.every((value, i) => {
    const other = lb[i] ?? null;
    if (value === null || other === null) return value === other;
    return within(value, other, LATENCY_TOLERANCE, LATENCY_SLACK_MS);
  });
}

/** True when a latency fell from half `a` to half `b` beyond the tolerance (a warm-up still going on). */
function falling(slos: readonly CapacitySlo[], a: WindowFigures, b: WindowFigures): boolean {
  const la = latencies(slos, a);
  const lb = latencies(slos, b);
  return la.some((before, i) => {
    const after = lb[i] ?? null;
    return before !== null && after !== null && after < before * (1 - LATENCY_TOLERANCE) - LATENCY_SLACK_MS;
  });
}

/**
 * z of the bounds on a percentile measured from n samples (about 95 % two-sided): the
 * q-quantile of n samples lies, by the binomial law of how many fall below it, between
 * the sample quantiles at q ± z·√(q(1−q)/n).
 */
const QUANTILE_Z = 2;

/** A percentile SLO's quantile (50 for a median), or null for avg, min and max. */
function quantileOf(slo: CapacitySlo | undefined): { p: number; intended: boolean } | null {
  if (slo === undefined) return { p: 95, intended: false };
  const metric = slo.metric;
  if (metric.kind === "percentile") return { p: metric.percentile, intended: false };
  if (metric.kind === "intendedPercentile") return { p: metric.percentile, intended: true };
  if (metric.kind === "med") return { p: 50, intended: false };
  return null;
}

/** The percentile `p` of a window moved by `z` standard errors of its sample quantile. */
function boundedPercentile(figures: WindowFigures, p: number, intended: boolean, z: number): number | null {
  const n = intended ? figures.intendedCount : figures.timedCount;
  if (n === 0) return null;
  const q = p / 100;
  const shifted = Math.min(100, Math.max(0, 100 * (q + z * Math.sqrt((q * (1 - q)) / n))));
  return intended ? figures.intendedPercentile(shifted) : figures.percentile(shifted);
}

/**
 * The latency that rose from half `a` to half `b` beyond the tolerance, as "a → b ms", if
 * any. A percentile must rise beyond what sampling explains: b's lower bound above a's
 * upper bound (see {@link QUANTILE_Z}). A p95 of 60 requests rests on 3 of them, and two
 * halves of one steady load differed by 3× that way (23.9 → 75 ms at 40 users, 44 % CPU):
 * "still rising", a step broken on noise.
 */
function rise(slos: readonly CapacitySlo[], a: WindowFigures, b: WindowFigures): string | undefined {
  const timed = slos.filter((slo) => slo.metric.kind !== "failRate");
  const la = latencies(slos, a);
  const lb = latencies(slos, b);
  for (let i = 0; i < la.length; i++) {
    const before = la[i] ?? null;
    const after = lb[i] ?? null;
    if (before === null || after === null) continue;
    const quantile = quantileOf(timed[i]);
    const high = quantile === null ? before : boundedPercentile(a, quantile.p, quantile.intended, QUANTILE_Z);
    const low = quantile === null ? after : boundedPercentile(b, quantile.p, quantile.intended, -QUANTILE_Z);
    if (high !== null && low !== null && low > high * (1 + LATENCY_TOLERANCE) + LATENCY_SLACK_MS)
      return `${ms(before).replace(" ms", "")} → ${ms(after)}`;
  }
  return undefined;
}

/** The open model's dropped iterations: any one breaks the step, whatever the SLOs. */
function droppedProblem(figures: WindowFigures): string | undefined {
  if (figures.dropped === 0) return undefined;
  const share = figures.dropped / Math.max(1, figures.requests + figures.dropped);
  const count = `${figures.dropped} iteration${figures.dropped === 1 ? "" : "s"}`;
  return (
    `keep-up: dropped ${count} (${(share * 100).toFixed(2)} % of the window; no free user within --max-queue-time: ` +
    "the target does not keep up, or --max-users is too low)"
  );
}

/**
 * The requests per iteration a window asks for: its own requests over the iterations it
 * completed, when it completed at least as many as it had in flight at its end; else the
 * earlier good steps' figure. Its own: a mix of iterations of 1 or 3 requests (weighted
 * tasks) draws a different mean in every window, and the target is asked what this
 * window's iterations make, so the check compares the iterations completed with the rate
 * asked (a user's onStart requests, part of its first iteration, change nothing either).
 * Iterations of one request make exactly 1, whatever the window's edges: an iteration
 * completes with its request. But a window that completed fewer iterations than it had in
 * flight (iterations longer than the window, or a backlog piling up) counts too many
 * requests of unfinished ones: the earlier steps' figure then.
 */
function requestsPerIterationOf(
  figures: WindowFigures,
  keepUp: KeepUp,
): { perIteration: number; source: string } | null {
  if (figures.iterations > 0 && figures.iterations >= figures.inFlight)
    return { perIteration: figures.requests / figures.iterations, source: "in that window" };
  const earlier = keepUp.requestsPerIteration;
  return earlier === null ? null : { perIteration: earlier, source: "as at the earlier steps" };
}

/** Why an open-model step did not keep up with its rate over `figures` (the last half), if it did not. */
export function keepUpProblem(figures: WindowFigures, keepUp: KeepUp | null): string | undefined {
  if (keepUp === null || keepUp.askedRate <= 0) return undefined;
  const { askedRate } = keepUp;
  const rate = (value: number) => Number(value.toFixed(1));
  const per = requestsPerIterationOf(figures, keepUp);
  if (per !== null) {
    const asked = askedRate * per.perIteration;
    const seconds = Math.max(0.001, (figures.toMs - figures.fromMs) / 1000);
    const countSlack = (KEEP_UP_COUNT_SLACK * per.perIteration) / seconds;
    if (figures.rps < asked - Math.max(asked * KEEP_UP_TOLERANCE, countSlack)) {
      const more =
        countSlack > asked * KEEP_UP_TOLERANCE
          ? `more than ${KEEP_UP_COUNT_SLACK} iterations in ${seconds.toFixed(1)} s`
          : `more than ${KEEP_UP_TOLERANCE * 100} %`;
      const times =
        per.perIteration.toFixed(2) === "1.00"
          ? ""
          : ` (${rate(askedRate)} iterations/s × ${per.perIteration.toFixed(2)} requests per iteration, ${per.source})`;
      return (
        `keep-up: the target completed ${figures.rps.toFixed(1)} req/s of ${rate(asked)}/s asked${times}, ` +
        `${((1 - figures.rps / asked) * 100).toFixed(1)} % short (${more}): a queue was growing`
      );
    }
  }
  const seconds = Math.max(0.001, (figures.toMs - figures.fromMs) / 1000);
  if (figures.waitingGrowth > KEEP_UP_TOLERANCE * askedRate * seconds) {
    return `keep-up: the iterations waiting for a free user grew by ${figures.waitingGrowth} in ${seconds.toFixed(1)} s (no free user: the target does not keep up, or --max-users is too low)`;
  }
  return undefined;
}

function verdict(
  figures: WindowFigures,
  slos: readonly CapacitySlo[],
  steadyNow: boolean,
  context: string,
  keepUp: string | undefined = undefined,
): StepVerdict {
  const checks = checkSlos(slos, figures);
  const dropped = droppedProblem(figures);
  const failed = checks.flatMap((check, i) =>
    check.passed ? [] : [{ check, unsure: unsureFailRate(slos[i], check, figures) }],
  );
  if (failed.length === 0 && dropped === undefined && keepUp === undefined)
    return {
      done: true,
      passed: true,
      steady: steadyNow,
      reason: `${context}: met every SLO`,
      figures,
      checks,
    };
  const why = [
    ...failed.map((f) => describeCheck(f.check, figures, f.unsure)),
    ...(dropped ? [dropped] : []),
    ...(keepUp ? [keepUp] : []),
  ].join(", ");
  return {
    done: true,
    passed: false,
    steady: steadyNow,
    reason: `${context}: broke ${why}`,
    figures,
    checks,
    unsure: dropped === undefined && keepUp === undefined && failed.every((f) => f.unsure),
  };
}

/**
 * A step held on for failures too few to be sure: judged over the window from `failuresFrom`
 * to the last sample, which grows at every tick. It breaks as soon as the failures there are
 * enough (or another SLO breaks); it passes only at the maximum hold.
 */
function judgeOnFailures(
  failuresFrom: CumulativeSample,
  halves: { a: WindowFigures; b: WindowFigures; last: CumulativeSample },
  atMax: boolean,
  settings: JudgeSettings,
  lagging: string | undefined,
): StepVerdict {
  const { a, b, last } = halves;
  const seconds = ((last.timeMs - failuresFrom.timeMs) / 1000).toFixed(1);
  const context = `over the last ${seconds} s of the hold (held on to count failures)`;
  const judged = verdict(
    windowFigures(failuresFrom, last),
    settings.slos,
    steady(settings.slos, a, b),
    context,
    lagging,
  );
  if (judged.done && !judged.passed && !judged.unsure) return judged;
  if (!atMax) return PENDING;
  return risingVerdict(settings, a, b) ?? judged;
}

/** At the maximum hold: a step whose latency still rose from half `a` to `b` broke. */
function risingVerdict(settings: JudgeSettings, a: WindowFigures, b: WindowFigures): StepVerdict | undefined {
  const rising = rise(settings.slos, a, b);
  if (rising === undefined) return undefined;
  return {
    done: true,
    passed: false,
    steady: false,
    reason: `latency still rising at the end of the hold (${rising}): the target does not keep up with this load`,
    figures: b,
    checks: checkSlos(settings.slos, b),
  };
}

/** A verdict broken only on too few failures, before the maximum hold: hold on, counting failures from `from`. */
const holdOn = (judged: StepVerdict, atMax: boolean, from: CumulativeSample): StepVerdict | undefined =>
  judged.done && judged.unsure && !atMax ? { done: false, failuresFrom: from } : undefined;

/**
 * The verdict of a step whose hold began at `holdStartMs`, from `samples` taken since
 * (the first one is the baseline), at `nowMs`; `keepUp` in the open model; `failuresFrom`
 * once an earlier verdict asked to count failures from there.
 */
export function judgeStep(
  samples: readonly CumulativeSample[],
  holdStartMs: number,
  nowMs: number,
  settings: JudgeSettings,
  keepUp: KeepUp | null = null,
  failuresFrom: CumulativeSample | null = null,
): StepVerdict {
  const judged = judgeHeld(samples, holdStartMs, nowMs, settings, keepUp, failuresFrom);
  // Before the maximum hold such a step is held on (holdOn); only at it can a break still
  // rest on too few failures, and a break not shown is no break.
  return judged.done && !judged.passed && judged.unsure ? metOnTooFewFailures(judged) : judged;
}

/**
 * A step whose only break, at the maximum hold, was a failure rate over the limit on too
 * few failures to be sure: it met the SLOs, and its reason says what was measured.
 */
function metOnTooFewFailures(judged: Extract<StepVerdict, { done: true }>): StepVerdict {
  const context = judged.reason.slice(0, judged.reason.indexOf(": broke "));
  const { failures, requests } = judged.figures;
  const over = judged.checks
    .filter((check) => !check.passed)
    .map((check) => `${check.expression} measured ${((check.measured ?? 0) * 100).toFixed(2)} %`)
    .join(", ");
  return {
    ...judged,
    passed: true,
    checks: judged.checks.map((check) => ({ ...check, passed: true })),
    reason: `${context}: met every SLO (${over}, but ${failures} of ${requests} requests are too few failures to say it broke)`,
  };
}

function judgeHeld(
  samples: readonly CumulativeSample[],
  holdStartMs: number,
  nowMs: number,
  settings: JudgeSettings,
  keepUp: KeepUp | null,
  failuresFrom: CumulativeSample | null,
): StepVerdict {
  const held = nowMs - holdStartMs;
  const atMax = held >= settings.maxHoldMs;
  const half = Math.max(1, settings.halfTicks);
  const n = samples.length;
  if (held < settings.minHoldMs || n < 2 * half + 1) {
    // A maximum hold shorter than the samples it needs: judge what there is.
    if (!atMax || n < 2) return PENDING;
    const whole = windowFigures(samples[0]!, samples[n - 1]!);
    return verdict(whole, settings.slos, false, "at the end of the hold", keepUpProblem(whole, keepUp));
  }
  const first = samples[n - 1 - 2 * half]!;
  const middle = samples[n - 1 - half]!;
  const last = samples[n - 1]!;
  const a = windowFigures(first, middle);
  const b = windowFigures(middle, last);
  if (b.requests === 0 && b.dropped === 0) {
    // A master between two rounds of reports: nothing is known of this half yet, which
    // is not "no request completed". At the maximum hold, judge the whole hold instead.
    if (anyReportBetween(middle, last) === false) {
      if (!atMax) return PENDING;
      const whole = windowFigures(first, last);
      return verdict(whole, settings.slos, false, "at the end of the hold", keepUpProblem(whole, keepUp));
    }
    const seconds = ((last.timeMs - middle.timeMs) / 1000).toFixed(1);
    return {
      done: true,
      passed: false,
      steady: false,
      reason: `no request completed in the last ${seconds} s`,
      figures: b,
      checks: checkSlos(settings.slos, b),
    };
  }
  const lagging = keepUpProblem(b, keepUp);
  if (failuresFrom !== null) return judgeOnFailures(failuresFrom, { a, b, last }, atMax, settings, lagging);
  if (steady(settings.slos, a, b)) {
    const judged = verdict(windowFigures(first, last), settings.slos, true, "steady", lagging);
    return holdOn(judged, atMax, first) ?? judged;
  }
  const brokeA = verdict(a, settings.slos, false, "");
  const brokeB = verdict(b, settings.slos, false, "");
  if (brokeA.done && !brokeA.passed && brokeB.done && !brokeB.passed && !falling(settings.slos, a, b)) {
    const judged = verdict(
      windowFigures(first, last),
      settings.slos,
      false,
      "in both halves of the hold",
      lagging,
    );
    return holdOn(judged, atMax, first) ?? judged;
  }
  if (!atMax) return PENDING;
  if ((brokeB.done && !brokeB.passed) || lagging !== undefined)
    return verdict(b, settings.slos, false, "at the end of the hold", lagging);
  return (
    risingVerdict(settings, a, b) ??
    verdict(windowFigures(first, last), settings.slos, false, "not steady by the end of the hold")
  );
}
