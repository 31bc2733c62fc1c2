/**
 * A Locust 0.x TaskSequence, ported: the user logs in once when it starts, then repeats
 * the same four steps in a fixed order (log in, main page, list, form post).
 * A SequentialTaskSet runs its tasks in declaration order and starts again after the last.
 *
 *   npx cicada -f examples/task-sequence/locustfile.ts --headless -u 10 -r 5 -t 30s -H http://127.0.0.1:8080
 */
import { randomUUID } from "node:crypto";
import { between, HttpUser, SequentialTaskSet, task } from "cicada-load";

const password = "cicada";

// SequentialTaskSet<Visitor>: `this.user` is a Visitor, with its own members typed.
class Visit extends SequentialTaskSet<Visitor> {
  // Each visit signs in again, as the original script did (the service answers 302 → /coupons).
  @task async loginPost() {
    await this.client.post("/signin", { form: { username: this.user.username, password } });
  }

  @task async mainPage() {
    await this.client.get("/");
  }

  @task async list() {
    await this.client.get("/coupons?page=1", { name: "/coupons?page=[n]" });
  }

  @task async formPost() {
    const res = await this.client.post("/coupons/1/issue", { catchResponse: true });
    if (res.status === 409 || res.status === 410) res.success(); // already claimed, or sold out: expected
  }
}

export class Visitor extends HttpUser {
  waitTime = between(0.5, 1.5);
  csrf = true; // the service checks Django-style CSRF tokens
  tasks = [Visit];
  readonly username = `visitor-${randomUUID()}`;

  async onStart() {
    await this.client.get("/signin"); // the sign-in page sets the csrftoken cookie
    await this.client.post("/signin", { form: { username: this.username, password } });
  }
}
