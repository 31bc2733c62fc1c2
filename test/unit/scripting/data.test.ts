import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import {
  DataFileError,
  DataOptionsError,
  DataParseError,
  DataSets,
  setInMemoryLimitBytes,
} from "../../../src/data/index.js";
import { StopTest, StopUser } from "../../../src/shared/control-flow.js";

const dir = mkdtempSync(join(tmpdir(), "cicada-data-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a CSV of `n` accounts (user1..userN) and returns a registry rooted at its folder. */
function accounts(n: number, name = `users-${n}.csv`): { sets: DataSets; name: string } {
  const lines = ["username,password", ...Array.from({ length: n }, (_, i) => `user${i + 1},pw${i + 1}`)];
  writeFileSync(join(dir, name), `${lines.join("\n")}\n`);
  const sets = new DataSets();
  sets.baseDir = dir;
  return { sets, name };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail("resolved");
}

describe("test data", () => {
  it("unique: every row to one caller only, concurrent callers included, then StopUser", async () => {
    const { sets, name } = accounts(50);
    const users = sets.declare<{ username: string; password: string }>("csv", name, { mode: "unique" });
    await sets.ready();
    const results = await Promise.allSettled(Array.from({ length: 80 }, () => users.next()));
    const rows = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    assert.equal(rows.length, 50);
    assert.equal(new Set(rows.map((r) => r.username)).size, 50);
    assert.deepEqual(
      rows[0],
      { username: "user1", password: "pw1" },
      "a record keyed by the header, in file order",
    );
    const stopped = results
      .filter((r) => r.status === "rejected")
      .map((r) => (r as PromiseRejectedResult).reason);
    assert.equal(stopped.length, 30);
    assert.ok(stopped.every((e) => e instanceof StopUser));
    assert.ok((await rejection(users.next())) instanceof StopUser);
    // A new test hands the rows out again.
    sets.beginTest();
    assert.equal((await users.next()).username, "user1");
  });

  it("unique with onExhausted stopTest stops the test; sequential wraps; random picks any row", async () => {
    const { sets, name } = accounts(3);
    const once = sets.declare("csv", name, { mode: "unique", onExhausted: "stopTest" });
    const round = sets.declare<{ username: string }>("csv", name);
    const any = sets.declare<{ username: string }>("csv", name, { mode: "random" });
    await sets.ready();
    for (let i = 0; i < 3; i++) await once.next();
    assert.ok((await rejection(once.next())) instanceof StopTest);
    const seen = [];
    for (let i = 0; i < 7; i++) seen.push((await round.next()).username);
    assert.deepEqual(seen, ["user1", "user2", "user3", "user1", "user2", "user3", "user1"]);
    const picked = new Set<string>();
    for (let i = 0; i < 200; i++) picked.add((await any.next()).username);
    assert.deepEqual([...picked].sort(), ["user1", "user2", "user3"]);
  });

  it("reads JSON arrays, one row per element", async () => {
    writeFileSync(join(dir, "products.json"), JSON.stringify([{ sku: "a" }, { sku: "b" }]));
    const sets = new DataSets();
    sets.baseDir = dir;
    const products = sets.declare<{ sku: string }>("json", "products.json");
    await sets.ready();
    assert.deepEqual(
      [await products.next(), await products.next(), await products.next()],
      [{ sku: "a" }, { sku: "b" }, { sku: "a" }],
    );
  });

  it("refuses, before the test, a file that is missing or does not parse (line and column), or has no rows", async () => {
    const cases: Array<[string, string, RegExp, new (...args: never[]) => Error]> = [
      ["csv", "nope.csv", /the data file nope\.csv is not found/, DataFileError],
      ["csv", "bad.csv", /does not parse: line 3, column 6: a quote \("\) inside a field/, DataParseError],
      ["csv", "narrow.csv", /line 3, column 1: 1 field where the header has 2/, DataParseError],
      ["csv", "header.csv", /has no rows \(a CSV's first line is its header\)/, DataParseError],
      [
        "json",
        "bad.json",
        /is not valid JSON: line 2, column 8: Expected ':' after property name/,
        DataParseError,
      ],
      ["json", "object.json", /holds object, not a JSON array/, DataParseError],
    ];
    writeFileSync(join(dir, "bad.csv"), 'user,pass\nbob,x\nann,x"y\n');
    writeFileSync(join(dir, "narrow.csv"), "user,pass\nbob,x\nann\n");
    writeFileSync(join(dir, "header.csv"), "user,pass\n");
    writeFileSync(join(dir, "bad.json"), '[\n  {"a" 1}\n]');
    writeFileSync(join(dir, "object.json"), '{"a": 1}');
    for (const [kind, file, message, type] of cases) {
      const sets = new DataSets();
      sets.baseDir = dir;
      sets.declare(kind as "csv" | "json", file);
      const error = await rejection(sets.ready());
      assert.ok(error instanceof type, `${file}: ${String(error)}`);
      assert.match((error as Error).message, message);
      assert.equal((error as unknown as { exitCode: number }).exitCode, 3);
    }
  });

  it("refuses options that cannot work", () => {
    const sets = new DataSets();
    sets.deferFiles = true;
    assert.throws(
      () => sets.declare("csv", "u.csv", { mode: "unique", onExhausted: "wrap" }),
      /unique rows cannot wrap/,
    );
    assert.throws(() => sets.declare("csv", "u.csv", { mode: "shuffle" as never }), DataOptionsError);
    assert.throws(() => sets.declare("csv", "u.csv", { order: 1 } as never), /unknown option\(s\) order/);
    assert.throws(
      () => sets.declare("csv", "u.csv", { mode: "random", onExhausted: "stopUser" }),
      /never run out/,
    );
    sets.declare("csv", "u.csv", { mode: "unique" });
    assert.throws(
      () => sets.declare("csv", "u.csv", { mode: "unique", onExhausted: "stopTest" }),
      /declared twice/,
    );
  });

  it("streams a file larger than the memory limit: the same rows, in order, and random ones from their offsets", async () => {
    const previous = setInMemoryLimitBytes(256);
    try {
      const n = 3000;
      const name = "big.csv";
      const lines = [
        "id,note",
        ...Array.from({ length: n }, (_, i) => `${i},"line ${i}\nwith ""quotes"", commas"`),
      ];
      writeFileSync(join(dir, name), lines.join("\r\n"));
      const sets = new DataSets();
      sets.baseDir = dir;
      const ordered = sets.declare<{ id: string; note: string }>("csv", name, { mode: "unique" });
      const any = sets.declare<{ id: string; note: string }>("csv", name, { mode: "random" });
      await sets.ready();
      for (let i = 0; i < n; i++) {
        const row = await ordered.next();
        assert.equal(row.id, String(i));
        assert.equal(row.note, `line ${i}\nwith "quotes", commas`);
      }
      assert.ok((await rejection(ordered.next())) instanceof StopUser);
      for (let k = 0; k < 50; k++) {
        const row = await any.next();
        assert.equal(row.note, `line ${row.id}\nwith "quotes", commas`);
      }
      await sets.close();
      // A malformed row deep in a large file is found by the scan, before the test.
      writeFileSync(join(dir, "big-bad.csv"), `${lines.slice(0, 2000).join("\r\n")}\r\n1,2,3\r\n`);
      const bad = new DataSets();
      bad.baseDir = dir;
      bad.declare("csv", "big-bad.csv");
      const error = await rejection(bad.ready());
      assert.match(
        (error as Error).message,
        /big-bad\.csv does not parse: line 4000, column 1: 3 fields where the header has 2/,
      );
    } finally {
      setInMemoryLimitBytes(previous);
    }
  });

  it("on a worker, takes its rows from the master, and reads its own copy only for what the master lacks", async () => {
    const { name } = accounts(5, "served.csv");
    const master = new DataSets();
    master.baseDir = dir;
    master.declare("csv", name, { mode: "unique" });
    await master.ready();
    const worker = new DataSets();
    worker.deferFiles = true;
    worker.baseDir = join(dir, "elsewhere");
    const rows = worker.declare<{ username: string }>("csv", name, { mode: "unique" });
    const missing = worker.declare("csv", "only-on-the-worker.csv");
    await worker.ready(); // nothing read: the master may serve
    const asked: number[] = [];
    const fetch = async (key: string, count: number) => {
      asked.push(count);
      const served = await master.serve(key, count);
      return { rows: served.rows, exhausted: served.exhausted };
    };
    const error = await rejection(worker.connect(new Set(master.keys()), fetch));
    assert.ok(error instanceof DataFileError, String(error));
    assert.match((error as Error).message, /only-on-the-worker\.csv is not found/);
    assert.ok(missing);
    const got = await Promise.all([rows.next(), rows.next(), rows.next()]);
    assert.deepEqual(got.map((r) => r.username).sort(), ["user1", "user2", "user3"]);
    assert.ok(
      asked.every((n) => n <= 3),
      `unique asks only for the rows users wait for: ${asked}`,
    );
  });
});

describe("a worker under a Locust master", () => {
  it("reads its own copy, warning that unique rows are unique within this worker only; a missing copy is an error", async () => {
    const { WorkerDataClient } = await import("../../../src/distributed/worker-data.js");
    const { Logger } = await import("../../../src/shared/logger.js");
    const { name } = accounts(2, "own.csv");
    const warnings: string[] = [];
    const sets = new DataSets();
    sets.deferFiles = true;
    sets.baseDir = dir;
    sets.logger = new Logger((r) => warnings.push(`${r.level} ${r.message}`), "DEBUG");
    const rows = sets.declare<{ username: string }>("csv", name, { mode: "unique" });
    const client = new WorkerDataClient(() => assert.fail("nothing is asked of a Locust master"));
    await client.connect(sets, false, []);
    assert.equal((await rows.next()).username, "user1");
    assert.ok(
      warnings.some((w) =>
        /^WARNING data own\.csv \(unique\): the master is a Locust master.*unique within this worker only/.test(
          w,
        ),
      ),
      warnings.join("\n"),
    );
    const missing = new DataSets();
    missing.deferFiles = true;
    missing.baseDir = dir;
    missing.declare("csv", "absent.csv");
    const error = await rejection(client.connect(missing, false, []));
    assert.ok(error instanceof DataFileError);
  });
});
