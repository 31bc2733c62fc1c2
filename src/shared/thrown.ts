/**
 * Turning anything a locustfile throws (or rejects with) into text. JavaScript lets code
 * throw any value: `Object.create(null)` has no `toString`, a Proxy's traps may throw, an
 * Error's `message` may be a throwing getter. Describing such a value must never throw
 * itself, or the user that threw it would stop for good (its error report would fail).
 */
import { describeFailure } from "./request-event.js";

/** True when `value` is an Error (false for values whose prototype chain cannot be read). */
export function isError(value: unknown): value is Error {
  try {
    return value instanceof Error;
  } catch {
    return false;
  }
}

/**
 * `Name: message` for an Error, `String(value)` for anything else, and a description of
 * its type when neither works. Never throws.
 */
export function describeThrown(value: unknown): string {
  try {
    return isError(value) ? describeFailure(value) : String(value);
  } catch {
    return `${typeOfThrown(value)} that cannot be turned into a string`;
  }
}

/** The stack of an Error, or undefined when it has none (or reading it throws). */
export function stackOf(value: unknown): string | undefined {
  try {
    const stack = isError(value) ? value.stack : undefined;
    return typeof stack === "string" ? stack : undefined;
  } catch {
    return undefined;
  }
}

function typeOfThrown(value: unknown): string {
  try {
    // "[object Object]" → "an object"; a null-prototype object has no constructor to name.
    const tag = Object.prototype.toString.call(value).slice(8, -1);
    return `a thrown ${tag === "Object" ? "object" : tag}`;
  } catch {
    return "a thrown value";
  }
}

/**
 * Where an exception was thrown: the first stack frame in a source file (frames of
 * built-ins such as `JSON.parse (<anonymous>)` say nothing about the user's code).
 */
export function firstFrame(traceback: string): string {
  const frames = traceback
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.startsWith("at "));
  const inSource = frames.find((f) => /:\d+:\d+\)?$/.test(f) && !f.includes("node:"));
  const frame = inSource ?? frames[0];
  return frame ? frame.slice(3) : "";
}
