/**
 * Request bodies: `json`, `form`, `multipart` (multipart.ts) or a raw `body`, at most one of them.
 */

/** Form fields: a record or a ready `URLSearchParams`. */
export type FormFields = Record<string, string | number | boolean> | URLSearchParams;

/** The body-related request options. */
export interface BodyOptions {
  json?: unknown;
  form?: FormFields;
  body?: string | Uint8Array;
  multipart?: unknown;
}

/** An encoded body and the content type it implies (undefined for a raw body). */
export interface EncodedBody {
  body: string | Uint8Array;
  contentType: string | undefined;
}

/**
 * Encodes the body option, or returns undefined when there is none. Throws an `Error`
 * when more than one of `json`, `form`, `multipart` and `body` is given (a mistake in the
 * locustfile). A `multipart` body is encoded asynchronously (multipart.ts).
 */
export function encodeBody(options: BodyOptions): EncodedBody | undefined {
  const { json, form, body } = options;
  const given =
    (json !== undefined ? 1 : 0) +
    (form !== undefined ? 1 : 0) +
    (body !== undefined ? 1 : 0) +
    (options.multipart !== undefined ? 1 : 0);
  if (given === 0) return undefined;
  if (given > 1) throw new Error("a request takes at most one of the options json, form, multipart and body");
  if (options.multipart !== undefined) return undefined; // encoded asynchronously (multipart.ts)
  if (json !== undefined) {
    const text = JSON.stringify(json);
    if (text === undefined) throw new Error("the json option must be a JSON-serializable value");
    return { body: text, contentType: "application/json" };
  }
  if (form !== undefined) {
    return { body: encodeForm(form), contentType: "application/x-www-form-urlencoded" };
  }
  return { body: body as string | Uint8Array, contentType: undefined };
}

function encodeForm(form: FormFields): string {
  if (form instanceof URLSearchParams) return form.toString();
  const params = new URLSearchParams();
  for (const key of Object.keys(form)) {
    const value = form[key];
    if (value !== undefined) params.append(key, String(value));
  }
  return params.toString();
}
