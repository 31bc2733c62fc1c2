/**
 * The text form of an arrival rate, as `--arrival-rate` and the web form's field take it:
 * `500` (iterations per second) or `100:1000` (a ramp from 100 to 1000, over a duration
 * given separately).
 */

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
    if (Number(text.trim()) < 0 || /^\s*-/.test(text)) {
      return `must be more than 0 iterations per second, got '${text}'`;
    }
    return `must be a number of iterations per second such as 500, or a ramp A:B such as 100:1000, got '${text}'`;
  }
  const from = Number(match[1]);
  if (match[2] === undefined) {
    return from > 0 ? { from, to: undefined } : `must be more than 0 iterations per second, got '${text}'`;
  }
  const to = Number(match[2]);
  if (from === 0 && to === 0) return `ramps from 0 to 0, got '${text}': at least one end must be more than 0`;
  return { from, to };
}
