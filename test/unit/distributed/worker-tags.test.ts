/**
 * A Cicada worker takes its master's -T/-E from the spawn message's parsed_options, as a
 * Locust worker does (runners.py), unless it was started with its own: against a bare
 * ROUTER that sends what a Locust master sends (real ZeroMQ sockets on 127.0.0.1).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Worker } from "../../../src/distributed/index.js";
import { tagsForTest } from "../../../src/distributed/worker-tags.js";
import { Environment } from "../../../src/runner/index.js";
import { Logger, type LogRecord } from "../../../src/shared/logger.js";
import { constant, tag, task, User, type UserClass } from "../../../src/user/index.js";
import { waitFor } from "../../helpers/env.js";
import { fakeMaster } from "./cluster-helpers.js";

const ran = { browse: 0, buy: 0 };

class Shopper extends User {
  override waitTime = constant(0.01);
  @tag("browse") @task browse() {
    ran.browse++;
  }
  @tag("buy") @task buy() {
    ran.buy++;
  }
}

/** A worker of Shopper (with its own tags, if given) whose master sends `parsedOptions` in a spawn. */
async function runUnderMaster(
  t: import("node:test").TestContext,
  own: { tags?: string[]; excludeTags?: string[] },
  parsedOptions: Record<string, unknown>,
  counts: Record<string, number> = { Shopper: 2 },
  userClasses: UserClass[] = [Shopper],
): Promise<LogRecord[]> {
  ran.browse = 0;
  ran.buy = 0;
  const logs: LogRecord[] = [];
  const master = await fakeMaster();
  t.after(() => master.close());
  const environment = new Environment({
    userClasses,
    logger: new Logger((r) => logs.push(r), "DEBUG"),
    ...own,
  });
  const worker = new Worker(environment, {
    masterHost: "127.0.0.1",
    masterPort: master.port,
    nodeId: `testhost_${"ab".repeat(16)}`,
    wireVersion: "2.12.1",
    probe: { cpuUsageMicros: () => 5, memoryBytes: () => 4321 },
    heartbeatIntervalMs: 100,
    statsIntervalMs: 300,
  });
  t.after(() => worker.shutdown());
  worker.start();
  assert.ok(await waitFor(() => master.of("client_ready").length > 0, 3000));
  await master.send(worker.nodeId, "ack", new Map([["index", 0]]));
  await master.send(worker.nodeId, "spawn", {
    timestamp: 1000.5,
    user_classes_count: counts,
    host: null,
    stop_timeout: null,
    parsed_options: parsedOptions,
  });
  assert.ok(await waitFor(() => ran.browse + ran.buy >= 10, 3000), JSON.stringify(ran));
  return logs;
}

describe("a worker and its master's tags", () => {
  it("takes the master's -T (a Locust master sends tags as a list, exclude_tags as None)", async (t) => {
    const logs = await runUnderMaster(t, {}, { tags: ["browse"], exclude_tags: null, host: null });
    assert.equal(ran.buy, 0, "no task without the master's tag ran");
    assert.ok(ran.browse >= 10);
    assert.ok(logs.some((l) => l.message === "Running the tasks of the master's -T browse"));
  });

  it("takes the master's -E", async (t) => {
    await runUnderMaster(t, {}, { tags: null, exclude_tags: ["browse"] });
    assert.equal(ran.browse, 0);
  });

  it("keeps its own -T when given, and says once that it differs from the master's", async (t) => {
    const logs = await runUnderMaster(t, { tags: ["buy"] }, { tags: ["browse"], exclude_tags: null });
    assert.equal(ran.browse, 0, "its own -T buy wins");
    const warnings = logs.filter((l) => l.level === "WARNING").map((l) => l.message);
    assert.deepEqual(warnings, [
      "this worker runs its own -T buy, not the master's -T browse (start it without -T/-E to take the master's)",
    ]);
  });

  it("a class the master's -T leaves without tasks: its users are ignored, and the log says why", async (t) => {
    class Clerk extends User {
      override waitTime = constant(0.01);
      @tag("admin") @task report() {}
    }
    const logs = await runUnderMaster(t, {}, { tags: ["browse"] }, { Shopper: 2, Clerk: 3 }, [
      Shopper,
      Clerk,
    ]);
    assert.ok(
      logs.some((l) => l.message === "Clerk has no task left by -T/-E here: ignoring its 3 user(s)"),
      logs.map((l) => l.message).join("\n"),
    );
  });

  it("a master without tags leaves every task to run", async (t) => {
    await runUnderMaster(t, {}, { tags: null, exclude_tags: null });
    assert.ok(ran.browse > 0 && ran.buy > 0, JSON.stringify(ran));
  });
});

describe("tagsForTest", () => {
  it("each of -T and -E: the worker's own where given, else the master's; the same tags in another order are no difference", () => {
    assert.deepEqual(
      tagsForTest({ tags: undefined, excludeTags: ["slow"] }, { tags: ["a", "b"], exclude_tags: [] }),
      {
        tags: ["a", "b"],
        excludeTags: ["slow"],
        ownDiffers:
          "this worker runs its own -E slow, not the master's -T a,b (start it without -T/-E to take the master's)",
      },
    );
    const same = tagsForTest({ tags: ["b", "a"], excludeTags: undefined }, { tags: ["a", "b"] });
    assert.equal(same.ownDiffers, undefined);
    // A master without -T/-E contradicts nothing: the worker's own filter is the documented use.
    assert.equal(tagsForTest({ tags: ["a"], excludeTags: undefined }, { tags: null }).ownDiffers, undefined);
    // Garbage from a master is no tag.
    assert.deepEqual(
      tagsForTest({ tags: undefined, excludeTags: undefined }, { tags: "browse", exclude_tags: [3] }),
      {
        tags: undefined,
        excludeTags: undefined,
        ownDiffers: undefined,
      },
    );
  });
});
