/** The class picker's choice as the runner sees it: only the chosen classes spawn, by their weights. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { constant, task, User } from "../../../src/user/index.js";
import { makeRun } from "../../helpers/env.js";

class Reader extends User {
  static weight = 1;
  override waitTime = constant(10);
  @task read() {}
}

class Writer extends User {
  static weight = 3;
  override waitTime = constant(10);
  @task write() {}
}

class Admin extends User {
  static fixedCount = 1;
  override waitTime = constant(10);
  @task administer() {}
}

describe("choosing user classes (the class picker)", () => {
  it("runs only the chosen classes, with weights and fixedCount among them", async () => {
    const { environment, runner } = makeRun([Reader, Writer, Admin]);
    try {
      environment.selectUserClasses(["Writer", "Admin"]);
      await runner.start(5, 1000);
      assert.deepEqual(runner.userClassesCount, { Reader: 0, Writer: 4, Admin: 1 });
      assert.deepEqual(
        environment.activeUserClassInfos.map((info) => info.name),
        ["Writer", "Admin"],
      );
    } finally {
      await runner.quitAndWait();
    }
  });

  it("a new choice applies to the next test, not to the running one", async () => {
    const { environment, runner } = makeRun([Reader, Writer, Admin]);
    try {
      environment.selectUserClasses(["Reader"]);
      await runner.start(3, 1000);
      assert.deepEqual(runner.userClassesCount, { Reader: 3, Writer: 0, Admin: 0 });
      environment.selectUserClasses(["Writer"]);
      await runner.start(4, 1000); // an edit of the running test keeps its classes
      assert.deepEqual(runner.userClassesCount, { Reader: 4, Writer: 0, Admin: 0 });
      await runner.stopAndWait();
      await runner.start(2, 1000);
      assert.deepEqual(runner.userClassesCount, { Reader: 0, Writer: 2, Admin: 0 });
      await runner.stopAndWait();
      environment.selectUserClasses(undefined);
      await runner.start(5, 1000);
      assert.deepEqual(runner.userClassesCount, { Reader: 1, Writer: 3, Admin: 1 });
    } finally {
      await runner.quitAndWait();
    }
  });

  it("refuses unknown names and an empty choice", async () => {
    const { environment, runner } = makeRun([Reader, Writer]);
    assert.throws(() => environment.selectUserClasses(["Nobody"]), /no user class named Nobody/);
    assert.throws(() => environment.selectUserClasses([]), /at least one/);
    assert.equal(environment.activeUserClassInfos.length, 2);
    await runner.quitAndWait();
  });
});
