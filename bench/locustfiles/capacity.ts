/**
 * The capacity scenario: every user requests GET / of the known-capacity target
 * (bench/targets/capacity-server.mjs) with no wait in between.
 */
import { constant, HttpUser, task } from "cicada-load";

export class Visitor extends HttpUser {
  override waitTime = constant(0);
  @task async home() {
    await this.client.get("/");
  }
}
