/**
 * Benchmark scenario "coordinated omission": one GET /stall per iteration (or per task of
 * a closed-model user); the target holds every response during one second in ten.
 */
import { FastHttpUser, task } from "cicada-load";

export class StallUser extends FastHttpUser {
  @task async stall() {
    await this.client.get("/stall");
  }
}
