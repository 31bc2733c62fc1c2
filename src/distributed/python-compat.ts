/**
 * The few pieces of Python behaviour a Locust peer relies on byte for byte: Python's
 * `repr()` of a string (error keys are sha256 of it) and its inverse, Python's half-to-even `round()`
 * (Locust's response-time buckets), and parsing Locust's version strings.
 */
import { createHash } from "node:crypto";

// Python's str.isprintable() is false for these general categories; repr() escapes them.
const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, "0");
}

/** Python 3's `repr(text)` for a str: the quote choice and escapes of CPython's unicode_repr. */
export function pythonRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === quote || char === "\\") out += `\\${char}`;
    else if (char === "\t") out += "\\t";
    else if (char === "\n") out += "\\n";
    else if (char === "\r") out += "\\r";
    else if (code < 0x20 || code === 0x7f) out += `\\x${hex(code, 2)}`;
    else if (code < 0x7f) out += char;
    else if (char !== " " && NOT_PRINTABLE.test(char)) {
      if (code <= 0xff) out += `\\x${hex(code, 2)}`;
      else if (code <= 0xffff) out += `\\u${hex(code, 4)}`;
      else out += `\\U${hex(code, 8)}`;
    } else out += char;
  }
  return out + quote;
}

const SIMPLE_ESCAPES: Record<string, string> = { "\\": "\\", "'": "'", '"': '"', t: "\t", n: "\n", r: "\r" };
const HEX_ESCAPE_DIGITS: Record<string, number> = { x: 2, u: 4, U: 8 };

/**
 * The str whose Python `repr()` is `literal`, or undefined when `literal` is not exactly
 * what `repr()` writes (its quote choice and escapes): the inverse of {@link pythonRepr}.
 */
export function pythonUnrepr(literal: string): string | undefined {
  const quote = literal[0];
  if (literal.length < 2 || (quote !== "'" && quote !== '"') || literal.at(-1) !== quote) return undefined;
  let text = "";
  for (let at = 1; at < literal.length - 1; at++) {
    const char = literal[at]!;
    if (char !== "\\") {
      text += char;
      continue;
    }
    const kind = literal[++at] ?? "";
    const simple = SIMPLE_ESCAPES[kind];
    const digits = HEX_ESCAPE_DIGITS[kind];
    if (simple !== undefined) text += simple;
    else if (digits !== undefined) {
      const hexDigits = literal.slice(at + 1, at + 1 + digits);
      const code =
        /^[0-9a-f]+$/.test(hexDigits) && hexDigits.length === digits ? Number.parseInt(hexDigits, 16) : -1;
      if (code < 0 || code > 0x10ffff) return undefined;
      text += String.fromCodePoint(code);
      at += digits;
    } else return undefined;
  }
  // Only repr's own spelling counts: not an unescaped quote inside, nor \x41 for "A".
  return pythonRepr(text) === literal ? text : undefined;
}

/**
 * The key of an error row in Locust's stats dict: sha256 of `method.name.repr(error)`,
 * where `error` is the text the row shows (Locust's `parse_error(error)`). A master merges
 * rows by this key, so rows from Python and Cicada workers for the same error meet.
 */
export function locustErrorKey(method: string, name: string, error: string): string {
  return createHash("sha256")
    .update(`${method}.${name}.${pythonRepr(error)}`, "utf8")
    .digest("hex");
}

/**
 * Python's `round(value, -digits)` for a non-negative number: to the nearest multiple of
 * 10^digits, exact halves to the even multiple (145 → 140, 155 → 160), decided on the
 * exact binary value as CPython does.
 */
export function pythonRoundToMultiple(value: number, unit: number): number {
  let low = Math.floor(value / unit) * unit;
  // value / unit may be inexact; settle `low` on the exact multiple at or below value.
  while (low > value) low -= unit;
  while (low + unit <= value) low += unit;
  const middle = low + unit / 2;
  if (value < middle) return low;
  if (value > middle) return low + unit;
  return (low / unit) % 2 === 0 ? low : low + unit;
}

/**
 * Locust's response-time bucket (stats.py): whole milliseconds below 100 ms, then 2
 * significant digits (nearest 10 below 1 s, 100 below 10 s, 1000 above), with Python's
 * rounding. A Locust master computes percentiles from these buckets.
 */
export function locustBucket(responseTimeMs: number): number {
  if (responseTimeMs < 100) return pythonRoundToMultiple(responseTimeMs, 1);
  if (responseTimeMs < 1000) return pythonRoundToMultiple(responseTimeMs, 10);
  if (responseTimeMs < 10_000) return pythonRoundToMultiple(responseTimeMs, 100);
  return pythonRoundToMultiple(responseTimeMs, 1000);
}

/** [major, minor] of a Locust version string such as "2.12.1", or undefined ("" from Debian, -1, junk). */
export function parseLocustVersion(version: unknown): [number, number] | undefined {
  if (typeof version !== "string") return undefined;
  const match = /^(\d+)\.(\d+)/.exec(version);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}
