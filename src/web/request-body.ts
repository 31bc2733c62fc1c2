/**
 * Limits on request bodies beyond their size. A JSON body nested thousands of levels deep
 * fits in 64 KB, parses, and then overflows the stack of whatever walks it (a `String()`
 * of a nested array): the request must be refused as the client's mistake (400), not fail
 * as a server error (500).
 */

/** The deepest nesting of arrays and objects a JSON body may have; Locust's form fields are flat. */
export const MAX_JSON_DEPTH = 32;

/** The deepest nesting of `[`/`{` in JSON text (brackets inside strings do not count). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
  }
  return deepest;
}

/** Why the web UI refuses a JSON body before parsing it (a 400), or undefined when it is fine. */
export function jsonBodyProblem(text: string): string | undefined {
  if (jsonDepth(text) <= MAX_JSON_DEPTH) return undefined;
  return `the JSON body is nested too deeply (at most ${MAX_JSON_DEPTH} levels of arrays and objects)`;
}
