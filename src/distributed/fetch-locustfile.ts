/**
 * `--worker -f -`: asks the master for its locustfile before the worker starts, over a
 * throwaway DEALER (Locust's way, so the master never mistakes it for a worker). A
 * Cicada master answers with its esbuild bundles; a Locust master (which would send a
 * Python file) or a master of another Cicada version is reported clearly.
 */
import { Dealer } from "zeromq";
import { EnvironmentError } from "../shared/errors.js";
import { clampTimerDelay } from "../shared/timers.js";
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
}

/** Fetches the master's locustfile bundles; throws EnvironmentError with the master's reason. */
export async function fetchLocustfile(options: FetchOptions): Promise<FetchedLocustfile> {
  const id = makeDownloadId(options.hostname);
  const endpoint = tcpEndpoint(options.masterHost, options.masterPort);
  // ZeroMQ holds the timeout in an int: beyond 24.8 days is as good as forever.
  const receiveTimeout = clampTimerDelay(options.timeoutMs);
  const security = options.secret === undefined ? {} : curveClientOptions(options.secret);
  const dealer = new Dealer({ ...security, routingId: id, linger: 0, receiveTimeout });
  try {
    dealer.connect(endpoint);
    await dealer.send(encodeMessage("locustfile", { version: options.wireVersion }, id));
    let frames: Buffer[];
    try {
      frames = await dealer.receive();
    } catch (error) {
      throw new EnvironmentError(
        "CICADA_ERR_MASTER_UNREACHABLE",
        `no answer from a master at ${endpoint} within ${options.timeoutMs / 1000} s`,
        {
          // A wrong or missing secret looks the same: the CURVE handshake fails without a word.
          hint:
            "Start the master first (cicada -f locustfile.ts --master), and check --master-host, --master-port " +
            "and that --cluster-secret is the same on both",
          cause: error,
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
