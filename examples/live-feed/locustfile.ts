/**
 * The coupon service's live "coupons left" feed, over WebSocket and over Server-Sent
 * Events, while shoppers claim coupons:
 *
 *   node --import tsx examples/coupon-service/server.ts --port 8080 &
 *   npx cicada -f examples/live-feed/locustfile.ts --headless -u 12 -r 4 -t 20s -H http://127.0.0.1:8080
 *
 * Rows: `WS /live` (connect time), `WS first count` (the feed's first message),
 * `WS update` (time to the next change), `WS pong` (a request/reply over the socket),
 * `SSE /live/events` (time to the first event) and `SSE update`.
 */
import { between, constant, type HttpSession, HttpUser, task, WebSocketUser } from "cicada-load";

let users = 0;

async function signIn(client: HttpSession): Promise<void> {
  await client.get("/signin");
  const csrfmiddlewaretoken = client.cookies.get("csrftoken") ?? "";
  await client.post("/signin", {
    form: { username: `live-${++users}`, password: "cicada", csrfmiddlewaretoken },
  });
}

const isCount = (message: string | Buffer) => String(message).includes('"coupons-left"');

/** Watches the feed over a WebSocket: the session cookie of the sign-in goes with the upgrade. */
export class FeedWatcher extends WebSocketUser {
  waitTime = between(1, 2);
  weight = 2;

  async onStart() {
    await signIn(this.client);
  }

  @task async watch() {
    const ws = await this.connect("/live");
    if (ws.error !== undefined) return; // recorded as a failure of the WS /live row
    await ws.waitFor(isCount, { name: "first count", timeout: 5 });
    await ws.waitFor(isCount, { name: "update", timeout: 10 }); // the next claim anywhere
    ws.send(JSON.stringify({ type: "ping", id: 1 }));
    await ws.waitFor((m) => String(m).includes('"pong"'), { name: "pong", timeout: 5 });
    await ws.close();
  }
}

/** The same feed as Server-Sent Events. */
export class FeedReader extends HttpUser {
  waitTime = between(1, 2);

  async onStart() {
    await signIn(this.client);
  }

  @task async read() {
    const stream = await this.client.sse("/live/events");
    await stream.waitFor((event) => event.event === "coupons-left", { name: "update", timeout: 10 });
    stream.close();
  }
}

/** Claims coupons, so the feed has something to say. */
export class Claimer extends HttpUser {
  waitTime = constant(0.5);
  csrf = true;
  weight = 1;
  private coupon = 1;
  /** Claims in a row that issued nothing: after one round of the 5 coupons, sign in anew. */
  private refusedInARow = 0;

  async onStart() {
    await signIn(this.client);
  }

  @task async claim() {
    const res = await this.client.post(`/coupons/${this.coupon}/issue`, {
      name: "/coupons/[id]/issue",
      catchResponse: true,
    });
    if (res.status === 409 || res.status === 410) {
      res.success(); // already holds this one, or sold out: try the next coupon
      this.coupon = (this.coupon % 5) + 1;
      // An account gets each coupon once: one that holds all 5 has nothing left to claim,
      // and the feed would go quiet (the watchers' waits would time out). Come back as a
      // new shopper instead.
      if (++this.refusedInARow >= 5) {
        this.refusedInARow = 0;
        await signIn(this.client);
      }
    } else {
      this.refusedInARow = 0;
    }
  }
}
