/**
 * Type tests of the public API, checked by `tsc` in `npm run typecheck` (tsd-style):
 * what a locustfile should be able to write compiles, and each `@ts-expect-error` line
 * must fail to compile (tsc reports an unused `@ts-expect-error` as an error), so a type
 * that became too loose fails the build. Nothing here runs.
 */
import {
  between,
  type ClientCookies,
  type CustomMessage,
  constant,
  Environment,
  events,
  HttpRequestError,
  type HttpResponse,
  HttpUser,
  LocalRunner,
  type Logger,
  MarkovTaskSet,
  type QueryParams,
  type RequestEvent,
  type ResponseTiming,
  SequentialTaskSet,
  StopUser,
  TaskSet,
  task,
  transition,
  transitions,
  User,
  type WaitTimeContext,
  type WaitTimeFunction,
} from "cicada-load";

class Visitor extends HttpUser {
  override host = "http://127.0.0.1:8080";
  override waitTime = between(1, 2);
  accountId = 42;

  override async onStart(): Promise<void> {
    const res: HttpResponse = await this.client.post("/login", { form: { user: "u", password: "p" } });
    const timing: ResponseTiming = res.timing;
    void timing.ttfbMs;
    const cookies: ClientCookies = this.client.cookies;
    void cookies.get("session");
  }

  @task(3) async browse() {
    const query: QueryParams = { page: 2, tags: ["a", "b"] };
    await this.client.get("/items", { query, name: "/items?page=[n]" });
  }

  @task async checkout() {
    const res = await this.client.get("/api", { catchResponse: true });
    res.request.name = "/api (renamed)";
    if (res.json<{ ok: boolean }>().ok) res.success();
    else res.failure("not ok");
  }

  @task forum = Forum;

  @task async measured() {
    const rows: number[] | undefined = await this.environment.events.request.measure(
      "sql",
      "q",
      async (meta) => {
        meta.responseLength = 3;
        return [1, 2, 3];
      },
    );
    void rows;
  }

  @task async misuse() {
    // @ts-expect-error: interrupt() is the session's internals, not this.client's public face
    this.client.interrupt();
    // @ts-expect-error: a misspelt request option
    await this.client.get("/", { nmae: "x" });
    // @ts-expect-error: flushPending() is internal too
    this.client.flushPending();
  }
}

class Forum extends TaskSet<Visitor> {
  @task async read() {
    // this.user is the Visitor: its own members, with their types, without a cast.
    const id: number = this.user.accountId;
    await this.client.get(`/forum/${id}`);
    this.interrupt();
  }
}

class Checkout extends SequentialTaskSet<Visitor> {
  @task async cart() {
    void this.user.accountId;
  }
}
void Checkout;

class Shop extends MarkovTaskSet<Visitor> {
  @transition("browse") async index() {}
  @transitions({ index: 1, cart: 2 }) async browse() {}
  @transitions(["index", ["browse", 2]]) async cart() {}
}
void Shop;

class Broken extends User {
  // @ts-expect-error: a task must not return a value (a forgotten await, a helper used as a task)
  @task async returnsData() {
    return 42;
  }

  // @ts-expect-error: nor a promise of a response
  @task(2) fetches() {
    return Promise.resolve({ status: 200 });
  }

  // @ts-expect-error: waitTime is a function of seconds, not a number
  override waitTime = 5;
}
void Broken;

class Forum2 extends TaskSet<Visitor> {
  @task async wrong() {
    // @ts-expect-error: Visitor has no such member
    void this.user.missing;
  }
}
void Forum2;

// Types a locustfile meets.
const wait: WaitTimeFunction = (context?: WaitTimeContext) => (context ? 1 : 2);
void wait;
const failure = new HttpRequestError("HTTPError", "500 Internal Server Error");
void failure.name;
events.request.addListener((event: RequestEvent) => {
  void event.responseTimeMs;
});
events.init.addListener(({ environment }) => {
  environment.runner?.registerMessage<{ n: number }>(
    "acknowledge",
    (message: CustomMessage<{ n: number }>) => {
      const n: number = message.data.n;
      void n;
    },
  );
  environment.runner?.sendMessage("hello", { from: "a locustfile" });
  environment.processExitCode = 3;
});
events.quitting.addListener(({ environment }) => {
  // Locust's threshold idiom, ported: environment.stats without a cast.
  if (environment.stats.total.failRatio > 0.01) environment.processExitCode = 1;
  const p95: number | null = environment.stats.total.percentile(0.95);
  void p95;
  environment.processExitCode = 0;
  // @ts-expect-error: an exit code is a number
  environment.processExitCode = "failed";
});
events.reportToMaster.addListener(({ data }) => {
  data.myPluginCount = 1;
});
void StopUser;
void constant;

// Cicada as a library: an Environment and a LocalRunner, typed.
async function library(logger: Logger): Promise<void> {
  const environment = new Environment({ userClasses: [Visitor], host: "http://127.0.0.1:8080", logger });
  const runner = new LocalRunner(environment, { stopTimeoutMs: 1000, iterations: 10 });
  await runner.start(2, 2);
  await runner.quitAndWait();
  // @ts-expect-error: user classes, not instances
  new Environment({ userClasses: [new Visitor(environment)] });
}
void library;
