import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { it } from "node:test";
import { fixtureDir, runCli } from "../helpers/cli.js";

// A task that keeps the event loop busy 150 ms at a time: the generator, not the server,
// is the bottleneck, and the run must say so instead of reporting inflated latencies quietly.
const blockingLocustfile = `
import { constant, task, User } from "cicada-load";

export class Blocker extends User {
  waitTime = constant(0.02);

  @task block() {
    const until = performance.now() + 150;
    while (performance.now() < until) {
      // busy
    }
  }
}
`;

// 4 s: the first second (the start) does not count, and the overload needs two seconds in a row.
it("warns once about an overloaded generator and marks the final summary", async () => {
  const dir = fixtureDir({ "locustfile.ts": blockingLocustfile });
  try {
    const result = await runCli(
      ["-f", "locustfile.ts", "--headless", "-u", "1", "-r", "1", "-t", "4s", "--only-summary"],
      {
        cwd: dir,
        timeoutMs: 30_000,
      },
    );
    assert.equal(result.code, 0, result.stderr);
    // The cause is this process's work; on a machine so crowded that the busy task gets
    // under a fifth of a core it reads as a delay from outside (unit tests pin the wording).
    const warnings = result.stderr
      .split("\n")
      .filter((line) => /The load generator(?: is overloaded|'s event loop is late)/.test(line));
    assert.equal(warnings.length, 1, result.stderr);
    assert.match(warnings[0]!, /WARNING\/cicada: .*event-loop lag \d+ ms/);
    assert.match(
      result.stdout,
      /Note: the load generator(?: was overloaded|'s event loop was delayed from outside) during \d+ of \d+ s/,
    );
    assert.match(result.stdout, /latencies include (?:client-side queueing|that delay)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
