/**
 * GrpcUser against the gRPC coupon service:
 *
 *   node --import tsx examples/grpc/server.ts &
 *   npx cicada -f examples/grpc/locustfile.ts --headless -u 10 -r 5 -t 20s
 *
 * The .proto is imported: its text (and types.proto, which it imports) is bundled with
 * the locustfile, so `cicada --worker -f -` workers get it from the master.
 */
import { between, GrpcUser, task } from "cicada-load";
import coupons from "./coupons.proto";

let next = 0;

export class CouponClaimer extends GrpcUser {
  host = "grpc://127.0.0.1:50051";
  proto = coupons;
  waitTime = between(0.5, 1);
  private readonly user = `grpc-user-${++next}`;

  async onStart() {
    // A unary call: one row "coupons.Coupons/Claim"; any status but OK is a failure
    // (RESOURCE_EXHAUSTED once more users than the stock have claimed).
    const result = await this.client.unary("coupons.Coupons/Claim", { id: 1, user: this.user });
    if (result.ok) this.environment.logger.debug(`${this.user} got ${String(result.message?.code)}`);
  }

  @task async watch() {
    // Three updates, 50 ms apart: one row with the time to the end of the stream.
    await this.client.serverStream(
      "coupons.Coupons/Watch",
      { updates: 3, interval_ms: 50 },
      { name: "Watch x3" },
    );
  }
}
