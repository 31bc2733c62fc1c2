/**
 * A first-come coupon drop, with the scripting Locust leaves to you: every virtual user
 * signs in as a distinct account from users.csv, claims the coupon in a "claim"
 * transaction, checks that the answer is a coupon or "sold out", and counts the coupons
 * it got; a threshold fails the run if more were issued than the stock.
 *
 *   node --import tsx examples/coupon-service/server.ts --port 8080 --coupons 1 --stock 20
 *   npx cicada -f examples/coupon-claim/locustfile.ts --headless -u 50 -r 25 -t 10s
 *   npx cicada -f examples/coupon-claim/locustfile.ts --headless -u 50 -r 25 -t 10s --processes 2
 *
 * Start the service afresh before each run: the accounts of users.csv keep the coupons they
 * claimed, so a second run against the same service is answered 409 (already yours), which
 * this test's check does not accept (exit 99).
 *
 * With --processes (or --master and workers), the master hands out the accounts, so no
 * two users anywhere in the test sign in as the same one; `curl 127.0.0.1:8080/signins`
 * shows the service's own count.
 */
import { between, Counter, check, data, HttpUser, type Thresholds, task } from "cicada-load";

/** The coupon's stock, as the service was started with (`--stock`). */
const STOCK = Number(process.env.COUPON_STOCK ?? 20);

// One copy of the rows per process; each row goes to one user only (a user beyond the
// 200 accounts stops: onExhausted "stopUser", the default of unique mode).
const accounts = data.csv<{ username: string; password: string }>("users.csv", { mode: "unique" });
// Counted by every user, added up over workers.
const issued = new Counter("coupons_issued");

export class Buyer extends HttpUser {
  host = "http://127.0.0.1:8080";
  waitTime = between(0.2, 0.5);
  csrf = true;
  private claimed = false;

  async onStart() {
    const account = await accounts.next();
    await this.client.get("/signin"); // the csrftoken cookie
    await this.client.post("/signin", { form: account });
  }

  @task async claim() {
    if (this.claimed) {
      await this.client.get("/coupons/1", { name: "/coupons/[id]" }); // look at what is left
      return;
    }
    this.claimed = true;
    // One row of type TXN: the time from asking to knowing, whatever the requests inside.
    await this.transaction("claim", async () => {
      await this.client.get("/coupons/1", { name: "/coupons/[id]" });
      const res = await this.client.post("/coupons/1/issue", {
        name: "/coupons/[id]/issue",
        catchResponse: true,
      });
      if (res.status === 410) res.success(); // sold out: the service working as designed
      // Counted per name, never failing the request: the checks table and thresholds judge it.
      check(res, {
        "a coupon or sold out": (r) => r.status === 201 || r.status === 410,
        "a coupon has a code": (r) =>
          r.status !== 201 || typeof r.json<{ code?: string }>().code === "string",
      });
      if (res.status === 201) issued.add(1);
    });
  }
}

export const thresholds: Thresholds = {
  // The service must never issue more coupons than it has: the bug a launch must not have.
  coupons_issued: [`count<=${STOCK}`],
  checks: ["rate>0.99"],
  "TXN claim": ["p95<1000"],
};
