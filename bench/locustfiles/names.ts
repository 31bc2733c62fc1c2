/**
 * Benchmark scenario csv-names: 2,000 request names (GET /hello under /hello/0 ... /hello/1999),
 * each user pacing itself at 100 requests/s, so the generator is not saturated and what
 * p99.9 shows is the time Cicada itself stalled (writing --csv, say), not queueing.
 */
import { constant, FastHttpUser, task } from "cicada-load";

const NAMES = Number(process.env.BENCH_NAMES ?? 2000);
let next = 0;

export class NamesUser extends FastHttpUser {
  override waitTime = constant(0.01);

  @task async hello() {
    next = (next + 1) % NAMES;
    await this.client.get("/hello", { name: `/hello/${next}` });
  }
}
