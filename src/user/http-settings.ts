/**
 * An HttpUser's settings checked as the user wrote them, before they become the session's
 * options: by the user's names, in the user's units (seconds, where the session counts
 * milliseconds), and by type, since a locustfile runs without TypeScript's checker (where
 * `insecure = "yes"` was ignored, verification on, and `networkTimeout = "5"` passed). A
 * wrong setting is an Error from `this.client`, counted in the exceptions table (as a bad
 * `tls` setting is), naming the setting, what is expected and what it got.
 */

/** The settings of an HttpUser that are checked here (tls and http2 are checked where they are read). */
export interface HttpUserSettings {
  connectionTimeout?: unknown;
  networkTimeout?: unknown;
  responseTimeout?: unknown;
  maxRedirects?: unknown;
  csrf?: unknown;
  defaultHeaders?: unknown;
  insecure?: unknown;
  proxy?: unknown;
  acceptEncoding?: unknown;
  maxResponseBodySize?: unknown;
  maxDecodedBodySize?: unknown;
}

type Rule = readonly [
  setting: keyof HttpUserSettings,
  expected: string,
  accepts: (value: unknown) => boolean,
];

const isPositive = (value: unknown) => typeof value === "number" && Number.isFinite(value) && value > 0;
const isBoolean = (value: unknown) => typeof value === "boolean";
const isObject = (value: unknown) => typeof value === "object" && value !== null && !Array.isArray(value);
const isStringOrFalse = (value: unknown) => typeof value === "string" || value === false;

const RULES: readonly Rule[] = [
  ["connectionTimeout", "a positive number of seconds", isPositive],
  ["networkTimeout", "a positive number of seconds", isPositive],
  [
    "responseTimeout",
    "a positive number of seconds, or Infinity for none",
    (value) => value === Number.POSITIVE_INFINITY || isPositive(value),
  ],
  [
    "maxRedirects",
    "a whole number >= 0",
    (value) => typeof value === "number" && Number.isInteger(value) && value >= 0,
  ],
  ["csrf", "true, false or { cookieName, headerName }", (value) => isBoolean(value) || isObject(value)],
  ["defaultHeaders", "an object of header names and values", isObject],
  ["insecure", "true or false", isBoolean],
  ["proxy", 'a URL ("http://host:port") or false', isStringOrFalse],
  ["acceptEncoding", 'the Accept-Encoding header ("gzip, deflate, br") or false', isStringOrFalse],
  ["maxResponseBodySize", "a positive number of bytes", isPositive],
  ["maxDecodedBodySize", "a positive number of bytes", isPositive],
];

/** Throws an Error for the first setting that is set and wrong. Unset settings take their defaults. */
export function checkHttpUserSettings(settings: HttpUserSettings): void {
  for (const [setting, expected, accepts] of RULES) {
    const value = settings[setting];
    if (value === undefined || accepts(value)) continue;
    throw new Error(`${setting} must be ${expected}, got ${shown(value)}`);
  }
}

/** A wrong value as the reader can recognise it: `-1`, `"5" (a string, in quotes)`, `an array`. */
function shown(value: unknown): string {
  if (typeof value === "string") return `${JSON.stringify(value)} (a string, in quotes)`;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}
