/**
 * The text form of an arrival rate, as `--arrival-rate` and the web form's field take it:
 * `500` (iterations per second) or `100:1000` (a ramp from 100 to 1000, over a duration
 * given separately).
 */

/**
 * The highest arrival rate Cicada takes, iterations per second. Far beyond what one process
 * or a cluster starts (tens of thousands a second per core), and low enough for the
 * schedule's arithmetic to stay exact: above 2^53 iterations an index stops counting up,
 * and a rate of 1e16 spun the scheduler's loop until the stall watchdog ended the run.
 */
export const MAX_ARRIVAL_RATE = 1_000_000;

/** A rate the scheduler can run: a finite number from 0 to {@link MAX_ARRIVAL_RATE}. */
export function isArrivalRate(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 && value <= MAX_ARRIVAL_RATE;
}

/** A constant rate (`to` undefined) or a ramp from `from` to `to`, iterations per second. */
export interface ArrivalRateSpec {
  from: number;
  to: number | undefined;
}

const NUMBER = String.raw`\d+(?:\.\d+)?(?:e[+-]?\d+)?|\.\d+`;
const RATE = new RegExp(String.raw`^\s*(${NUMBER})\s*(?::\s*(${NUMBER})\s*)?$`, "i");

/**
 * Parses "500" or "100:1000". A constant rate must be more than 0; a ramp's ends must be
 * ≥ 0 and not both 0. Returns the spec, or what is wrong with the text (a sentence that
 * the caller prefixes with the field's name, e.g. "must be more than 0 ...").
 */
export function parseArrivalRate(text: string): ArrivalRateSpec | string {
  const match = RATE.exec(text);
  if (match === null) {
    // `--arrival-rate -t 1s` hands the next flag over as the rate: say the rate is missing.
    if (/^\s*--?[a-z]/i.test(text)) {
      return `needs a number of iterations per second right after it, such as 500, got the option '${text}'`;
    }
    // A negative end of a ramp: each end may be 0, neither below.
    if (/^\s*-?[\d.e+]+\s*:\s*-?[\d.e+]+\s*$/i.test(text) && /-/.test(text)) {
      return `is a ramp with a negative end, got '${text}': each end of A:B is 0 or more iterations per second (e.g. 0:100)`;
    }
    if (Number(text.trim()) < 0 || /^\s*-/.test(text)) {
      return `must be more than 0 iterations per second, got '${text}'`;
    }
    return `must be a number of iterations per second such as 500, or a ramp A:B such as 100:1000, got '${text}'`;
  }
  const from = Number(match[1]);
  const to = match[2] === undefined ? undefined : Number(match[2]);
  // 1e309 matches the pattern but is Infinity as a number: above the limit too.
  if (from > MAX_ARRIVAL_RATE || (to !== undefined && to > MAX_ARRIVAL_RATE)) {
    return `is too large to be a rate, got '${text}': give at most ${MAX_ARRIVAL_RATE.toLocaleString("en-US")} iterations per second`;
  }
  if (to === undefined) {
    return from > 0 ? { from, to: undefined } : `must be more than 0 iterations per second, got '${text}'`;
  }
  if (from === 0 && to === 0) return `ramps from 0 to 0, got '${text}': at least one end must be more than 0`;
  return { from, to };
}
