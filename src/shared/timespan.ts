/**
 * Parses Locust's time spans: `30` (seconds), `30s`, `5m`, `1h30m`, `1h30m15s`, `500ms`, and
 * decimals such as `1.5s`. Returns milliseconds, or undefined when the text is not a
 * time span.
 */
export function parseTimespan(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return finite(Math.round(Number(trimmed) * 1000));
  // Milliseconds too (Locust's parse_timespan has none): "500ms" for a sub-second setting.
  const millis = /^(\d+(?:\.\d+)?)ms$/.exec(trimmed);
  if (millis) return finite(Math.round(Number(millis[1])));
  const match = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(trimmed);
  if (!match || trimmed === "") return undefined;
  const [, hours, minutes, seconds] = match;
  return finite(
    Math.round((Number(hours ?? 0) * 3600 + Number(minutes ?? 0) * 60 + Number(seconds ?? 0)) * 1000),
  );
}

/** Hundreds of digits make Infinity: not a time span. Long finite ones are fine (shared/timers.ts). */
function finite(ms: number): number | undefined {
  return Number.isFinite(ms) ? ms : undefined;
}

/** Formats milliseconds the way parseTimespan reads them back: `1h30m`, `45s`, `2m5s`. */
export function formatTimespan(ms: number): string {
  let seconds = Math.round(ms / 1000);
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  const parts = [hours ? `${hours}h` : "", minutes ? `${minutes}m` : "", seconds ? `${seconds}s` : ""];
  return parts.join("") || "0s";
}
