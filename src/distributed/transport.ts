/**
 * The ZeroMQ sockets of Locust's protocol: the master binds a ROUTER, each worker
 * connects a DEALER whose routing id is its node id. Master → worker frames are
 * `[routing id, payload]` (no empty delimiter); worker → master is one payload frame.
 *
 * zeromq's `send()` rejects with EBUSY while a previous send is pending, so each socket
 * sends through one promise chain. Sends never block: a message that cannot be queued
 * (peer gone, queue full) is dropped and reported to `onSendError`.
 */
import { Dealer, Router } from "zeromq";
import { EnvironmentError } from "../shared/errors.js";
import { curveClientOptions, curveServerOptions } from "./cluster-secret.js";
import { encodeMessage } from "./protocol.js";

/** TCP keepalive as Locust sets it (zmqrpc.py): on, 30 s idle. */
const KEEPALIVE = { tcpKeepalive: 1, tcpKeepaliveIdle: 30 } as const;

/** `tcp://host:port`, with brackets for IPv6 literals; port 0 asks for a free port. */
export function tcpEndpoint(host: string, port: number): string {
  const h = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `tcp://${h}:${port === 0 ? "*" : port}`;
}

class SerialSender {
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly onError: (error: unknown) => void) {}

  enqueue(send: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(send).catch(this.onError);
    return this.chain;
  }
}

function isClosedError(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === "EBADF" || code === "ETERM" || code === "ENOTSOCK" || code === "EAGAIN";
}

/** The master's ROUTER socket. */
export class MasterSocket {
  private readonly sender: SerialSender;
  private closed = false;

  private constructor(
    private readonly router: Router,
    /** The bound endpoint, e.g. tcp://0.0.0.0:5557. */
    readonly endpoint: string,
    onSendError: (error: unknown) => void,
  ) {
    this.sender = new SerialSender(onSendError);
  }

  /**
   * Binds on host:port (`*` = every interface, port 0 = any free port); with `secret`,
   * only peers that know it complete the handshake (CURVE, cluster-secret.ts).
   */
  static async bind(
    host: string,
    port: number,
    onSendError: (error: unknown) => void,
    secret?: string,
  ): Promise<MasterSocket> {
    const router = new Router({
      ...KEEPALIVE,
      ...(secret === undefined ? {} : curveServerOptions(secret)),
      handover: true,
      linger: 1000,
      sendTimeout: 0,
      ipv6: host.includes(":"),
    });
    const endpoint = tcpEndpoint(host, port);
    try {
      await router.bind(endpoint);
    } catch (error) {
      router.close();
      const reason = (error as Error).message;
      throw new EnvironmentError(
        "CICADA_ERR_MASTER_BIND",
        `cannot listen for workers on ${endpoint}: ${reason}`,
        {
          hint: /in use/i.test(reason)
            ? "Another master (Cicada or Locust) may still be running; pick another port with --master-bind-port"
            : "Check --master-bind-host (an address of this machine, or *) and --master-bind-port",
          cause: error,
        },
      );
    }
    return new MasterSocket(router, router.lastEndpoint ?? endpoint, onSendError);
  }

  /** The TCP port actually bound. */
  get port(): number {
    return Number(/:(\d+)$/.exec(this.endpoint)?.[1] ?? 0);
  }

  /** Sends one message to a worker; resolves when queued (or dropped). */
  send(nodeId: string, type: string, data: unknown): Promise<void> {
    const payload = encodeMessage(type, data, nodeId);
    return this.sender.enqueue(async () => {
      if (!this.closed) await this.router.send([nodeId, payload]);
    });
  }

  /** Calls `handler` with each message's routing id and frames until the socket closes. */
  async receive(handler: (routingId: string, frames: Buffer[]) => void): Promise<void> {
    try {
      for await (const [id, ...frames] of this.router) {
        handler(id?.toString("utf8") ?? "", frames);
      }
    } catch (error) {
      if (!this.closed || !isClosedError(error)) throw error;
    }
  }

  /** Closes after `lingerMs` for queued messages. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.sender.enqueue(async () => {});
    this.closed = true;
    this.router.close();
  }
}

/** A worker's DEALER socket, recreated on `reset()` with the same routing id. */
export class WorkerSocket {
  private dealer: Dealer;
  private readonly sender: SerialSender;
  private closed = false;
  private generation = 0;

  constructor(
    private readonly host: string,
    private readonly port: number,
    readonly nodeId: string,
    private readonly onFrame: (frames: Buffer[]) => void,
    onSendError: (error: unknown) => void,
    /** The master's --cluster-secret (CURVE, cluster-secret.ts). */
    private readonly secret?: string,
  ) {
    this.sender = new SerialSender(onSendError);
    this.dealer = this.open();
  }

  /** The master endpoint this socket connects to. */
  get endpoint(): string {
    return tcpEndpoint(this.host, this.port);
  }

  private open(): Dealer {
    const dealer = new Dealer({
      ...KEEPALIVE,
      ...(this.secret === undefined ? {} : curveClientOptions(this.secret)),
      routingId: this.nodeId,
      linger: 2000,
      sendTimeout: 0,
      reconnectInterval: 500,
      ipv6: this.host.includes(":"),
    });
    dealer.connect(this.endpoint);
    const generation = ++this.generation;
    void this.readLoop(dealer, generation);
    return dealer;
  }

  private async readLoop(dealer: Dealer, generation: number): Promise<void> {
    try {
      for await (const frames of dealer) {
        if (generation !== this.generation) return;
        this.onFrame(frames);
      }
    } catch {
      // The socket was closed (reset or shutdown).
    }
  }

  /** Sends one message to the master; resolves when queued (or dropped). */
  send(type: string, data: unknown): Promise<void> {
    const payload = encodeMessage(type, data, this.nodeId);
    return this.sender.enqueue(async () => {
      if (!this.closed) await this.dealer.send(payload);
    });
  }

  /** Drops the connection and connects again (Locust's `reconnect`). */
  reset(): void {
    if (this.closed) return;
    const old = this.dealer;
    this.dealer = this.open();
    old.linger = 0;
    old.close();
  }

  /** Closes once queued messages are handed to ZeroMQ (which keeps them up to the linger time). */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.sender.enqueue(async () => {});
    this.closed = true;
    this.generation++;
    this.dealer.close();
  }
}
