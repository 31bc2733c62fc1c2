/**
 * Benchmark scenario 1 (throughput): every user requests GET /hello as fast as it can,
 * with no wait between requests. The host comes from -H.
 *
 *   node bin/cicada.js -f bench/locustfiles/hello.ts --headless -u 50 -r 50 -t 10s --only-summary -H http://127.0.0.1:8080
 */
import { FastHttpUser, task } from "cicada-load";

export class HelloUser extends FastHttpUser {
  @task async hello() {
    await this.client.get("/hello");
  }
}
