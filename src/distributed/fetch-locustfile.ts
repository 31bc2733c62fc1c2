/**
 * `--worker -f -`: asks the master for its locustfile before the worker starts, over a
 * throwaway DEALER (Locust's way, so the master never mistakes it for a worker). A
 * Cicada master answers with its esbuild bundles; a Locust master (which sends a Python
 * file from 2.23 on, and nothing before) or a master of another Cicada version is
 * reported clearly.
 */
import { Dealer } from "zeromq";
import { EnvironmentError } from "../shared/errors.js";
import { startTimer, stopTimer, type TimerHandle } from "../shared/timers.js";
import { curveClientOptions } from "./cluster-secret.js";
import { makeDownloadId } from "./node-id.js";
import { decodeMasterMessage, encodeMessage } from "./protocol.js";
import { tcpEndpoint } from "./transport.js";

/** The bundles a master sent, and the tag filters to run them with. */
export interface FetchedLocustfile {
  bundles: Array<{ filename: string; code: string; dir?: string }>;
  tags: string[] | undefined;
  excludeTags: string[] | undefined;
}

/** Where the master is and who asks. */
export interface FetchOptions {
  masterHost: string;
  masterPort: number;
  hostname: string;
  wireVersion: string;
  timeoutMs: number;
  /** The master's --cluster-secret (cluster-secret.ts). */
  secret?: string | undefined;
  /** How long a master that accepted the connection has to answer (default {@link REPLY_WAIT_MS}). */
  replyWaitMs?: number;
}

/**
 * How long a master that completed the ZeroMQ handshake has to send its locustfile. A
 * Cicada master answers at once; a Locust master before 2.23 never does (it logs
 * "Unknown message type ... locustfile"), and waiting --master-timeout for it helps nobody.
 */
const REPLY_WAIT_MS = 5000;

/** The master's reply, or why there is none. */
type Reply = Buffer[] | "no-connection" | "no-reply";

/** Fetches the master's locustfile bundles; throws EnvironmentError with the master's reason. */
export async function fetchLocustfile(options: FetchOptions): Promise<FetchedLocustfile> {
  const id = makeDownloadId(options.hostname);
  const endpoint = tcpEndpoint(options.masterHost, options.masterPort);
  const security = options.secret === undefined ? {} : curveClientOptions(options.secret);
  const dealer = new Dealer({ ...security, routingId: id, linger: 0 });
  try {
    // Watching for the handshake starts before the connection, so it cannot be missed.
    const answer = receiveReply(dealer, options.timeoutMs, options.replyWaitMs ?? REPLY_WAIT_MS);
    dealer.connect(endpoint);
    await dealer.send(encodeMessage("locustfile", { version: options.wireVersion }, id));
    const frames = await answer;
    if (frames === "no-connection") {
      throw new EnvironmentError(
        "CICADA_ERR_MASTER_UNREACHABLE",
        `no answer from a master at ${endpoint} within ${options.timeoutMs / 1000} s`,
        {
          // A wrong or missing secret looks the same: the CURVE handshake fails without a word.
          hint:
            "Start the master first (cicada -f locustfile.ts --master), and check --master-host, --master-port " +
            "and that --cluster-secret is the same on both",
        },
      );
    }
    if (frames === "no-reply") {
      throw new EnvironmentError(
        "CICADA_ERR_LOCUSTFILE_FROM_MASTER",
        `the master at ${endpoint} did not send a locustfile: it accepted the connection but did not answer ` +
          "the request (a Locust master before 2.23 never does)",
        {
          hint:
            "Give the worker its own locustfile: cicada -f locustfile.ts --worker ... (under a Locust master, " +
            "its stub comes from cicada -f locustfile.ts --locust-stub)",
        },
      );
    }
    const decoded = frames.length === 1 ? decodeMasterMessage(frames[0]!) : undefined;
    if (!decoded?.ok || decoded.message.type !== "locustfile") {
      throw new EnvironmentError(
        "CICADA_ERR_LOCUSTFILE_FROM_MASTER",
        `unexpected answer from the master at ${endpoint}`,
        {
          hint: "Is a Cicada master listening on that port?",
        },
      );
    }
    const reply = decoded.message.data;
    if (reply.error !== undefined) {
      throw new EnvironmentError(
        /version mismatch/.test(reply.error)
          ? "CICADA_ERR_VERSION_MISMATCH"
          : "CICADA_ERR_LOCUSTFILE_FROM_MASTER",
        `the master could not send its locustfile: ${reply.error}`,
        { hint: "Give the worker its own copy with -f path/to/locustfile.ts, or fix the master" },
      );
    }
    if (reply.cicada_version === undefined) {
      throw new EnvironmentError(
        "CICADA_ERR_LOCUSTFILE_FROM_MASTER",
        "the master is not a Cicada master (it sent a Python locustfile)",
        { hint: "With a Locust master, give the Cicada worker its TypeScript locustfile with -f" },
      );
    }
    const bundles = (reply.locustfiles ?? []).flatMap((f) =>
      typeof f === "string"
        ? []
        : [{ filename: f.filename, code: f.contents, ...(f.cicada_dir ? { dir: f.cicada_dir } : {}) }],
    );
    if (bundles.length === 0) {
      throw new EnvironmentError("CICADA_ERR_LOCUSTFILE_FROM_MASTER", "the master sent no locustfile", {
        hint: "Give the worker its own copy with -f path/to/locustfile.ts",
      });
    }
    return {
      bundles,
      tags: reply.cicada_settings?.tags ?? undefined,
      excludeTags: reply.cicada_settings?.exclude_tags ?? undefined,
    };
  } finally {
    dealer.close();
  }
}

/**
 * The master's reply; "no-reply" when the connection was made (the ZMTP handshake, and
 * CURVE's with a secret, completed: something that speaks ZeroMQ listens) but nothing came
 * within `replyWaitMs`; "no-connection" when nothing answered within `timeoutMs`.
 */
function receiveReply(dealer: Dealer, timeoutMs: number, replyWaitMs: number): Promise<Reply> {
  let connected = false;
  let replyTimer: TimerHandle | undefined;
  let overallTimer: TimerHandle | undefined;
  return new Promise<Reply>((resolve, reject) => {
    dealer.events.on("handshake", () => {
      if (connected) return;
      connected = true;
      replyTimer = startTimer(() => resolve("no-reply"), replyWaitMs);
    });
    overallTimer = startTimer(() => resolve(connected ? "no-reply" : "no-connection"), timeoutMs);
    // Closing the socket rejects a receive still pending: by then the promise has settled.
    dealer.receive().then(resolve, reject);
  }).finally(() => {
    stopTimer(replyTimer);
    stopTimer(overallTimer);
  });
}
