import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Environment, LocalRunner } from "../../../src/runner/index.js";
import { constant, task, User } from "../../../src/user/index.js";
import type { FullUpdate, LiveUpdate, TickUpdate, UiMeta } from "../../../src/web/api-types.js";
import { LiveFeed } from "../../../src/web/live-feed.js";
import { LogBuffer } from "../../../src/web/log-buffer.js";
import { waitFor } from "../../helpers/env.js";

class IdleUser extends User {
  override waitTime = constant(10);
  @task idle() {}
}

const meta = (): UiMeta => ({
  version: "t",
  locustfile: "f.ts",
  defaults: { userCount: 1, spawnRate: 1, host: "", runTime: "" },
  hostOptional: true,
  userClasses: ["IdleUser"],
  activeUserClasses: ["IdleUser"],
  shapeClass: null,
  shapeClasses: [],
  classPicker: false,
  distributed: false,
  downloads: [],
  customParameters: [],
  percentiles: [0.95, 0.99],
  userClassSettings: [],
});

function parse(text: string): LiveUpdate {
  const match = /^event: (full|tick)\ndata: (.*)\n\n$/s.exec(text);
  assert.ok(match, `not one SSE event: ${text.slice(0, 80)}`);
  const update = JSON.parse(match[2]!) as LiveUpdate;
  assert.equal(update.kind, match[1]);
  return update;
}

function setup() {
  let now = 1_800_000_000_000;
  const environment = new Environment({ userClasses: [IdleUser], now: () => now });
  const runner = new LocalRunner(environment);
  const logs = new LogBuffer(10);
  // A long interval: the tests call tick() themselves.
  const feed = new LiveFeed({ runner, meta, logs, intervalMs: 3_600_000 });
  return {
    environment,
    runner,
    logs,
    feed,
    advance: (ms: number) => {
      now += ms;
    },
    now: () => now,
  };
}

describe("LiveFeed", () => {
  it("sends everything on connect, then only the rows that changed", async () => {
    const { environment, feed, advance, now, runner } = setup();
    const stats = environment.stats;
    for (let i = 0; i < 50; i++) stats.record("GET", `/item/${i}`, 10 + i, 100, null, now());
    const received: string[] = [];
    const remove = feed.addClient((text) => received.push(text));
    const full = parse(received[0]!) as FullUpdate;
    assert.equal(full.rows.length, 50);
    assert.equal(full.total[2], 50, "numRequests is the third value of a wire row");
    assert.deepEqual(full.rows[0]!.slice(0, 4), ["GET", "/item/0", 1, 0]);
    assert.equal(full.meta.userClasses[0], "IdleUser");

    advance(1000);
    stats.record("GET", "/item/7", 99, 100, "HTTPError: 500", now());
    stats.record("POST", "/new", 5, 10, null, now());
    // Current rates move with the clock, so compare against a second tick at the same time.
    parse(feed.tick());
    stats.record("GET", "/item/7", 12, 100, null, now());
    const tick = parse(feed.tick()) as TickUpdate;
    assert.deepEqual(
      tick.rows.map((r) => `${r[0]} ${r[1]}`),
      ["GET /item/7"],
    );
    assert.equal(tick.rows[0]![2], 3);
    assert.equal(tick.rows[0]![3], 1);
    assert.equal(tick.total[2], 53);
    assert.equal(tick.versions.failures, 1);
    assert.equal(tick.point, null, "no chart point while no test runs");
    remove();
    assert.equal(feed.clientCount, 0);
    await runner.quitAndWait();
  });

  it("computes one text per tick and sends it to every browser", async () => {
    const { environment, feed, now, runner } = setup();
    const a: string[] = [];
    const b: string[] = [];
    feed.addClient((text) => a.push(text));
    feed.addClient((text) => b.push(text));
    environment.stats.record("GET", "/x", 1, 1, null, now());
    const sent = feed.tick();
    assert.equal(a[1], sent);
    assert.equal(b[1], sent);
    feed.close();
    await runner.quitAndWait();
  });

  it("sends everything again after a stats reset", async () => {
    const { environment, feed, advance, now, runner } = setup();
    environment.stats.record("GET", "/x", 1, 1, null, now());
    const received: string[] = [];
    feed.addClient((text) => received.push(text));
    advance(1000);
    environment.stats.reset(now());
    const update = parse(feed.tick());
    assert.equal(update.kind, "full");
    assert.equal((update as FullUpdate).rows.length, 0);
    assert.equal(parse(feed.tick()).kind, "tick");
    feed.requestFull();
    assert.equal(parse(feed.tick()).kind, "full", "requestFull forces one");
    feed.close();
    await runner.quitAndWait();
  });

  it("adds a chart point per tick while the test runs, and one as it stops", async () => {
    const { feed, runner, logs, environment } = setup();
    feed.addClient(() => {});
    await runner.start(2, 100);
    assert.ok(await waitFor(() => runner.state === "running"));
    environment.logger.info("hello");
    const running = parse(feed.tick()) as TickUpdate;
    assert.equal(running.status.state, "running");
    assert.equal(running.point?.userCount, 2);
    assert.equal(running.versions.logs, logs.lastSeq);
    await runner.stopAndWait();
    const stopping = parse(feed.tick()) as TickUpdate;
    assert.equal(stopping.status.state, "stopped");
    assert.equal(stopping.point?.userCount, 0, "the final point shows the users gone");
    assert.equal((parse(feed.tick()) as TickUpdate).point, null);
    feed.close();
    await runner.quitAndWait();
  });

  it("a stopped test's current req/s stays as it was at its end, as Locust's, instead of decaying to 0", async () => {
    const { feed, runner, environment, advance, now } = setup();
    feed.addClient(() => {});
    await runner.start(1, 100);
    assert.ok(await waitFor(() => runner.state === "running"));
    for (let second = 0; second < 4; second++) {
      for (let k = 0; k < 20; k++) environment.stats.record("GET", "/x", 1, 0, null, now() + k * 50);
      advance(1000);
    }
    await runner.stopAndWait();
    // The Aggregated row's Current RPS and the header's RPS.
    const currentRps = () => {
      const update = parse(feed.tick()) as TickUpdate;
      return [update.total[10], update.status.totalRps];
    };
    const atStop = currentRps();
    assert.ok(typeof atStop[0] === "number" && atStop[0] > 0, `req/s at the stop ${atStop}`);
    assert.equal(atStop[1], atStop[0]);
    advance(5000);
    assert.deepEqual(currentRps(), atStop, "5 s after the stop");
    feed.close();
    await runner.quitAndWait();
  });

  it("pushes by itself once a second while someone listens", async () => {
    const environment = new Environment({ userClasses: [IdleUser] });
    const runner = new LocalRunner(environment);
    const feed = new LiveFeed({ runner, meta, intervalMs: 100 });
    const received: string[] = [];
    const remove = feed.addClient((text) => received.push(text));
    assert.ok(await waitFor(() => received.length >= 3, 3000));
    remove();
    const count = received.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(received.length, count, "no ticks once the last browser left");
    await runner.quitAndWait();
  });
});

describe("LogBuffer", () => {
  it("keeps the newest lines up to its capacity, in order", () => {
    const logs = new LogBuffer(3);
    for (let i = 1; i <= 5; i++) logs.add({ level: "INFO", message: `line ${i}`, timeMs: i });
    assert.deepEqual(
      logs.since().map((l) => l.message),
      ["line 3", "line 4", "line 5"],
    );
    assert.equal(logs.dropped, 2);
    assert.equal(logs.lastSeq, 5);
    assert.deepEqual(
      logs.since(4).map((l) => l.seq),
      [5],
    );
  });

  it("cuts huge messages", () => {
    const logs = new LogBuffer(2);
    logs.add({ level: "ERROR", message: "x".repeat(50_000), timeMs: 1 });
    assert.equal(logs.since()[0]!.message.length, 10_000);
  });
});
