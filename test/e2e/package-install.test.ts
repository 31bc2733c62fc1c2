/**
 * Cicada as a user gets it: `npm pack`, the tarball installed into a fresh project with
 * its own package.json, a locustfile importing "cicada-load" that `tsc --noEmit` accepts
 * with Cicada's types, and `npx cicada` running it (with --processes, -i, and the web UI).
 *
 * The test runs offline: instead of `npm install` downloading the dependencies, it lays
 * out node_modules as npm would (the tarball's contents, its bin links from its own
 * package.json, and links to this repository's copies of its production dependencies
 * only, so a runtime import of a devDependency would fail here as for a user). A real
 * `npm install <tarball>` from the registry was checked by hand (docs/api.md, Installing).
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, before, test } from "node:test";
import { startTarget, type Target } from "../helpers/cli.js";
import { childProcesses, startProcess } from "./distributed-helpers.js";

const ROOT = join(import.meta.dirname, "..", "..");
const NPM = "npm";

let target: Target;
let project: string;
let served = 0;

before(async () => {
  target = await startTarget((_req, res) => {
    served++;
    res.end("ok");
  });
  project = mkdtempSync(join(tmpdir(), "cicada-project-"));
  const packed = mkdtempSync(join(tmpdir(), "cicada-pack-"));
  // `npm pack` as a publisher would run it (dist/ is built by `npm test` before the e2e tests).
  const tarball = execFileSync(NPM, ["pack", "--ignore-scripts", "--silent", "--pack-destination", packed], {
    cwd: ROOT,
    encoding: "utf8",
  }).trim();
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "my-service", version: "1.0.0", private: true, type: "module" }, null, 2),
  );
  installOffline(join(packed, tarball), project);
  rmSync(packed, { recursive: true, force: true });
  writeFileSync(
    join(project, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        skipLibCheck: true,
        noEmit: true,
        types: ["node"],
      },
      include: ["*.ts"],
    }),
  );
  writeFileSync(
    join(project, "locustfile.ts"),
    [
      'import { HttpUser, TaskSet, task, constant, events, type HttpResponse } from "cicada-load";',
      "",
      "class Browse extends TaskSet<Shopper> {",
      "  @task async list() {",
      '    const res: HttpResponse = await this.client.get("/items?from=" + this.user.label, { name: "/items" });',
      "    if (res.ok) this.interrupt();",
      "  }",
      "}",
      "",
      "export class Shopper extends HttpUser {",
      "  waitTime = constant(0);",
      '  label = "shopper";',
      "  @task browse = Browse;",
      "}",
      "",
      "events.quitting.addListener(({ environment }) => {",
      "  if (environment.parsedOptions.iterations === 20) environment.processExitCode = 0;",
      "});",
      "",
    ].join("\n"),
  );
});

after(async () => {
  await target?.close();
  if (project) rmSync(project, { recursive: true, force: true });
});

/** node_modules as `npm install <tarball>` leaves it, without the network (see the file comment). */
function installOffline(tarball: string, dir: string): void {
  const modules = join(dir, "node_modules");
  const own = join(modules, "cicada-load");
  mkdirSync(own, { recursive: true });
  execFileSync("tar", ["-xzf", tarball, "-C", own, "--strip-components=1"]);
  const manifest = JSON.parse(readFileSync(join(own, "package.json"), "utf8")) as {
    bin: Record<string, string>;
  };
  mkdirSync(join(modules, ".bin"));
  for (const [name, file] of Object.entries(manifest.bin)) {
    symlinkSync(join("..", "cicada-load", file), join(modules, ".bin", name));
  }
  const production = execFileSync(NPM, ["ls", "--omit=dev", "--all", "--parseable"], {
    cwd: ROOT,
    encoding: "utf8",
  })
    .split("\n")
    .map((path) => relative(join(ROOT, "node_modules"), path))
    .filter((path) => path !== "" && !path.startsWith(".."))
    .map((path) =>
      path
        .split("/")
        .slice(0, path.startsWith("@") ? 2 : 1)
        .join("/"),
    );
  // The user's own dev dependencies: TypeScript and Node's types.
  for (const name of new Set([...production, "typescript", "@types/node", "undici-types"])) {
    mkdirSync(join(modules, name, ".."), { recursive: true });
    symlinkSync(join(ROOT, "node_modules", name), join(modules, name));
  }
}

test("the packed package: its types compile a locustfile that imports it (tsc --noEmit), and reject a mistake", () => {
  // One tsc run over two files: the locustfile must have no error, the wrong file exactly one.
  writeFileSync(
    join(project, "wrong.ts"),
    'import { HttpUser } from "cicada-load";\nexport const x: HttpUser["nope"] = 1;\n',
  );
  try {
    const tsc = join(project, "node_modules", "typescript", "bin", "tsc");
    const result = spawnSync(process.execPath, [tsc, "-p", "."], { cwd: project, encoding: "utf8" });
    const errors = result.stdout.split("\n").filter((line) => / error TS\d+/.test(line));
    assert.equal(errors.length, 1, result.stdout);
    assert.match(errors[0]!, /^wrong\.ts.*Property 'nope' does not exist on type 'HttpUser'/);
  } finally {
    rmSync(join(project, "wrong.ts"));
  }
});

test("npx cicada runs it from the project, with --processes 2 and -i 20 (exactly 20 tasks)", {
  timeout: 60_000,
}, async (t) => {
  const before = served;
  const run = startProcess(
    t,
    NPM,
    ["exec", "--offline", "--no", "--", "cicada", "-f", "locustfile.ts", "-H", target.url].concat([
      "--headless",
      "-u",
      "2",
      "-r",
      "2",
      "-i",
      "20",
      "--processes",
      "2",
      "--only-summary",
    ]),
    { cwd: project },
  );
  assert.equal(await run.exited, 0, run.output());
  assert.equal(served - before, 20, run.output());
  assert.match(run.output(), /GET\s+\/items\s+20\s+0\(0\.00%\)/);
});

test("npx cicada-load serves the web UI from the installed package", { timeout: 60_000 }, async (t) => {
  const run = startProcess(
    t,
    NPM,
    [
      "exec",
      "--offline",
      "--no",
      "--",
      "cicada-load",
      "-f",
      "locustfile.ts",
      "-H",
      target.url,
      "--web-port",
      "0",
    ],
    { cwd: project },
  );
  const [, url] = await run.waitFor(/Starting web interface at (http:\/\/\S+)/);
  const page = await fetch(url!);
  assert.equal(page.status, 200);
  const html = await page.text();
  const script = /<script[^>]+src="([^"]+)"/.exec(html)?.[1];
  assert.ok(script, html);
  assert.equal((await fetch(new URL(script, url))).status, 200, "the built app ships in the package");
  const state = (await (await fetch(new URL("api/state", url))).json()) as {
    meta: { userClasses: string[] };
  };
  assert.deepEqual(state.meta.userClasses, ["Shopper"]);
  // Ctrl-C for the Cicada process under npm exec (npm itself does not pass SIGINT on).
  const cicada = descendants(run.child.pid!).find((p) => p.args.includes("bin/cicada.js"));
  assert.ok(cicada, "the cicada process runs under npm exec");
  process.kill(cicada.pid, "SIGINT");
  assert.equal(await run.exited, 0, run.output());
});

/** Every process under `pid`, nearest first. */
function descendants(pid: number): Array<{ pid: number; args: string }> {
  const children = childProcesses(pid);
  return [...children, ...children.flatMap((child) => descendants(child.pid))];
}
