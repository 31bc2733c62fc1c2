/**
 * Failures of WebSocket connections, named as the HTTP client names its own
 * (`ConnectionRefusedError: ...`), so the failures table reads the same across protocols.
 */
import { isTlsError, tlsFailureMessage } from "../shared/tls-failure.js";

/** A failure of the system under test while opening a WebSocket; never thrown at the task. */
export class WebSocketError extends Error {
  constructor(name: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = name;
  }
}

const namesByCode: Record<string, string> = {
  ECONNREFUSED: "ConnectionRefusedError",
  ECONNRESET: "ConnectionResetError",
  EPIPE: "ConnectionResetError",
  ENOTFOUND: "NameResolutionError",
  EAI_AGAIN: "NameResolutionError",
};

/** A socket or handshake error of `ws`, as a named failure. */
export function describeSocketError(error: Error, url: string): WebSocketError {
  const code = (error as { code?: unknown }).code;
  const options = { cause: error };
  if (typeof code === "string" && namesByCode[code] !== undefined) {
    return new WebSocketError(namesByCode[code]!, `${error.message} (${url})`, options);
  }
  if (isTlsError(error)) return new WebSocketError("SSLError", tlsFailureMessage(error), options);
  // ws's own handshake checks: a bad Sec-WebSocket-Accept, a subprotocol the server did not offer...
  return new WebSocketError("WebSocketError", `${error.message} (${url})`, options);
}
