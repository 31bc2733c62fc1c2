/**
 * A worker whose locustfile lacks the master's user classes: the master names the worker
 * and the classes, and the users it cannot run make the run's clusterProblem (exit 4).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { findClassMismatch } from "../../../src/distributed/worker-classes.js";
import { constant, tag, task, User } from "../../../src/user/index.js";
import { runStatus } from "../../../src/web/rows.js";
import { waitFor } from "../../helpers/env.js";
import { Alpha, startCluster } from "./cluster-helpers.js";

class Gamma extends User {
  override waitTime = constant(0.02);
  @task work() {}
}

test("a Cicada worker without one of the master's classes: a warning naming it and the classes, and the run's clusterProblem", async (t) => {
  const cluster = await startCluster();
  t.after(() => cluster.close());
  const problemOf = () => cluster.master.clusterProblem;
  // One after the other: a worker's index is its place in the order of connection, and the
  // warning checked below names odd_1's (two workers started at once may connect either way).
  cluster.addWorker("good_1", { statsIntervalMs: 100 });
  await cluster.master.waitForWorkers(1, 10_000);
  cluster.addWorker("odd_1", { statsIntervalMs: 100 }, [Alpha, Gamma]);
  await cluster.master.waitForWorkers(2, 10_000);
  const warnings = () => cluster.masterLogs.filter((r) => r.level === "WARNING").map((r) => r.message);
  // Its first report names its classes: the master says so before any user is sent.
  assert.ok(await waitFor(() => warnings().some((m) => m.includes("odd_1")), 5000), warnings().join("\n"));
  const warning = warnings().find((m) => m.includes("odd_1"))!;
  assert.match(
    warning,
    /^Worker odd_1 \(index 1\) does not define the user class\(es\) Beta of this master's locustfile/,
  );
  assert.match(warning, /it defines Gamma, which this master does not/);
  assert.match(warning, /Give the master and its workers user classes of the same names/);
  assert.ok(!warnings().some((m) => m.includes("good_1")));
  assert.equal(problemOf(), undefined, "no user of Beta was sent yet");

  // 8 users at weights Alpha 3, Beta 1: both Beta users land on odd_1 (dispatch.ts order).
  await cluster.master.start(8, 100);
  const problem = problemOf();
  assert.equal(problem?.code, "CICADA_ERR_WORKER_USER_CLASSES");
  assert.equal(problem?.exitCode, 4);
  assert.match(
    problem!.message,
    /^worker odd_1 could not run 2 of the users sent to it: it does not define the user class\(es\) Beta$/,
  );
  assert.equal(warnings().filter((m) => m.includes("odd_1")).length, 1, "said once");
  // The web UI's banner: a web run has no exit code to carry it.
  assert.equal(
    runStatus(cluster.master, true).clusterProblem,
    `${problem!.message}. Give every worker a locustfile with the master's user class names (a Cicada worker started with -f - runs the master's own)`,
  );
  // The worker said it too, in its own log.
  assert.ok(
    cluster.workerLogs[1]!.some((r) => /no user class named Beta here: ignoring its 2 user/.test(r.message)),
  );
  // A new test starts clean: with Alpha alone (the class picker), nothing is lost.
  await cluster.master.stopAndWait();
  cluster.master.environment.selectUserClasses(["Alpha"]);
  await cluster.master.start(4, 100);
  assert.equal(problemOf(), undefined);
  assert.equal(runStatus(cluster.master, true).clusterProblem, null);
});

/** Two classes whose only tasks are tagged: -T browse leaves Admin without tasks. */
class Browser extends User {
  override waitTime = constant(0.02);
  @tag("browse") @task work() {
    this.environment.events.request.fire({
      requestType: "GET",
      name: "/b",
      responseTimeMs: 1,
      responseLength: 1,
    });
  }
}
class Admin extends User {
  override waitTime = constant(0.02);
  @tag("admin") @task work() {}
}

test("a class the master's -T leaves without tasks is no stranger when a worker defines it", async (t) => {
  const cluster = await startCluster({}, [Browser, Admin]);
  t.after(() => cluster.close());
  cluster.master.environment.setTags(["browse"], undefined);
  // With its own -T it runs Admin too, and reports it (a Locust worker reports every class it defines).
  cluster.addWorker("w_1", { statsIntervalMs: 100 }, undefined, ["browse", "admin"]);
  await cluster.master.waitForWorkers(1, 10_000);
  await cluster.master.start(2, 100);
  assert.ok(await waitFor(() => cluster.master.environment.stats.total.numRequests > 0, 5000));
  await waitFor(
    () => cluster.workerLogs[0]!.some((r) => r.message.includes("this worker runs its own")),
    2000,
  );
  // It used to say "Worker w_1 (index 0) defines user class(es) Admin that this master's locustfile does not".
  assert.deepEqual(
    cluster.masterLogs.filter((r) => r.message.includes("user class")).map((r) => r.message),
    [],
  );
  assert.equal(cluster.master.clusterProblem, undefined);
});

test("findClassMismatch: a Locust worker given a class it lacks runs none of its users; extra classes alone lose nothing", () => {
  const base = { testClasses: ["Admin", "Shopper"], masterClasses: ["Admin", "Shopper"] };
  const sent = { Admin: 2, Shopper: 2 };
  assert.deepEqual(findClassMismatch({ ...base, reported: ["Buyer"], sent, isLocust: true }), {
    lacking: ["Admin", "Shopper"],
    extra: ["Buyer"],
    lostUsers: 4,
  });
  assert.deepEqual(findClassMismatch({ ...base, reported: ["Admin", "Buyer"], sent, isLocust: true }), {
    lacking: ["Shopper"],
    extra: ["Buyer"],
    lostUsers: 4,
  });
  assert.deepEqual(findClassMismatch({ ...base, reported: ["Admin", "Buyer"], sent, isLocust: false }), {
    lacking: ["Shopper"],
    extra: ["Buyer"],
    lostUsers: 2,
  });
  assert.deepEqual(
    findClassMismatch({ ...base, reported: ["Admin", "Shopper", "Buyer"], sent, isLocust: true }),
    {
      lacking: [],
      extra: ["Buyer"],
      lostUsers: 0,
    },
  );
  assert.equal(
    findClassMismatch({ ...base, reported: ["Shopper", "Admin"], sent, isLocust: true }),
    undefined,
  );
  // The class picker ran Admin alone: a worker without Shopper lacks nothing of this test.
  assert.equal(
    findClassMismatch({
      ...base,
      testClasses: ["Admin"],
      reported: ["Admin"],
      sent: { Admin: 3 },
      isLocust: false,
    }),
    undefined,
  );
});
