/**
 * Benchmark scenario 6 (http2): every user requests GET /hello over cleartext HTTP/2
 * (prior knowledge, one session per user) with no wait between requests.
 */
import { FastHttpUser, task } from "cicada-load";

export class HelloHttp2User extends FastHttpUser {
  override http2 = true;
  @task async hello() {
    await this.client.get("/hello");
  }
}
