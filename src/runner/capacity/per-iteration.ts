/**
 * The open model's requests per iteration of the earlier steps, which the keep-up check
 * multiplies a step's rate by when the judged window cannot say itself (it completed fewer
 * iterations than it had in flight: judge.ts uses the window's own count otherwise): the
 * requests completed over the iterations completed, pooled over the last half of every
 * step that met every SLO.
 *
 * Why counts, and why pooled. It was the highest of the earlier steps' req/s over their
 * rate: a window of a second at 20 iterations/s holds about 20 requests, so one request
 * more or less (the window's edges against the arrivals, a target that does not answer in
 * order) is ±5 %, and the highest of such ratios is biased upwards. A trial's first step
 * read 21.0 req/s at 20/s: 1.05 requests per iteration for iterations of exactly one, the
 * whole keep-up tolerance, and the search answered 70/s for a target of 80/s.
 *
 * Requests and iterations completed in the same window are counted from the same samples
 * (on a master, from the same workers' reports), so the window's edges cut only the
 * iterations in flight there, not the arrivals: an iteration of one request completes
 * with its request, so the ratio is exactly 1 whatever the window. An iteration of several
 * requests may have made some of them when an edge cuts it; in a steady window as many
 * are cut at its start as at its end, which is why the last half of a step is used (the
 * step's own rate by then: its iterations started at the earlier rate have run through,
 * unless an iteration lasts longer than half the minimum hold). Iterations whose number of
 * requests varies (weighted tasks of 1 or 3 requests) give their mean over every iteration
 * completed in the good steps, not over one window.
 */
import type { CumulativeSample } from "./window.js";

export class RequestsPerIteration {
  private requests = 0;
  private iterations = 0;

  /**
   * Counts a step that met every SLO: its last half (`halfTicks` samples; all its samples
   * when it was judged before it had that many, or when the half saw no iteration complete,
   * as a master's half without a report).
   */
  addStep(samples: readonly CumulativeSample[], halfTicks: number): void {
    const last = samples.at(-1);
    if (last === undefined) return;
    let from = samples[Math.max(0, samples.length - 1 - halfTicks)]!;
    if (last.iterationsCompleted === from.iterationsCompleted) from = samples[0]!;
    const iterations = last.iterationsCompleted - from.iterationsCompleted;
    const requests = last.requests - from.requests;
    // A reset of the statistics inside the step (the web UI's button) leaves nothing to count.
    if (iterations <= 0 || requests < 0) return;
    this.requests += requests;
    this.iterations += iterations;
  }

  /** The estimate so far; null before any good step completed an iteration (only a backlog is judged then). */
  value(): number | null {
    return this.iterations === 0 ? null : wholeIfClose(this.requests / this.iterations);
  }
}

/**
 * Within 2 % of a whole number, requests per iteration are that number: a user's onStart
 * requests belong to its first iteration, so a step that created users reads a little
 * above 1 for iterations of one request, and a step is not asked for more than its
 * iterations make.
 */
export function wholeIfClose(ratio: number): number {
  const whole = Math.round(ratio);
  return whole > 0 && Math.abs(ratio - whole) <= 0.02 * whole ? whole : ratio;
}
