/**
 * Benchmark scenario 3 (accuracy): every user requests GET /latency, which the target
 * answers after a delay drawn from a known distribution and records itself.
 */
import { FastHttpUser, task } from "cicada-load";

export class LatencyUser extends FastHttpUser {
  @task async latency() {
    await this.client.get("/latency");
  }
}
