/**
 * One WebSocket of a virtual user, on the maintained `ws` package: `send`, `waitFor` and
 * `close`. Messages feed a MessageInbox, which times and reports each wait; the close of
 * the socket (by the server, or a broken connection) fails a pending wait.
 */
import type { RawData, WebSocket } from "ws";
import { MessageInbox, WaitFailure, type WaitOptions, type WaitReport } from "../shared/message-inbox.js";

/** A message as `waitFor` sees it: text frames as strings, binary frames as Buffers. */
export type WebSocketData = string | Buffer;

/** Longest wait for the closing handshake in `close()` before the socket is dropped. */
const CLOSE_GRACE_MS = 5_000;

/** An open (or failed) WebSocket. `error` is set when it never opened. */
export class WebSocketConnection {
  private failure: string | undefined;
  private readonly inbox: MessageInbox<WebSocketData>;
  private closedByClient = false;
  private closing: Promise<void> | undefined;

  /** @internal Created by WebSocketClient.connect. */
  constructor(
    /** The URL connected to (ws:// or wss://). */
    readonly url: string,
    private readonly socket: WebSocket,
    options: { report: (report: WaitReport) => void; waitTimeoutSeconds: number },
  ) {
    this.inbox = new MessageInbox<WebSocketData>({
      report: options.report,
      sizeOf: (data) => (typeof data === "string" ? Buffer.byteLength(data) : data.length),
      defaultTimeoutSeconds: options.waitTimeoutSeconds,
    });
    // Listening from the start: a server may send its first message with the handshake.
    socket.on("message", (data: RawData, isBinary: boolean) => {
      this.inbox.push(isBinary ? toBuffer(data) : toBuffer(data).toString("utf8"));
    });
    let lastError: Error | undefined;
    socket.on("error", (error: Error) => {
      lastError = error;
    });
    socket.on("close", (code: number, reason: Buffer) => {
      this.inbox.close(new WaitFailure("ConnectionClosed", this.closeMessage(code, reason, lastError)));
    });
  }

  /** Why the connection failed to open (as recorded in the failures table), else undefined. */
  get error(): string | undefined {
    return this.failure;
  }

  /** True while the socket is open. */
  get open(): boolean {
    return this.socket.readyState === 1;
  }

  /** @internal The handshake failed: waits fail at once. */
  markFailed(failure: string): void {
    this.failure = failure;
    this.inbox.close(new WaitFailure("ConnectionClosed", `the WebSocket never opened (${failure})`));
  }

  /** Messages dropped because more than 1000 arrived while nobody waited. */
  get droppedMessages(): number {
    return this.inbox.dropped;
  }

  /**
   * Sends a message (a string as a text frame, bytes as a binary frame) and starts the
   * clock of the next `waitFor`. On a socket that is not open it does nothing: the next
   * `waitFor` then records the failure.
   */
  send(data: string | Uint8Array): void {
    this.inbox.markSent();
    if (this.open) this.socket.send(data);
  }

  /**
   * Waits for the first message for which `predicate` returns true, and records the time
   * from this call (or from the last `send`) to it under `options.name`. Resolves with
   * the message, or with undefined after recording a failure (a timeout, or the socket
   * closed first). A predicate that throws rejects the call (a bug in the task).
   */
  waitFor(
    predicate: (message: WebSocketData) => boolean,
    options: WaitOptions,
  ): Promise<WebSocketData | undefined> {
    return this.inbox.waitFor(predicate, options);
  }

  /** Closes the socket (status 1000) and resolves once it is closed (at most 5 s, then it is dropped). */
  close(code = 1000, reason?: string): Promise<void> {
    this.closing ??= this.closeSocket(code, reason);
    return this.closing;
  }

  /** @internal The user is being stopped: a pending wait rejects with `reason` (unrecorded), the socket is dropped. */
  abort(reason: unknown): void {
    this.closedByClient = true;
    this.inbox.cancel(reason);
    this.socket.terminate();
  }

  private closeSocket(code: number, reason: string | undefined): Promise<void> {
    const socket = this.socket;
    this.closedByClient = true;
    if (socket.readyState === 3) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => socket.terminate(), CLOSE_GRACE_MS);
      socket.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      if (socket.readyState === 0) socket.terminate();
      else socket.close(code, reason);
    });
  }

  private closeMessage(code: number, reason: Buffer, error: Error | undefined): string {
    if (this.closedByClient) return "the WebSocket was closed by the client before a matching message";
    const why = reason.length > 0 ? `, "${reason.toString("utf8")}"` : "";
    const cause = error !== undefined ? `: ${error.message}` : "";
    return `the server closed the WebSocket (code ${code}${why})${cause}`;
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
