/**
 * Counters into rates. A Prometheus counter only grows, except when the process behind it
 * restarts and it begins again from zero: a value lower than the previous one is such a
 * reset, and the increase over the interval is then at least the new value (PromQL's
 * `rate()` applies the same rule).
 */

/** Increase of a counter from `previous` to `current`, resets counted as restarts from zero. */
export function counterIncrease(previous: number, current: number): number {
  return current >= previous ? current - previous : current;
}

/** Per-second rate of a counter over `seconds`; null without a usable interval or value. */
export function counterRate(previous: number, current: number, seconds: number): number | null {
  if (!(seconds > 0) || !Number.isFinite(previous) || !Number.isFinite(current)) return null;
  return counterIncrease(previous, current) / seconds;
}

/** A stable key of a label set ("cpu=0,mode=idle"), to pair a series with its previous sample. */
export function labelKey(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels)
    .sort()
    .map((name) => `${name}=${JSON.stringify(labels[name])}`)
    .join(",");
}
