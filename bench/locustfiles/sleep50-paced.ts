/**
 * The open-rate scenario's closed model held to a rate: every user requests GET /sleep50
 * (answered after 50 ms) once every 100 ms (constantThroughput(10)), so 500 users make
 * 5,000 requests a second, spread in time by their start times as real users' are.
 */
import { constantThroughput, FastHttpUser, task } from "cicada-load";

export class PacedSleepUser extends FastHttpUser {
  override waitTime = constantThroughput(10);
  @task async sleep50() {
    await this.client.get("/sleep50");
  }
}
