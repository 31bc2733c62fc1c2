import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { StopUser } from "../../../src/shared/control-flow.js";
import { describeFailure } from "../../../src/shared/request-event.js";
import { recordingSession, sendJson, sleep, startServer, type TestServer } from "./helpers.js";

/** The next turn of the event loop: a verdict is recorded once the code that gave it waits. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("HttpSession catchResponse", () => {
  let server: TestServer;

  before(async () => {
    server = await startServer((req, res) => {
      if (req.url === "/conflict") sendJson(res, 409, { code: "taken" });
      else sendJson(res, 200, { ok: true });
    });
  });
  after(() => server.close());

  it("defers the event until success(), which overrides a failing status", async () => {
    const { session, events } = recordingSession({ baseUrl: server.url });
    const res = await session.post("/conflict", { catchResponse: true });
    assert.equal(res.status, 409);
    assert.equal(events.length, 0, "no event before the verdict");
    await sleep(20);
    res.success();
    assert.equal(res.error, null);
    await nextTurn();
    assert.equal(events.length, 1);
    assert.equal(events[0]!.exception, null);
    assert.ok(events[0]!.responseTimeMs < 20 + res.timing.totalMs, "the user's checks are not timed");
    assert.equal(events[0]!.responseTimeMs, res.timing.totalMs);
    res.failure("too late");
    await nextTurn();
    assert.equal(events.length, 1, "a verdict after the request was recorded is ignored");
    assert.equal(res.error, null);
    await session.close();
  });

  it("counts the last verdict given before the task waits, as Locust counts the last in its with block", async () => {
    const { session, events } = recordingSession({ baseUrl: server.url });
    // Locust: `if r.status_code == 409: r.success()` then `if "taken" in r.text: r.failure(...)`.
    const res = await session.post("/conflict", { catchResponse: true });
    res.success();
    if (res.text().includes("taken")) res.failure("taken");
    assert.equal(res.error?.message, "taken");
    assert.equal(events.length, 0, "recorded once the task waits");
    await nextTurn();
    assert.deepEqual(
      events.map((e) => e.exception),
      ["taken"],
    );
    // The other way round, on another response; both recorded in one turn, in order.
    const a = await session.get("/ok", { catchResponse: true, name: "a" });
    const b = await session.get("/ok", { catchResponse: true, name: "b" });
    a.failure("first");
    b.failure("b");
    a.success();
    await nextTurn();
    assert.deepEqual(
      events.slice(1).map((e) => [e.name, e.exception]),
      [
        ["a", null],
        ["b", "b"],
      ],
    );
    await session.close();
  });

  it("reports failure(reason) with that message, on a 200", async () => {
    const { session, events } = recordingSession({ baseUrl: server.url });
    const res = await session.get("/ok", { catchResponse: true, name: "ok" });
    if (res.json<{ code?: string }>().code === undefined) res.failure("no code");
    await nextTurn();
    assert.equal(events.length, 1);
    assert.equal(events[0]!.exception, "no code");
    assert.equal(events[0]!.name, "ok");
    assert.equal(res.ok, false);
    assert.equal(res.error?.message, "no code");
    const res2 = await session.get("/ok", { catchResponse: true });
    res2.failure(new TypeError("bad shape"));
    await nextTurn();
    assert.equal(describeFailure(events[1]!.exception!), "TypeError: bad shape");
    await session.close();
  });

  it("lets the task rename the request before its verdict", async () => {
    const { session, events } = recordingSession({ baseUrl: server.url });
    const res = await session.get("/ok", { catchResponse: true });
    res.request.name = "renamed";
    res.success();
    await nextTurn();
    assert.equal(events[0]!.name, "renamed");
    await session.close();
  });

  it("flushPending() reports unresolved responses by the status rule, once", async () => {
    const { session, events } = recordingSession({ baseUrl: server.url });
    await session.get("/ok", { catchResponse: true });
    await session.get("/conflict", { catchResponse: true });
    const decided = await session.get("/ok", { catchResponse: true });
    decided.failure("decided");
    await nextTurn();
    assert.equal(events.length, 1);
    session.flushPending();
    assert.equal(events.length, 3);
    assert.equal(events[1]!.exception, null);
    assert.equal(describeFailure(events[2]!.exception!), "HTTPError: 409 Conflict");
    // A verdict the task gave just before it ended is recorded by the flush, as given.
    const late = await session.get("/conflict", { catchResponse: true });
    late.success();
    session.flushPending();
    assert.equal(events.length, 4);
    assert.equal(events[3]!.exception, null);
    await nextTurn();
    assert.equal(events.length, 4, "not twice");
    session.flushPending();
    assert.equal(events.length, 4);
    await session.close();
  });

  it("throws when success()/failure() is used without catchResponse", async () => {
    const { session, events } = recordingSession({ baseUrl: server.url });
    const res = await session.get("/ok");
    assert.throws(() => res.success(), /needs the request to be made with catchResponse: true/);
    assert.throws(() => res.failure("x"), /catchResponse: true/);
    assert.equal(events.length, 1);
    await session.close();
  });
});

describe("HttpSession interrupt", () => {
  it("aborts an in-flight request without an event, rejects with StopUser until resume()", async (t) => {
    let arrived = 0;
    let firstArrived: () => void = () => {};
    const first = new Promise<void>((resolve) => {
      firstArrived = resolve;
    });
    const server = await startServer((req, res) => {
      arrived++;
      firstArrived();
      if (req.url === "/slow") setTimeout(() => res.end("late"), 2000);
      else res.end("fast");
    });
    const { session, events } = recordingSession({ baseUrl: server.url });
    t.after(async () => {
      await session.close();
      await server.close();
    });
    const slow = session.get("/slow");
    await first; // an event wait: the server has the request
    const started = performance.now();
    session.interrupt();
    await assert.rejects(slow, StopUser);
    assert.ok(performance.now() - started < 500, "the abort is immediate");
    await assert.rejects(session.get("/fast"), StopUser);
    assert.equal(arrived, 1, "a request made while interrupted is never sent");
    await sleep(20);
    assert.equal(events.length, 0, "aborted requests are not counted");
    session.resume();
    const res = await session.get("/fast");
    assert.equal(res.text(), "fast");
    assert.equal(events.length, 1);
  });

  it("cancels requests still waiting for a connection", async () => {
    const server = await startServer((_req, res) => setTimeout(() => res.end("x"), 300));
    const { session, events } = recordingSession({ baseUrl: server.url, maxConnections: 1 });
    const first = session.get("/a");
    const queued = session.get("/b");
    await sleep(30);
    session.interrupt();
    await Promise.all([assert.rejects(first, StopUser), assert.rejects(queued, StopUser)]);
    session.resume();
    const res = await session.get("/c");
    assert.equal(res.status, 200);
    assert.equal(events.length, 1);
    assert.deepEqual(
      server.seen.map((s) => s.url),
      ["/a", "/c"],
    );
    await session.close();
    await server.close();
  });

  it("close() interrupts in-flight requests", async () => {
    const server = await startServer((_req, res) => setTimeout(() => res.end("x"), 2000));
    const { session, events } = recordingSession({ baseUrl: server.url });
    const pending = session.get("/slow");
    const outcome = assert.rejects(pending, StopUser);
    await sleep(30);
    await session.close();
    await outcome;
    assert.equal(events.length, 0);
    await server.close();
  });
});
