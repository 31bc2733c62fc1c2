/**
 * The network edge of monitoring: one HTTP GET or POST with a deadline set by its caller
 * (an AbortSignal), a cap on the answer's size, and every way it can fail turned into a
 * ScrapeFailure of a known kind. It uses Node's fetch, whose connections are not the
 * users' (those are Cicada's own HTTP client), so a slow exporter holds no user's socket.
 */
import { isTlsError, tlsFailureMessage } from "../shared/tls-failure.js";
import type { ScrapeFailureKind } from "./types.js";

/** A scrape or query that gave no data, and why. */
export class ScrapeFailure extends Error {
  constructor(
    readonly kind: ScrapeFailureKind,
    message: string,
  ) {
    super(message);
  }
}

/** Answers larger than this are refused: no exporter sends that much, a wrong URL might. */
export const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

export interface FetchTextOptions {
  signal: AbortSignal;
  accept: string;
  /** A form body: the request becomes a POST. */
  form?: URLSearchParams;
  /** What to say when the signal aborts ("no answer within 1000 ms"). */
  abortMessage: string;
}

/** The answer's status and text (the text of any status: an API's error answer is JSON too). */
export interface TextAnswer {
  status: number;
  statusText: string;
  text: string;
}

function networkMessage(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === "ECONNREFUSED") return "connection refused";
  if (cause?.code === "ENOTFOUND" || cause?.code === "EAI_AGAIN") return "host name not found";
  // Node's fetch refuses the ports browsers block (the WHATWG "bad ports": 10080, 6000,
  // 6665-6669, ...) before connecting: the endpoint may well be up.
  if (cause?.message === "bad port")
    return "Node's fetch refuses to connect to this port (one of the ports browsers block, such as 10080 or 6000): run the exporter on another port";
  // OpenSSL's text (thread id, source path, a newline) in words: "the server did not answer in TLS; is it plain http?".
  if (cause instanceof Error && isTlsError(cause)) return tlsFailureMessage(cause);
  const detail = cause?.message ?? (error as Error).message;
  return cause?.code ? `${detail} (${cause.code})` : detail;
}

async function readCapped(response: Response, signal: AbortSignal): Promise<string> {
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    if (signal.aborted) throw signal.reason;
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      await reader.cancel();
      throw new ScrapeFailure("garbage", `the answer is larger than ${MAX_ANSWER_BYTES / 1024 / 1024} MB`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Fetches `url`.
 * @throws ScrapeFailure ("unreachable" or "slow"; "garbage" for an oversized answer).
 */
export async function fetchText(url: string, options: FetchTextOptions): Promise<TextAnswer> {
  const { signal } = options;
  try {
    const response = await fetch(url, {
      method: options.form ? "POST" : "GET",
      headers: {
        accept: options.accept,
        ...(options.form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
      ...(options.form ? { body: options.form.toString() } : {}),
      signal,
      redirect: "follow",
    });
    const text = await readCapped(response, signal);
    return { status: response.status, statusText: response.statusText, text };
  } catch (error) {
    if (error instanceof ScrapeFailure) throw error;
    if (signal.aborted) throw new ScrapeFailure("slow", options.abortMessage);
    throw new ScrapeFailure("unreachable", networkMessage(error));
  }
}

/** Like fetchText, but a status other than 2xx is a failure ("http"). */
export async function fetchOk(url: string, options: FetchTextOptions): Promise<string> {
  const answer = await fetchText(url, options);
  if (answer.status < 200 || answer.status > 299) {
    throw new ScrapeFailure(
      "http",
      `HTTP ${answer.status}${answer.statusText ? ` ${answer.statusText}` : ""}`,
    );
  }
  return answer.text;
}
