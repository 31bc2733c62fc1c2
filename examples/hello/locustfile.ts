/**
 * The smallest useful locustfile: every user requests GET /hello as fast as it can.
 * A throughput test, e.g. against the bundled coupon service:
 *
 *   npx cicada -f examples/hello/locustfile.ts --headless -u 50 -r 50 -t 10s -H http://127.0.0.1:8080
 */
import { constant, FastHttpUser, task } from "cicada-load";

export class HelloUser extends FastHttpUser {
  host = "http://127.0.0.1:8080";
  waitTime = constant(0); // no think time: measure the server, not the users

  @task async hello() {
    await this.client.get("/hello");
  }
}
