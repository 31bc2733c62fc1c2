import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fixtureDir, runCli } from "../helpers/cli.js";

const USER = `import { HttpUser, task } from "cicada-load";
export class Visitor extends HttpUser {
  @task async home() { await this.client.get("/"); }
}
`;

/** A user's mistake: the documented exit code, one message with a hint, and no stack trace. */
function assertUsageMistake(result: { code: number | null; stderr: string }, code: number, message: RegExp) {
  assert.equal(result.code, code, result.stderr);
  assert.match(result.stderr, message);
  assert.match(result.stderr, /^Error: /m);
  assert.match(result.stderr, /^Hint: /m);
  assert.doesNotMatch(result.stderr, /^\s+at /m, "no stack trace");
}

describe("bad input: one clear message, a documented exit code, no stack trace", () => {
  it("a missing locustfile (3)", async () => {
    const dir = fixtureDir({});
    assertUsageMistake(await runCli(["--headless"], { cwd: dir }), 3, /no locustfile\.ts or locustfile\.js/);
    assertUsageMistake(await runCli(["-f", "nope.ts"], { cwd: dir }), 3, /locustfile not found: nope\.ts/);
  });

  it("Locust's locustfile.py, or any file that is not TypeScript or JavaScript (3)", async () => {
    const dir = fixtureDir({
      "locustfile.py": "from locust import HttpUser, task\n",
      "notes.txt": "not code\n",
    });
    const python = await runCli(["-f", "locustfile.py", "--headless"], { cwd: dir });
    assertUsageMistake(
      python,
      3,
      /^Error: locustfile\.py is a Python locustfile: Cicada runs locustfiles written in TypeScript or JavaScript/m,
    );
    assert.match(python.stderr, /Hint: Port it .*locust --worker/);
    assertUsageMistake(
      await runCli(["-f", "notes.txt", "--headless"], { cwd: dir }),
      3,
      /notes\.txt is not a TypeScript or JavaScript file \(expected one of \.ts, \.mts/,
    );
  });

  it("a syntax error, with file:line:column (3)", async () => {
    const dir = fixtureDir({
      "broken.ts": `import { HttpUser } from "cicada-load";\nexport class A extends HttpUser {\n  x = ;\n}\n`,
    });
    const result = await runCli(["-f", "broken.ts", "--headless", "-H", "http://127.0.0.1:1"], { cwd: dir });
    assertUsageMistake(result, 3, /broken\.ts:3:7: /);
  });

  it("a locustfile that throws while loading (3)", async () => {
    const dir = fixtureDir({ "throws.ts": `${USER}\nthrow new Error("config missing");\n` });
    assertUsageMistake(
      await runCli(["-f", "throws.ts"], { cwd: dir }),
      3,
      /threw while loading:\n.*config missing/,
    );
  });

  it("no user class (3)", async () => {
    const dir = fixtureDir({ "empty.ts": "export const nothing = 1;\n" });
    assertUsageMistake(
      await runCli(["-f", "empty.ts", "--headless"], { cwd: dir }),
      3,
      /no user class found/,
    );
  });

  it("two user classes with one name (3)", async () => {
    const dir = fixtureDir({ "a.ts": USER, "b.ts": USER });
    assertUsageMistake(
      await runCli(["-f", "a.ts,b.ts", "--headless"], { cwd: dir }),
      3,
      /two user classes are named Visitor/,
    );
  });

  it("two load shapes without --class-picker (3), with a hint to use it", async () => {
    const shapes = `${USER}import { LoadTestShape } from "cicada-load";
export class Ramp extends LoadTestShape { tick() { return null; } }
export class Spike extends LoadTestShape { tick() { return null; } }
`;
    const dir = fixtureDir({ "s.ts": shapes });
    const result = await runCli(["-f", "s.ts", "--headless", "-H", "http://127.0.0.1:1"], { cwd: dir });
    assertUsageMistake(result, 3, /more than one LoadTestShape is exported \(Ramp, Spike\)/);
    assert.match(result.stderr, /--class-picker/);
  });

  it("a user class without tasks (3)", async () => {
    const dir = fixtureDir({
      "l.ts": `import { HttpUser } from "cicada-load";\nexport class Lazy extends HttpUser {}\n`,
    });
    assertUsageMistake(await runCli(["-f", "l.ts", "--headless"], { cwd: dir }), 3, /Lazy has no tasks/);
  });

  it("bad -u, -r and -t, all reported at once (2)", async () => {
    const dir = fixtureDir({ "locustfile.ts": USER });
    const result = await runCli(["--headless", "-u", "0", "-r", "-1", "-t", "5x"], { cwd: dir });
    assertUsageMistake(result, 2, /--users must be a whole number ≥ 1, got '0'/);
    assert.match(result.stderr, /--spawn-rate must be a number > 0/);
    assert.match(result.stderr, /--run-time must be a time span/);
    assertUsageMistake(
      await runCli(["--headless", "-u", "ten"], { cwd: dir }),
      2,
      /--users must be a whole number, got 'ten'/,
    );
  });

  it("no host anywhere, and a host that is not an http(s) URL (2)", async () => {
    const dir = fixtureDir({ "locustfile.ts": USER });
    assertUsageMistake(await runCli(["--headless"], { cwd: dir }), 2, /no host to test for Visitor/);
    assertUsageMistake(
      await runCli(["--headless", "-H", "localhost:8080"], { cwd: dir }),
      2,
      /--host must be an http\(s\) URL/,
    );
    assertUsageMistake(
      await runCli(["--headless"], { cwd: dir, env: { CICADA_HOST: "ftp://x" } }),
      2,
      /→ at CICADA_HOST/,
    );
  });

  it("an unknown flag, with the nearest suggested (2)", async () => {
    const dir = fixtureDir({ "locustfile.ts": USER });
    assertUsageMistake(await runCli(["--usres", "3"], { cwd: dir }), 2, /Hint: Did you mean --users\?/);
  });

  it("a tag that matches no task, and an unknown user class (2)", async () => {
    const dir = fixtureDir({ "locustfile.ts": USER });
    assertUsageMistake(
      await runCli(["--headless", "-H", "http://x", "-T", "nope"], { cwd: dir }),
      2,
      /tag\(s\) matching no task: nope/,
    );
    assertUsageMistake(
      await runCli(["--headless", "-H", "http://x", "Ghost"], { cwd: dir }),
      2,
      /unknown user class\(es\): Ghost/,
    );
  });

  it("a config file with an unknown key (2)", async () => {
    const dir = fixtureDir({ "locustfile.ts": USER, "cicada.conf": "usres = 3\n" });
    assertUsageMistake(
      await runCli(["--headless"], { cwd: dir }),
      2,
      /cicada\.conf:1: unknown option 'usres'[\s\S]*Did you mean 'users'/,
    );
  });
});
