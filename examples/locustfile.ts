/**
 * Cicada's example locustfile: shoppers racing for a limited coupon drop.
 *
 *   npm run demo                       # starts the coupon service and runs this file for 20 s
 *   npx cicada -f examples/locustfile.ts --headless -u 40 -r 10 -t 20s -H http://127.0.0.1:8080
 *
 * Each virtual user signs in, browses the catalog, looks at items and tries to claim
 * coupons. "Already yours" (409) and "sold out" (410) are the service working as
 * designed, so a healthy run has no failures and exits 0.
 */
import { randomInt, randomUUID } from "node:crypto";
import { between, HttpUser, tag, task } from "cicada-load";

/** One page of `GET /coupons?page=N`. */
interface CatalogPage {
  pages: number;
  items: { id: number; kind: "coupon" | "deal" }[];
}

export class Shopper extends HttpUser {
  // The default target; `-H`/`--host` on the command line overrides it.
  host = "http://127.0.0.1:8080";
  // Think time between two tasks, in seconds: people read before they click.
  waitTime = between(0.5, 2);
  // Django-style CSRF: copy the `csrftoken` cookie into `X-CSRFToken` on POST/PUT/PATCH/DELETE.
  csrf = true;

  // Plain fields are per-user state: every virtual user is its own instance with its own cookie jar.
  private pages = 1;
  private readonly seenItems = new Set<number>();
  private readonly seenCoupons = new Set<number>();

  // Runs once when the user starts, before any task.
  async onStart() {
    await this.client.get("/signin"); // sets the csrftoken cookie
    // Unique usernames, so each user may claim each coupon once. The service answers
    // 302 -> /coupons and the client follows it, now carrying the session cookie.
    await this.client.post("/signin", { form: { username: `shopper-${randomUUID()}`, password: "cicada" } });
    await this.openPage(1); // the first page lists the coupons
  }

  // Runs once when the user stops (end of the run, or fewer users wanted).
  async onStop() {
    await this.client.post("/signout");
  }

  // @task(weight): browse is picked 3 times as often as a weight-1 task.
  @task(3) async browse() {
    await this.openPage(randomInt(1, this.pages + 1));
  }

  @task(2) async view() {
    const id = pick(this.seenItems);
    // `name` groups every /coupons/<id> into one row of the statistics.
    if (id !== undefined) await this.client.get(`/coupons/${id}`, { name: "/coupons/[id]" });
  }

  // @tag lets a run select or skip tasks: `--exclude-tags claim` gives a read-only test.
  @tag("claim")
  @task(2)
  async claim() {
    const id = pick(this.seenCoupons);
    if (id === undefined) return;
    // catchResponse: this task, not the status code alone, decides what counts as a failure.
    const res = await this.client.post(`/coupons/${id}/issue`, {
      name: "/coupons/[id]/issue",
      catchResponse: true,
    });
    if (res.status === 409 || res.status === 410) res.success(); // already ours, or sold out: expected
    // Anything else keeps the usual rule: a status below 400 succeeds, the rest fail.
  }

  private async openPage(page: number) {
    const res = await this.client.get(`/coupons?page=${page}`, { name: "/coupons?page=[n]" });
    if (!res.ok) return;
    const body = res.json<CatalogPage>();
    this.pages = body.pages;
    for (const item of body.items) {
      this.seenItems.add(item.id);
      if (item.kind === "coupon") this.seenCoupons.add(item.id);
    }
  }
}

/** A random element of `items`, or undefined when it is empty. */
function pick<T>(items: Set<T>): T | undefined {
  return [...items][randomInt(0, Math.max(items.size, 1))];
}
