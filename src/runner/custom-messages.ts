/**
 * The listeners of custom messages (Locust's `register_message`), one per type. Runners
 * deliver what arrives for them: a LocalRunner its own messages, a worker those of its
 * master, a master those of its workers.
 */
import type { Logger } from "../shared/logger.js";
import type { MessageListener, UserEnvironment } from "../user/index.js";

/**
 * The message types of Locust's protocol itself, and Cicada's own `cicada_*` ones: a
 * custom message of one of these names would be taken for a protocol message.
 */
const PROTOCOL_TYPES: ReadonlySet<string> = new Set([
  "client_ready",
  "client_stopped",
  "heartbeat",
  "stats",
  "spawn",
  "spawning",
  "spawning_complete",
  "stop",
  "quit",
  "ack",
  "exception",
  "reconnect",
  "locustfile",
  "logs",
  "update_user_class",
]);

/** True for a type reserved by the protocol. */
export function isProtocolMessageType(type: string): boolean {
  return PROTOCOL_TYPES.has(type) || type.startsWith("cicada_");
}

export class MessageRegistry {
  private readonly listeners = new Map<string, MessageListener>();

  constructor(
    private readonly environment: UserEnvironment,
    private readonly logger: Logger,
  ) {}

  /** Adds the listener of `type`; a second one for the same type, or a protocol type, is a mistake. */
  register(type: string, listener: MessageListener): void {
    if (typeof type !== "string" || type === "") throw new TypeError("registerMessage: give a message type");
    if (typeof listener !== "function") throw new TypeError("registerMessage: give a listener function");
    if (isProtocolMessageType(type)) {
      throw new RangeError(
        `registerMessage: "${type}" is a message type of the protocol itself; choose another name`,
      );
    }
    if (this.listeners.has(type)) {
      throw new RangeError(`registerMessage: "${type}" already has a listener (one per type)`);
    }
    this.listeners.set(type, listener);
  }

  has(type: string): boolean {
    return this.listeners.has(type);
  }

  /**
   * Calls the listener of `type`, if any; false when there is none. A listener that
   * throws (or rejects) is logged: it never breaks the runner that delivered it.
   */
  deliver(type: string, data: unknown, nodeId: string): boolean {
    const listener = this.listeners.get(type);
    if (listener === undefined) return false;
    const failed = (error: unknown) =>
      this.logger.error(
        `the listener of message ${type} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    try {
      const result = listener({ type, data, nodeId }, this.environment);
      if (result instanceof Promise) result.catch(failed);
    } catch (error) {
      failed(error);
    }
    return true;
  }
}
