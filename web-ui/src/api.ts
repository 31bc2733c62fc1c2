/**
 * Talking to the server. Every URL is relative, so the app works under any base path.
 * The server's cross-site check relies on the Sec-Fetch-Site and Origin headers, which
 * the browser sets itself.
 */
import type { CommandResponse, SwarmRequest } from "./types.js";

/** An answer the server refused, with its message (and field problems for /swarm). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly fields: Array<{ field: string; message: string }> = [],
  ) {
    super(message);
  }
}

async function readJson<T>(response: Response): Promise<T> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError(`unexpected answer (${response.status}): ${text.slice(0, 200)}`, response.status);
  }
  if (!response.ok) {
    const answer = body as Partial<CommandResponse>;
    throw new ApiError(
      answer.message ?? `request failed (${response.status})`,
      response.status,
      answer.errors,
    );
  }
  return body as T;
}

/** GET a JSON endpoint. */
export async function getJson<T>(path: string): Promise<T> {
  return readJson<T>(await fetch(path, { headers: { accept: "application/json" } }));
}

/** POST a JSON command. */
export async function post<T = CommandResponse>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body ?? {}),
  });
  return readJson<T>(response);
}

/** Starts or changes a test. */
export function swarm(request: SwarmRequest): Promise<CommandResponse> {
  return post("swarm", request);
}

export function stopTest(): Promise<CommandResponse> {
  return post("api/stop");
}

export function resetStats(): Promise<CommandResponse> {
  return post("api/reset");
}
