/**
 * Benchmark scenario 2 (many users): every user requests GET /sleep50 (answered after
 * 50 ms) with no wait in between, so 10,000 users keep 10,000 requests in flight.
 */
import { FastHttpUser, task } from "cicada-load";

export class SleepUser extends FastHttpUser {
  @task async sleep50() {
    await this.client.get("/sleep50");
  }
}
