/**
 * The gRPC client of one virtual user, on @grpc/grpc-js (loaded on first use): unary
 * and server-streaming calls by method name (`coupons.Coupons/Claim`), each recorded as
 * a request row of type `GRPC` with the time to the call's status and the bytes of the
 * responses. A status other than OK is a recorded failure (`GrpcError: 5 NOT_FOUND: ...`),
 * never thrown; a method the .proto does not define is the locustfile's mistake and
 * throws. Each user has its own channel (a local subchannel pool), as each HttpUser has
 * its own connection.
 */
import { createRequire } from "node:module";
import type { Client, Metadata, ServiceError, StatusObject } from "@grpc/grpc-js";
import type { MethodDefinition, PackageDefinition } from "@grpc/proto-loader";
import { StopUser } from "../shared/control-flow.js";
import type { RequestEvent } from "../shared/request-event.js";
import { stableStatusDetails } from "./failure-text.js";
import { loadProtoDefinition, type ProtoSource } from "./proto.js";

type GrpcModule = typeof import("@grpc/grpc-js");
let grpcModule: GrpcModule | undefined;
function grpc(): GrpcModule {
  grpcModule ??= createRequire(import.meta.url)("@grpc/grpc-js") as GrpcModule;
  return grpcModule;
}

export interface GrpcClientOptions {
  /** grpc://host:port or http://host:port (plaintext), grpcs:// or https:// (TLS). */
  host: string;
  proto: ProtoSource;
  onRequest: (event: RequestEvent) => void;
  /** Default deadline of a call, seconds (default 60). */
  timeoutSeconds?: number;
  /** Metadata sent with every call. */
  metadata?: Record<string, string>;
  context?: () => Record<string, unknown>;
}

/** Options of one call. */
export interface GrpcCallOptions {
  /** The statistics row (default: the method name). */
  name?: string;
  /** Metadata (headers) of this call, over the user's. */
  metadata?: Record<string, string>;
  /** Deadline of the whole call, seconds. */
  timeout?: number;
}

/** Options of a server-streaming call. */
export interface GrpcStreamOptions extends GrpcCallOptions {
  /** Stop after this many messages (the call is cancelled and counts as a success). */
  take?: number;
}

/** The outcome of a call. `ok` is false after a non-OK status, which was recorded as a failure. */
export interface GrpcResult<T> {
  ok: boolean;
  /** The gRPC status code (0 = OK). */
  code: number;
  /** Its name: "OK", "NOT_FOUND", "DEADLINE_EXCEEDED", ... */
  status: string;
  /** The status message of a failed call. */
  details: string;
  /** The response (unary), or undefined after a failure. */
  message: T | undefined;
  /** The messages received (server streaming; for unary, the one response). */
  messages: T[];
}

/** The gRPC channel and calls of one user. */
export class GrpcClient {
  private channel: Client | undefined;
  private readonly inFlight = new Set<{ cancel(): void }>();
  private interrupted = false;

  constructor(private readonly options: GrpcClientOptions) {}

  /** Calls a unary method. */
  unary<T = Record<string, unknown>>(
    method: string,
    request: object,
    options: GrpcCallOptions = {},
  ): Promise<GrpcResult<T>> {
    return this.call<T>(method, request, options, false);
  }

  /** Calls a server-streaming method and collects its messages until the status (or `take`). */
  serverStream<T = Record<string, unknown>>(
    method: string,
    request: object,
    options: GrpcStreamOptions = {},
  ): Promise<GrpcResult<T>> {
    return this.call<T>(method, request, options, true);
  }

  /** The user is being stopped: in-flight calls are cancelled and reject with StopUser, unrecorded. */
  interrupt(): void {
    this.interrupted = true;
    for (const call of this.inFlight) call.cancel();
  }

  resume(): void {
    this.interrupted = false;
  }

  close(): void {
    this.interrupt();
    this.channel?.close();
    this.channel = undefined;
  }

  private call<T>(
    method: string,
    request: object,
    options: GrpcStreamOptions,
    streaming: boolean,
  ): Promise<GrpcResult<T>> {
    if (this.interrupted) return Promise.reject(new StopUser("call refused: the user is being stopped"));
    let definition: MethodDefinition<object, unknown>;
    try {
      definition = this.method(method, streaming);
    } catch (error) {
      return Promise.reject(error);
    }
    this.channel ??= this.openChannel();
    const channel = this.channel;
    const lib = grpc();
    const metadata = new lib.Metadata();
    for (const [key, value] of Object.entries({ ...this.options.metadata, ...options.metadata }))
      metadata.set(key, value);
    const timeoutSeconds = options.timeout ?? this.options.timeoutSeconds ?? 60;
    const callOptions = { deadline: Date.now() + timeoutSeconds * 1000 };
    let bytes = 0;
    const deserialize = (buffer: Buffer) => {
      bytes += buffer.length;
      return definition.responseDeserialize(buffer) as T;
    };
    const startTimeMs = Date.now();
    const started = performance.now();
    return new Promise<GrpcResult<T>>((resolve, reject) => {
      const messages: T[] = [];
      let cancelledByTake = false;
      let handle: { cancel(): void };
      const finish = (status: Pick<StatusObject, "code" | "details">) => {
        this.inFlight.delete(handle);
        if (this.interrupted) {
          reject(new StopUser("call aborted: the user was stopped"));
          return;
        }
        const code = cancelledByTake ? lib.status.OK : status.code;
        const result = this.result(code, status.details, messages);
        this.fire({
          requestType: "GRPC",
          name: options.name ?? method,
          responseTimeMs: performance.now() - started,
          responseLength: bytes,
          exception: result.ok ? null : grpcError(result, timeoutSeconds),
          startTimeMs,
          url: `${this.options.host}/${method}`,
        });
        resolve(result);
      };
      if (!streaming) {
        handle = channel.makeUnaryRequest(
          definition.path,
          definition.requestSerialize,
          deserialize,
          request,
          metadata,
          callOptions,
          (error: ServiceError | null, response?: T) => {
            if (response !== undefined) messages.push(response);
            finish(error ?? { code: lib.status.OK, details: "" });
          },
        );
      } else {
        const stream = channel.makeServerStreamRequest(
          definition.path,
          definition.requestSerialize,
          deserialize,
          request,
          metadata,
          callOptions,
        );
        handle = stream;
        stream.on("data", (message: T) => {
          messages.push(message);
          if (options.take !== undefined && messages.length >= options.take && !cancelledByTake) {
            cancelledByTake = true;
            stream.cancel();
          }
        });
        stream.on("error", () => {}); // the status event reports it
        stream.on("status", (status: StatusObject) => finish(status));
      }
      this.inFlight.add(handle);
    });
  }

  private method(name: string, streaming: boolean): MethodDefinition<object, unknown> {
    const definition = loadProtoDefinition(this.options.proto);
    const slash = name.lastIndexOf("/");
    const service = definition[name.slice(0, slash).replace(/^\//, "")] as
      | Record<string, MethodDefinition<object, unknown>>
      | undefined;
    const method =
      slash > 0 && service !== undefined && "format" in service === false
        ? service[name.slice(slash + 1)]
        : undefined;
    if (method === undefined || typeof method !== "object" || !("path" in method)) {
      throw new Error(
        `unknown gRPC method '${name}': ${this.options.proto.entry} defines ${methodNames(definition).join(", ") || "no service"}`,
      );
    }
    if (method.requestStream || method.responseStream !== streaming) {
      const kind = method.requestStream
        ? "client or bidirectional streaming (not supported)"
        : method.responseStream
          ? "server streaming: use serverStream()"
          : "unary: use unary()";
      throw new Error(`gRPC method '${name}' is ${kind}`);
    }
    return method;
  }

  private result<T>(code: number, details: string, messages: T[]): GrpcResult<T> {
    const status = grpc().status[code] ?? String(code);
    const ok = code === 0;
    return { ok, code, status, details: ok ? "" : details, message: ok ? messages[0] : undefined, messages };
  }

  private openChannel(): Client {
    const lib = grpc();
    const url = new URL(this.options.host);
    const tls = url.protocol === "grpcs:" || url.protocol === "https:";
    const port = url.port || (tls ? "443" : "80");
    const credentials = tls ? lib.credentials.createSsl() : lib.credentials.createInsecure();
    return new lib.Client(`${url.hostname}:${port}`, credentials, { "grpc.use_local_subchannel_pool": 1 });
  }

  private fire(event: RequestEvent): void {
    if (this.options.context !== undefined) event.context = this.options.context();
    this.options.onRequest(event);
  }
}

/** `GrpcError: 5 NOT_FOUND: no such coupon`, with details that group (see stableStatusDetails). */
function grpcError(result: GrpcResult<unknown>, timeoutSeconds: number): Error {
  const details = stableStatusDetails(result.code, result.details, timeoutSeconds);
  const error = new Error(`${result.code} ${result.status}${details ? `: ${details}` : ""}`);
  error.name = "GrpcError";
  return error;
}

/** Every method of every service, as `package.Service/Method`. */
function methodNames(definition: PackageDefinition): string[] {
  const names: string[] = [];
  for (const [serviceName, service] of Object.entries(definition)) {
    if ("format" in service) continue; // a message or enum type
    for (const methodName of Object.keys(service)) names.push(`${serviceName}/${methodName}`);
  }
  return names;
}

export type { Metadata };
