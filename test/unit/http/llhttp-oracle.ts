/**
 * The trusted side of the parser's differential test: Node's own HTTP client (llhttp 9)
 * reading the same bytes from a raw socket, and Cicada's ResponseParser reading them in
 * pieces, each reduced to a verdict: the response accepted with its status, reason,
 * headers and body, or rejected. Used by parser-differential.test.ts (bounded) and
 * test/fuzz/http-parser.ts (as long as you like).
 */
import { request } from "node:http";
import { ResponseParseError, ResponseParser } from "../../../src/http/response-parser.js";
import { requestPath, startRawServer } from "../../helpers/raw-server.js";

/** What a client made of a response. */
export interface Verdict {
  accepted: boolean;
  status?: number;
  statusText?: string;
  /** Flat [name, value, ...], names lower-case. */
  headers?: string[];
  /** The body as latin1 text. */
  body?: string;
  /** Why it was rejected (for messages only; not compared). */
  reason?: string;
}

/** Node's verdicts, through a TCP server on 127.0.0.1 that answers each request with given bytes. */
export interface Oracle {
  verdict(bytes: Buffer, method?: "GET" | "HEAD"): Promise<Verdict>;
  close(): Promise<void>;
}

/** How long Node may take with one response before the case counts as a hang. */
const CASE_TIMEOUT_MS = 5000;

export async function startOracle(): Promise<Oracle> {
  const answers = new Map<number, Buffer>();
  let nextId = 0;
  // Answered once the whole request head is read, so closing sends a FIN, not a reset.
  const server = await startRawServer((socket, head) => {
    const id = Number(requestPath(head).slice(1));
    socket.end(answers.get(id) ?? Buffer.alloc(0));
    answers.delete(id);
  });
  return {
    verdict(bytes, method = "GET") {
      const id = nextId++;
      answers.set(id, bytes);
      return nodeVerdict(server.port, id, method);
    },
    close: () => server.close(),
  };
}

function nodeVerdict(port: number, id: number, method: string): Promise<Verdict> {
  return new Promise((resolve, reject) => {
    let verdict: Verdict = { accepted: false, reason: "no response" };
    let body = "";
    let settled = false;
    let hasResponse = false;
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`node:http took over ${CASE_TIMEOUT_MS} ms on case ${id}`));
    }, CASE_TIMEOUT_MS);
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Give the response stream its last buffered 'data' events first.
      setImmediate(() => resolve(verdict.accepted ? { ...verdict, body } : verdict));
    };
    const req = request({
      host: "127.0.0.1",
      port,
      path: `/${id}`,
      method,
      agent: false,
      maxHeaderSize: 80 * 1024,
    });
    req.on("response", (res) => {
      hasResponse = true;
      const headers: string[] = [];
      for (let i = 0; i < res.rawHeaders.length; i += 2)
        headers.push(res.rawHeaders[i]!.toLowerCase(), res.rawHeaders[i + 1]!);
      res.on("data", (data: Buffer) => {
        body += data.toString("latin1");
      });
      res.on("error", () => {});
      const settle = () => {
        verdict = res.complete
          ? { accepted: true, status: res.statusCode!, statusText: res.statusMessage ?? "", headers }
          : { accepted: false, reason: "response cut short" };
        finish();
      };
      res.on("end", settle);
      res.on("close", settle);
    });
    req.on("error", (error) => {
      if (verdict.accepted) return;
      verdict = { accepted: false, reason: `${(error as { code?: string }).code ?? ""} ${error.message}` };
    });
    // Without a response the request's close is the end; with one, the response's events are.
    req.on("close", () => {
      if (!hasResponse) setTimeout(finish, 2);
    });
    req.end();
  });
}

/** A read buffer reused between reads, as the connection's shared `onread` buffer is. */
const scratch = Buffer.alloc(256 * 1024);

/**
 * Cicada's verdict: the parser fed `bytes` cut at `cuts` (offsets, ascending), then the
 * connection closing. With `transient`, each piece is copied into one reused buffer first.
 */
export function cicadaVerdict(
  bytes: Buffer,
  method: "GET" | "HEAD",
  cuts: number[],
  transient = false,
): Verdict {
  let verdict: Verdict | undefined;
  let body = "";
  let head: Verdict | undefined;
  const parser = new ResponseParser(
    {
      onResponseHead(responseHead) {
        head = {
          accepted: true,
          status: responseHead.status,
          statusText: responseHead.statusText,
          headers: [...responseHead.list()],
        };
      },
      onResponseBody(chunk) {
        body += chunk.toString("latin1");
      },
      onResponseEnd() {
        verdict = { ...head!, body };
      },
    },
    transient,
  );
  parser.expect(method === "HEAD");
  const edges = [...cuts, bytes.length];
  let from = 0;
  try {
    for (const to of edges) {
      if (verdict !== undefined) break;
      if (to <= from) continue;
      if (transient) {
        bytes.copy(scratch, 0, from, to);
        parser.execute(scratch, to - from);
      } else {
        parser.execute(bytes.subarray(from, to));
      }
      from = to;
    }
    if (verdict === undefined && parser.finishOnClose() !== true) {
      return { accepted: false, reason: head === undefined ? "no response" : "response cut short" };
    }
  } catch (error) {
    if (!(error instanceof ResponseParseError)) throw error;
    if (verdict !== undefined) return verdict;
    return { accepted: false, reason: error.message };
  }
  return verdict!;
}

/** The verdicts without their reasons, for comparison. */
export function comparable(verdict: Verdict): Omit<Verdict, "reason"> {
  const { reason: _reason, ...rest } = verdict;
  return rest;
}

/** A printable form of a response's bytes for failure messages. */
export function show(bytes: Buffer): string {
  return JSON.stringify(bytes.toString("latin1"));
}
