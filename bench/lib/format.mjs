// Text formatting of the benchmark's tables.

/** 12,345 for counts and rates; "–" for missing values. */
export function count(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  return Math.round(value).toLocaleString("en-US");
}

/** A number with `digits` decimals, or "–". */
export function fixed(value, digits = 2) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  return value.toFixed(digits);
}

/** Milliseconds with 3 significant digits (0.128, 1.23, 50.4, 227), or "–". */
export function millis(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  if (value === 0) return "0";
  return value >= 100 ? value.toFixed(0) : value.toPrecision(3);
}

/** A signed percentage like +0.042 %, or "–". */
export function signedPercent(value, digits = 3) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  return `${value >= 0 ? "+" : ""}${value.toFixed(digits)} %`;
}

/** Lays out rows of cells as a table: the first column left-aligned, the others right-aligned. */
export function table(header, rows) {
  const all = [header, ...rows].map((row) => row.map(String));
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i]?.length ?? 0)));
  const line = (row) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ");
  return [line(all[0]), widths.map((w) => "-".repeat(w)).join("  "), ...all.slice(1).map(line)];
}

/** "0.62× (target ≥ 0.5×: met)" for a ratio checked against a minimum. */
export function ratioVerdict(ratio, minimum) {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return "– (not measured)";
  const verdict = ratio >= minimum ? "met" : "NOT met";
  return `${ratio.toFixed(2)}× (target ≥ ${minimum}×: ${verdict})`;
}
