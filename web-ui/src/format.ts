/** Number formatting for the tables and the header. */

/** Milliseconds: whole above 10 ms, one decimal below; "" for none. */
export function formatMs(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "";
  if (value >= 10) return Math.round(value).toLocaleString("en-US");
  return value.toFixed(1);
}

/** A rate per second with one decimal. */
export function formatRate(value: number): string {
  return value.toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
}

/** A whole count with thousands separators. */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

/** A ratio 0..1 as a percentage. */
export function formatPercent(ratio: number): string {
  const percent = ratio * 100;
  return `${percent === 0 || percent >= 10 ? Math.round(percent) : percent.toFixed(1)}%`;
}

/** Bytes as B, KB, MB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const pad = (n: number) => String(n).padStart(2, "0");

/**
 * Local time of an epoch-ms instant, 24-hour "14:03:07": the one time format of the UI
 * (tables, logs, chart axes and legends), whatever the browser's locale.
 */
export function formatTime(ms: number): string {
  const date = new Date(ms);
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

const BYTE_UNITS = ["B/s", "kB/s", "MB/s", "GB/s"];

/** "12.3 MB/s", "400 MB/s" (a byte rate keeps at most 3 significant digits, so the y-axis labels fit the axis), "96 %", "1,520". */
export function formatTargetValue(value: number, unit: string): string {
  if (unit === "B/s") {
    let scaled = value;
    let i = 0;
    while (Math.abs(scaled) >= 1000 && i < BYTE_UNITS.length - 1) {
      scaled /= 1000;
      i++;
    }
    return `${scaled.toFixed(i === 0 || Math.abs(scaled) >= 100 ? 0 : 1)} ${BYTE_UNITS[i]}`;
  }
  const text = value.toLocaleString("en-US", { maximumFractionDigits: Math.abs(value) >= 100 ? 0 : 1 });
  return unit ? `${text} ${unit}` : text;
}
