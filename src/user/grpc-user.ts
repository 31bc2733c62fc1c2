import { GrpcClient, isProtoSource, type ProtoSource } from "../grpc/index.js";
import { kDispose, kInterrupt, kResume } from "./internal.js";
import { User } from "./user.js";

/**
 * A user that calls a gRPC service: `this.client.unary(...)` and
 * `this.client.serverStream(...)` by method name, each call a row of type `GRPC` named
 * by the method; a status other than OK is a failure. `proto` is a .proto file imported
 * by the locustfile (it travels to workers inside the locustfile's bundle); `host` is
 * grpc://host:port (plaintext) or grpcs://host:port (TLS); http(s):// mean the same.
 *
 * @example
 * import coupons from "./coupons.proto";
 * export class Claimer extends GrpcUser {
 *   host = "grpc://127.0.0.1:50051";
 *   proto = coupons;
 *   @task async claim() { await this.client.unary("coupons.Coupons/Claim", { id: 1, user: "u1" }); }
 * }
 */
export class GrpcUser extends User {
  static override abstract = true;

  /** The service definitions: `import defs from "./service.proto"`. */
  proto?: ProtoSource;
  /** Deadline of each call, seconds (default 60). */
  timeout?: number;
  /** Metadata (headers) sent with every call. */
  metadata?: Record<string, string>;

  private grpc: GrpcClient | undefined;

  /** This user's gRPC client (its own channel), created on first use. */
  get client(): GrpcClient {
    this.grpc ??= this.createClient();
    return this.grpc;
  }

  private createClient(): GrpcClient {
    const proto = declaredProto(this);
    if (!isProtoSource(proto)) throw new TypeError(`${grpcProtoProblem(this)} (${PROTO_HOW})`);
    const host = this.environment.host ?? this.host;
    if (host === undefined)
      throw new Error(`${this.constructor.name} has no host (set host = "grpc://127.0.0.1:50051" or -H)`);
    return new GrpcClient({
      host,
      proto,
      onRequest: this.requestRecorder(),
      ...(this.timeout === undefined ? {} : { timeoutSeconds: this.timeout }),
      ...(this.metadata === undefined ? {} : { metadata: this.metadata }),
      ...(this.context === User.prototype.context ? {} : { context: () => this.context() }),
    });
  }

  override [kInterrupt](): void {
    this.grpc?.interrupt();
  }
  override [kResume](): void {
    this.grpc?.resume();
  }
  override [kDispose](): void {
    this.grpc?.close();
  }
}

/** How to give a GrpcUser its proto, for messages. */
export const PROTO_HOW = 'import defs from "./service.proto" and set proto = defs';

/** The user's `proto`, or its class's static one. */
function declaredProto(user: GrpcUser): unknown {
  return user.proto ?? (user.constructor as { proto?: unknown }).proto;
}

/**
 * Why a GrpcUser cannot call anything: its `proto` is not a .proto the locustfile
 * imported (unset, or a path string). The CLI checks it on a probe instance before the
 * run starts; the client checks it again at the first call (a library run).
 */
export function grpcProtoProblem(user: GrpcUser): string | undefined {
  const proto = declaredProto(user);
  if (isProtoSource(proto)) return undefined;
  const got =
    proto === undefined ? "it has none" : `got ${typeof proto === "string" ? `'${proto}'` : typeof proto}`;
  return `${user.constructor.name}.proto must be a .proto file imported by the locustfile, ${got}`;
}
