/**
 * The coupon service over gRPC (grpc-js), for GrpcUser examples and tests:
 *
 *   node --import tsx examples/grpc/server.ts [--port 50051] [--stock 50]
 *
 * Prints one line, `grpc coupon service listening on grpc://127.0.0.1:PORT`.
 * `startGrpcCouponService` runs it in-process (tests).
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import * as grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";

export interface GrpcCouponService {
  /** `grpc://127.0.0.1:PORT` */
  readonly url: string;
  /** Calls received, by method name. */
  readonly calls: Map<string, number>;
  close(): Promise<void>;
}

interface Claim {
  id: number;
  user: string;
}

/** Starts the service on 127.0.0.1 (port 0: any free one). */
export async function startGrpcCouponService(
  options: { port?: number; stock?: number } = {},
): Promise<GrpcCouponService> {
  const definition = loadSync(join(import.meta.dirname, "coupons.proto"), { keepCase: true, defaults: true });
  const service = (grpc.loadPackageDefinition(definition).coupons as grpc.GrpcObject)
    .Coupons as grpc.ServiceClientConstructor;
  const stock = options.stock ?? 50;
  const holders = new Set<string>();
  const calls = new Map<string, number>();
  const count = (method: string) => calls.set(method, (calls.get(method) ?? 0) + 1);
  const left = () => ({ left: stock - holders.size, at_ms: Date.now() });
  const server = new grpc.Server();
  server.addService(service.service, {
    Claim(call: grpc.ServerUnaryCall<Claim, unknown>, callback: grpc.sendUnaryData<unknown>) {
      count("Claim");
      const { id, user } = call.request;
      if (id !== 1) return callback({ code: grpc.status.NOT_FOUND, details: `no coupon ${id}` });
      if (holders.has(user))
        return callback({ code: grpc.status.ALREADY_EXISTS, details: `${user} already holds one` });
      if (holders.size >= stock)
        return callback({ code: grpc.status.RESOURCE_EXHAUSTED, details: "sold out" });
      holders.add(user);
      callback(null, { code: `C1-${holders.size}` });
    },
    Watch(
      call: grpc.ServerWritableStream<{ updates: number; interval_ms: number; fail_after: number }, unknown>,
    ) {
      count("Watch");
      const { updates, interval_ms: intervalMs, fail_after: failAfter } = call.request;
      let sent = 0;
      const tick = () => {
        if (call.cancelled) return;
        if (failAfter > 0 && sent >= failAfter) {
          call.emit("error", { code: grpc.status.UNAVAILABLE, details: "server went away mid-stream" });
          return;
        }
        call.write(left());
        sent++;
        if ((updates > 0 && sent >= updates) || sent >= 10_000) call.end();
        else setTimeout(tick, intervalMs);
      };
      tick();
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      `127.0.0.1:${options.port ?? 50051}`,
      grpc.ServerCredentials.createInsecure(),
      (error, bound) => (error ? reject(error) : resolve(bound)),
    ),
  );
  return {
    url: `grpc://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.forceShutdown();
        resolve();
      }),
  };
}

if (process.argv[1] === import.meta.filename) {
  const { values } = parseArgs({
    options: { port: { type: "string", default: "50051" }, stock: { type: "string", default: "50" } },
  });
  const port = Number(values.port);
  const stock = Number(values.stock);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || !Number.isInteger(stock) || stock < 0) {
    console.error(
      `grpc coupon service: --port must be 0 to 65535 and --stock a whole number ≥ 0, got --port ${values.port} --stock ${values.stock}`,
    );
    process.exit(2);
  }
  const service = await startGrpcCouponService({ port, stock }).catch((error: Error) => {
    // grpc-js says "No address added out of total 1 resolved" with the cause in its details.
    const inUse = /EADDRINUSE|address already in use/i.test(
      `${error.message} ${String((error as { cause?: unknown }).cause ?? "")}`,
    );
    console.error(
      `grpc coupon service: cannot start: ${inUse ? `port ${port} is already in use (try --port 0)` : error.message}`,
    );
    process.exit(inUse ? 4 : 1);
  });
  console.log(`grpc coupon service listening on ${service.url}`);
  const stop = () => void service.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
