/**
 * Failures of WebSocket connections, named as the HTTP client names its own
 * (`ConnectionRefusedError: ...`), so the failures table reads the same across protocols.
 */

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
  if (typeof code === "string" && (code.startsWith("ERR_TLS") || /CERT|SELF_SIGNED/.test(code))) {
    return new WebSocketError("SSLError", error.message, options);
  }
  // ws's own handshake checks: a bad Sec-WebSocket-Accept, a subprotocol the server did not offer...
  return new WebSocketError("WebSocketError", `${error.message} (${url})`, options);
}
