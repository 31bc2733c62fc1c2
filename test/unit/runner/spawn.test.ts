import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SpawnSequence } from "../../../src/runner/index.js";
import { constant, type RunnerState, task, User } from "../../../src/user/index.js";
import { makeRun, sleep, waitFor } from "../../helpers/env.js";

describe("SpawnSequence", () => {
  it("interleaves classes by weight (5:1 gives AAAB-like order, not blocks)", () => {
    const seq = new SpawnSequence([
      { name: "A", weight: 5, fixedCount: 0 },
      { name: "B", weight: 1, fixedCount: 0 },
    ]);
    const first12 = Array.from({ length: 12 }, (_, i) => seq.classAt(i));
    assert.equal(first12.filter((c) => c === "B").length, 2);
    assert.notEqual(first12.indexOf("B"), 10, "B must not come only after all A's");
    assert.deepEqual(Object.fromEntries(seq.countsFor(600)), { A: 500, B: 100 });
  });

  it("puts fixedCount classes first and gives them exactly that many", () => {
    const seq = new SpawnSequence([
      { name: "Weighted", weight: 1, fixedCount: 0 },
      { name: "Admin", weight: 100, fixedCount: 2 },
    ]);
    assert.equal(seq.classAt(0), "Admin");
    assert.equal(seq.classAt(1), "Admin");
    assert.deepEqual(Object.fromEntries(seq.countsFor(10)), { Admin: 2, Weighted: 8 });
  });

  it("every prefix is within one user of the exact weights", () => {
    const seq = new SpawnSequence([
      { name: "A", weight: 3, fixedCount: 0 },
      { name: "B", weight: 2, fixedCount: 0 },
      { name: "C", weight: 0.5, fixedCount: 0 },
    ]);
    for (let n = 1; n <= 200; n++) {
      const counts = seq.countsFor(n);
      for (const [name, w] of [
        ["A", 3],
        ["B", 2],
        ["C", 0.5],
      ] as const) {
        assert.ok(Math.abs((counts.get(name) ?? 0) - (n * w) / 5.5) <= 1.0001, `${name} at ${n}`);
      }
    }
  });
});

describe("LocalRunner", () => {
  class Idle extends User {
    override waitTime = constant(0.05);
    @task idle() {}
  }

  it("reaches N users in about N/rate seconds", async () => {
    const { runner } = makeRun([Idle]);
    const t0 = performance.now();
    await runner.start(20, 20);
    const elapsed = (performance.now() - t0) / 1000;
    assert.equal(runner.userCount, 20);
    assert.ok(elapsed > 0.85 && elapsed < 1.6, `ramp took ${elapsed} s`);
    await runner.quitAndWait();
  });

  it("ramps down to fewer users and reports states", async () => {
    const { runner } = makeRun([Idle]);
    const states: RunnerState[] = [];
    runner.stateChanged.addListener((s) => {
      states.push(s);
    });
    await runner.start(10, 100);
    await runner.start(4, 100);
    assert.equal(runner.userCount, 4);
    await runner.quitAndWait();
    assert.deepEqual(states, ["spawning", "running", "spawning", "running", "stopping", "stopped"]);
  });

  it("spawns fixedCount users first and splits the rest by weight", async () => {
    class Admin extends User {
      override fixedCount = 1;
      override waitTime = constant(0.05);
      @task a() {}
    }
    class Reader extends User {
      static weight = 3;
      override waitTime = constant(0.05);
      @task r() {}
    }
    class Writer extends User {
      override weight = 1;
      override waitTime = constant(0.05);
      @task w() {}
    }
    const { runner } = makeRun([Reader, Writer, Admin]);
    await runner.start(9, 1000);
    assert.deepEqual(runner.userClassesCount, { Reader: 6, Writer: 2, Admin: 1 });
    await runner.quitAndWait();
  });

  it("stops by itself when the run time is over", async () => {
    const { runner } = makeRun([Idle]);
    const t0 = performance.now();
    await runner.start(2, 100, { runTimeMs: 400 });
    assert.ok(await waitFor(() => runner.state === "stopped", 3000));
    const elapsed = performance.now() - t0;
    assert.ok(elapsed >= 380 && elapsed < 1500, `stopped after ${elapsed} ms`);
    await runner.quitAndWait();
  });

  it("samples the stats history every second while running", async () => {
    const { runner, environment } = makeRun([Idle]);
    await runner.start(1, 100);
    await sleep(1300);
    await runner.quitAndWait();
    assert.ok(environment.stats.history.totalSeries().length >= 1);
  });
});

describe("the order users are spawned in", () => {
  // Produced by Locust 2.46.3's dispatch.py `_kl_generator` (the first 40 users each).
  const locust: Record<string, [Array<[string, number]>, string]> = {
    "A:3 B:1": [
      [
        ["A", 3],
        ["B", 1],
      ],
      "ABAAABAAABAAABAAABAAABAAABAAABAAABAAABAA",
    ],
    "A:5 B:1": [
      [
        ["A", 5],
        ["B", 1],
      ],
      "AABAAAAABAAAAABAAAAABAAAAABAAAAABAAAAABA",
    ],
    "equal weights": [
      [
        ["A", 1],
        ["B", 1],
        ["C", 1],
      ],
      "ABCABCABCABCABCABCABCABCABCABCABCABCABCA",
    ],
    "A:2 B:3 C:5": [
      [
        ["A", 2],
        ["B", 3],
        ["C", 5],
      ],
      "CBACBCCABCCBACBCCABCCBACBCCABCCBACBCCABC",
    ],
    "declared out of name order": [
      [
        ["Z", 1],
        ["A", 2],
      ],
      "AZAAZAAZAAZAAZAAZAAZAAZAAZAAZAAZAAZAAZAA",
    ],
    "a fractional weight": [
      [
        ["Shopper", 7],
        ["Admin", 2],
        ["Bot", 0.5],
      ],
      "SSASSSASBSSSASSSASSSSASSSASBSSSASSSASSSS",
    ],
  };
  for (const [label, [classes, expected]] of Object.entries(locust)) {
    it(`is Locust's (≥ 2.27) for ${label}`, () => {
      const sequence = new SpawnSequence(classes.map(([name, weight]) => ({ name, weight, fixedCount: 0 })));
      const order = Array.from({ length: expected.length }, (_, i) => sequence.classAt(i)![0]).join("");
      assert.equal(order, expected);
    });
  }

  it("interleaves fixedCount classes by their counts, before the weighted ones", () => {
    const sequence = new SpawnSequence([
      { name: "Admin", weight: 1, fixedCount: 1 },
      { name: "Ops", weight: 1, fixedCount: 3 },
      { name: "Visitor", weight: 1, fixedCount: 0 },
    ]);
    const order = Array.from({ length: 6 }, (_, i) => sequence.classAt(i));
    assert.deepEqual(order, ["Ops", "Admin", "Ops", "Ops", "Visitor", "Visitor"]);
  });
});
