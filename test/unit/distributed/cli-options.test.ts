import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import type { CliIO } from "../../../src/cli/io.js";
import { run } from "../../../src/cli/main.js";
import { parseOptions } from "../../../src/cli/options.js";
import { distributedOptions } from "../../../src/cli/options-distributed.js";
import { withoutProcessesFlag } from "../../../src/cli/worker-processes.js";
import { locustStub } from "../../../src/distributed/locust-stub.js";
import { Environment } from "../../../src/runner/index.js";
import { UsageError } from "../../../src/shared/errors.js";
import { TaskSet, tag, task, User } from "../../../src/user/index.js";
import { LOCUST, PYTHON } from "../../helpers/locust.js";

function parse(argv: string[], env: Record<string, string> = {}) {
  return parseOptions({ argv, env, cwd: tmpdir() }, "0.0.0").options;
}

test("distributed flags: Locust's defaults when not given", () => {
  const d = distributedOptions(parse([]), 4);
  assert.deepEqual(d, {
    master: false,
    masterBindHost: "*",
    masterBindPort: 5557,
    expectWorkers: 1,
    expectWorkersMaxWaitMs: 0,
    rebalancing: true,
    worker: false,
    masterHost: "127.0.0.1",
    masterPort: 5557,
    masterTimeoutMs: 60_000,
    processes: undefined,
    locustStub: false,
    clusterSecret: undefined,
  });
});

test("distributed flags parse from the command line and CICADA_* variables", () => {
  const d = distributedOptions(
    parse(
      [
        "--master",
        "--master-bind-host",
        "10.0.0.5",
        "--master-bind-port",
        "6000",
        "--expect-workers",
        "3",
      ].concat(["--expect-workers-max-wait", "30", "--disable-rebalancing"]),
    ),
    4,
  );
  assert.equal(d.masterBindHost, "10.0.0.5");
  assert.equal(d.masterBindPort, 6000);
  assert.equal(d.expectWorkers, 3);
  assert.equal(d.expectWorkersMaxWaitMs, 30_000);
  assert.equal(d.rebalancing, false);
  const w = distributedOptions(
    parse([], { CICADA_WORKER: "true", CICADA_MASTER_HOST: "m", CICADA_MASTER_PORT: "7" }),
    4,
  );
  assert.deepEqual([w.worker, w.masterHost, w.masterPort], [true, "m", 7]);
});

test("--processes -1 means one worker per core; more than the cores needs --oversubscribe", () => {
  assert.equal(distributedOptions(parse(["--processes", "-1"]), 6).processes, 6);
  assert.equal(distributedOptions(parse(["--processes", "3"]), 6).processes, 3);
  assert.equal(distributedOptions(parse(["--processes", "8", "--oversubscribe"]), 6).processes, 8);
});

test("--worker --processes N is a group of N workers (Locust: combine with --worker); -1 is one per core", () => {
  const group = distributedOptions(parse(["--worker", "--processes", "-1", "--master-host", "m"]), 6);
  assert.deepEqual([group.worker, group.master, group.processes, group.masterHost], [true, false, 6, "m"]);
  assert.deepEqual(
    withoutProcessesFlag([
      "--worker",
      "--processes",
      "4",
      "-f",
      "x.ts",
      "--processes=2",
      "--",
      "--processes",
    ]),
    ["--worker", "-f", "x.ts", "--", "--processes"],
  );
});

test("contradictory or impossible distributed flags are usage errors with a hint", () => {
  const cases: Array<[string[], RegExp]> = [
    [["--master", "--worker"], /cannot be used together/],
    [["--processes", "0"], /--processes must be/],
    [["--processes", "-2"], /--processes must be/],
    [["--processes", "99999"], /--processes 99999 is more than the 2 CPU core\(s\) of this machine/],
    [["--expect-workers", "0"], /--expect-workers must be ≥ 1/],
    [["--master-port", "70000"], /--master-port must be a port number \(1-65535\)/],
    // The bind port may be 0 (any free port): the message gives the range that applies.
    [
      ["--master", "--master-bind-port", "99999"],
      /--master-bind-port must be a port number \(0-65535; 0 picks a free port\)/,
    ],
  ];
  for (const [argv, pattern] of cases) {
    assert.throws(
      () => distributedOptions(parse(argv), 2),
      (error: unknown) =>
        error instanceof UsageError && pattern.test(error.message) && error.hint !== undefined,
      argv.join(" "),
    );
  }
});

test("a --processes worker ignores --master/--processes read from its parent's cicada.conf", () => {
  const d = distributedOptions(parse(["--worker", "--processes", "2", "--master"]), 2, true);
  assert.deepEqual([d.worker, d.master, d.processes], [true, false, undefined]);
});

function tempDir(t: TestContext, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function io(argv: string[], cwd: string): CliIO & { out: string; err: string } {
  const result = {
    argv,
    env: {},
    cwd,
    out: "",
    err: "",
    stdout: { write: (t: string) => (result.out += t) },
    stderr: { write: (t: string) => (result.err += t) },
    onSignal: () => () => {},
    cpuUsageMicros: () => 0,
    memoryBytes: () => 0,
    cpuCount: () => 2,
  };
  return result;
}

test("--locust-stub prints a Python locustfile with the classes' names, weights and fixed counts", async (t) => {
  const dir = tempDir(t, "cicada-stub-");
  writeFileSync(
    join(dir, "locustfile.ts"),
    [
      'import { HttpUser, User as BaseUser, task } from "cicada-load";',
      // Named as Locust's base class: the stub's other classes must still derive from Locust's.
      "export class User extends HttpUser { @task async c() {} }",
      "export class Shopper extends HttpUser { static weight = 3; @task async a() {} }",
      "export class Admin extends BaseUser { static fixedCount = 2; @task async b() {} }",
      "",
    ].join("\n"),
  );
  const cli = io(["-f", "locustfile.ts", "--locust-stub"], dir);
  assert.equal(await run(cli), 0, cli.err);
  assert.match(cli.out, /^class Shopper\(_locust\.User\):\n {4}weight = 3\n {4}fixed_count = 0$/m);
  assert.match(cli.out, /^class Admin\(_locust\.User\):\n {4}weight = 1\n {4}fixed_count = 2$/m);
  // No host is needed to print the stub; and Python accepts it.
  const check = spawnSync(
    PYTHON,
    [
      "-c",
      "import ast,sys; tree=ast.parse(sys.stdin.read()); print(sorted(n.name for n in tree.body if isinstance(n, ast.ClassDef)))",
    ],
    { input: cli.out, encoding: "utf8" },
  );
  if (check.error) return t.skip("python3 is not installed");
  assert.equal(check.stdout.trim(), "['Admin', 'Shopper', 'User']");
  assert.match(cli.out, /^class User\(_locust\.User\):$/m);
});

/** Tagged classes (a tagged TaskSet inside one) for the stub's tags, as Cicada filters them. */
@tag("admin")
class Reports extends TaskSet {
  @task daily() {}
  @tag("slow") @task yearly() {}
}
class Shopper extends User {
  @tag("browse") @task a() {}
  @tag("buy") @task b() {}
}
class Admin extends User {
  override tasks = [Reports];
  @task plain() {}
}

test("--locust-stub carries the tasks' tags: Locust's own tag filter keeps the classes Cicada's -T/-E keep", async (t) => {
  if (LOCUST === undefined) return t.skip("Locust is not installed (apt-get install python3-locust)");
  const dir = tempDir(t, "cicada-stub-");
  const kept = (tags: string[], excludeTags: string[]) =>
    new Environment({
      userClasses: [Admin, Shopper],
      tags: tags.length > 0 ? tags : undefined,
      excludeTags: excludeTags.length > 0 ? excludeTags : undefined,
    }).userClassInfos.map((info) => info.name);
  writeFileSync(
    join(dir, "stub.py"),
    locustStub(new Environment({ userClasses: [Admin, Shopper] }).userClassInfos, "test"),
  );
  // The classes Locust 2.12's filter_tasks_by_tags leaves with tasks, for each -T/-E.
  const script = [
    "import importlib.util, json, sys",
    "from locust.user.task import filter_tasks_by_tags",
    "out = []",
    "for tags, exclude in json.loads(sys.argv[1]):",
    "    spec = importlib.util.spec_from_file_location('stub', 'stub.py')",
    "    stub = importlib.util.module_from_spec(spec)",
    "    spec.loader.exec_module(stub)",
    "    for cls in (stub.Admin, stub.Shopper):",
    "        filter_tasks_by_tags(cls, set(tags) or None, set(exclude) or None)",
    "    out.append([cls.__name__ for cls in (stub.Admin, stub.Shopper) if cls.tasks])",
    "print(json.dumps(out))",
  ].join("\n");
  const cases: Array<[string[], string[]]> = [
    [["admin"], []],
    [["browse"], []],
    [[], ["browse", "buy"]],
    [["slow"], []],
    [["buy", "slow"], []],
    [[], ["admin"]],
  ];
  const locust = spawnSync(PYTHON, ["-c", script, JSON.stringify(cases)], { cwd: dir, encoding: "utf8" });
  assert.equal(locust.status, 0, locust.stderr);
  assert.deepEqual(
    JSON.parse(locust.stdout),
    cases.map(([tags, excludeTags]) => kept(tags, excludeTags)),
  );
});

test("--locust-stub refuses a class name Python cannot use", async (t) => {
  const dir = tempDir(t, "cicada-stub-");
  writeFileSync(
    join(dir, "locustfile.ts"),
    'import { User, task } from "cicada-load";\nexport class $Odd extends User { @task async a() {} }\n',
  );
  const cli = io(["-f", "locustfile.ts", "--locust-stub"], dir);
  assert.equal(await run(cli), 2);
  assert.match(cli.err, /Error: the user class name \$Odd is not valid in Python\nHint: /);
});

test("a master whose port is taken fails with a clear error and exit code 4", async (t) => {
  const dir = tempDir(t, "cicada-bind-");
  writeFileSync(
    join(dir, "locustfile.ts"),
    'import { User, task } from "cicada-load";\nexport class U extends User { @task async a() {} }\n',
  );
  const { createServer } = await import("node:net");
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
  const port = (blocker.address() as { port: number }).port;
  try {
    const cli = io(
      [
        "-f",
        "locustfile.ts",
        "--master",
        "--headless",
        "--master-bind-host",
        "127.0.0.1",
        "--master-bind-port",
        String(port),
      ],
      dir,
    );
    assert.equal(await run(cli), 4, cli.err);
    assert.match(cli.err, /Error: cannot listen for workers on tcp:\/\/127\.0\.0\.1:\d+: .*in use/i);
    assert.match(cli.err, /Hint: Another master/);
  } finally {
    blocker.close();
  }
});

test("--expect-workers-max-wait: a clear error and exit code 4 when the workers do not come", async (t) => {
  for (const secret of [undefined, "s3cret-value"]) {
    const cli = await masterWaitingForWorkers(t, secret === undefined ? [] : ["--cluster-secret", secret]);
    assert.match(
      cli.err,
      /Error: only 0 of 2 expected worker\(s\) connected within 1 s\nHint: Start workers with: cicada -f <locustfile> --worker --master-host <this machine> --master-port \d+ /,
    );
    // The workers need the secret too; the hint names the flag, never the value.
    if (secret === undefined) assert.doesNotMatch(cli.err, /--cluster-secret/);
    else assert.match(cli.err, /--master-port \d+ --cluster-secret <the same secret> /);
    assert.doesNotMatch(cli.err, /s3cret-value/);
  }
});

/** A master expecting 2 workers for at most 1 s, none coming; exit code 4. */
async function masterWaitingForWorkers(t: TestContext, flags: string[]): Promise<{ err: string }> {
  const dir = tempDir(t, "cicada-wait-");
  writeFileSync(
    join(dir, "locustfile.ts"),
    'import { User, task } from "cicada-load";\nexport class U extends User { @task async a() {} }\n',
  );
  const cli = io(
    [
      "-f",
      "locustfile.ts",
      "--master",
      "--headless",
      "--master-bind-host",
      "127.0.0.1",
      "--master-bind-port",
      "0",
    ].concat(["--expect-workers", "2", "--expect-workers-max-wait", "1", ...flags]),
    dir,
  );
  assert.equal(await run(cli), 4, cli.err);
  return cli;
}
