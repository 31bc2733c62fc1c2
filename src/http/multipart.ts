/**
 * `multipart/form-data` request bodies (file uploads), encoded by Node's own FormData
 * (undici's WHATWG implementation: boundaries, escaping of names and file names).
 */
import type { EncodedBody } from "./body.js";

/** A file part: its content, and optionally its file name and type. */
export interface MultipartFile {
  content: string | Uint8Array | Blob;
  /** Default "blob", as FormData names an unnamed file. */
  filename?: string;
  /** Default "application/octet-stream" (or the Blob's own type). */
  contentType?: string;
}

/** One field's value: text, a Blob or File, or a file part. */
export type MultipartValue = string | number | boolean | Blob | MultipartFile;

/** The `multipart` option: a FormData, or fields by name (an array repeats the field). */
export type MultipartFields = FormData | Record<string, MultipartValue | readonly MultipartValue[]>;

/** Encodes the fields as a multipart body with its `content-type` (which carries the boundary). */
export async function encodeMultipart(fields: MultipartFields): Promise<EncodedBody> {
  const form = fields instanceof FormData ? fields : toFormData(fields);
  const encoded = new Response(form);
  const body = new Uint8Array(await encoded.arrayBuffer());
  return { body, contentType: encoded.headers.get("content-type") ?? undefined };
}

function toFormData(fields: Exclude<MultipartFields, FormData>): FormData {
  if (fields === null || typeof fields !== "object") {
    throw new Error("the multipart option must be a FormData or an object of fields");
  }
  const form = new FormData();
  for (const name of Object.keys(fields)) {
    const value = fields[name];
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) append(form, name, item as MultipartValue);
  }
  return form;
}

function append(form: FormData, name: string, value: MultipartValue): void {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
    form.append(name, String(value));
  } else if (value instanceof Blob) {
    form.append(name, value);
  } else if (value !== null && typeof value === "object" && "content" in value) {
    const type = value.contentType ?? (value.content instanceof Blob ? value.content.type : "") ?? "";
    const content = value.content instanceof Uint8Array ? Buffer.from(value.content) : value.content;
    const blob = new Blob([content], { type: type || "application/octet-stream" });
    form.append(name, blob, value.filename ?? "blob");
  } else {
    throw new Error(
      `invalid multipart field ${JSON.stringify(name)}: expected a string, number, boolean, Blob or { content, filename?, contentType? }`,
    );
  }
}
