/**
 * npm packages in a locustfile load as Node would load them from the locustfile's folder:
 * playwright-core (which needs its own __dirname), a lazy `await import()`, a package the
 * locustfile's folder has but Cicada's does not; only the locustfile's own modules are
 * bundled; a worker without a package gets an error naming it. Its locustfile's helper
 * imports Cicada by the older specifier, which must keep working (migrate-specifier: keep).
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { loadBundles, loadLocustfiles } from "../../../src/cli/locustfile.js";
import * as api from "../../../src/index.js";
import { LocustfileError } from "../../../src/shared/errors.js";
import { Events } from "../../../src/user/index.js";

const ROOT = join(import.meta.dirname, "..", "..", "..");

function project(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), "cicada-packages-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, "node_modules"));
  // A real package with native-looking CommonJS internals (__dirname, require of its own files).
  symlinkSync(join(ROOT, "node_modules", "playwright-core"), join(dir, "node_modules", "playwright-core"));
  // A package only this project has: Cicada's own node_modules cannot be what resolves it.
  mkdirSync(join(dir, "node_modules", "only-here"));
  writeFileSync(
    join(dir, "node_modules", "only-here", "package.json"),
    JSON.stringify({ name: "only-here", type: "module", exports: "./index.js" }),
  );
  writeFileSync(
    join(dir, "node_modules", "only-here", "index.js"),
    "export const where = import.meta.url;\n",
  );
  writeFileSync(
    join(dir, "helper.ts"),
    'import { constant } from "cicada";\nexport const helper = (): string => (typeof constant === "function" ? "bundled" : "?");\n',
  );
  writeFileSync(
    join(dir, "locustfile.ts"),
    [
      'import { chromium } from "playwright-core";',
      'import { User, task } from "cicada-load";',
      'import { helper } from "./helper.js";',
      "export const loaded = { launch: typeof chromium.launch, helper: helper() };",
      'export const lazy = async () => (await import("only-here")).where;',
      "export class Visitor extends User { @task async t() {} }",
    ].join("\n"),
  );
  return dir;
}

const runApi = () => ({ ...api, events: new Events() });

test("packages load from the locustfile's folder, its own modules are bundled, lazy imports resolve there too", async (t) => {
  const dir = project(t);
  const loaded = await loadLocustfiles([join(dir, "locustfile.ts")], runApi(), dir);
  assert.deepEqual(loaded.exports.loaded, { launch: "function", helper: "bundled" });
  const where = await (loaded.exports.lazy as () => Promise<string>)();
  assert.ok(where.startsWith(`file://${dir}/node_modules/only-here/`), where);
  const code = loaded.bundles[0]!.code;
  assert.match(code, /from "playwright-core"/, "the package stays an import");
  assert.doesNotMatch(code, /class BrowserType|playwright-core\/lib/, "nothing of the package is bundled");
  assert.match(code, /"bundled"/, "the locustfile's own module is");
  assert.equal(loaded.bundles[0]!.dir, dir);
  assert.deepEqual([...loaded.bundles[0]!.packages!].sort(), ["only-here", "playwright-core"]);
});

test("a worker loads a shipped bundle with packages from the master's folder, else its own; a missing one is named", async (t) => {
  const dir = project(t);
  const { bundles } = await loadLocustfiles([join(dir, "locustfile.ts")], runApi(), dir);
  const elsewhere = mkdtempSync(join(tmpdir(), "cicada-worker-"));
  t.after(() => rmSync(elsewhere, { recursive: true, force: true }));
  // The master's folder exists here (--processes, or the same checkout): its packages are found.
  const same = await loadBundles(bundles, runApi(), elsewhere);
  assert.deepEqual(same.exports.loaded, { launch: "function", helper: "bundled" });
  // A machine without that folder, and without the package in its own.
  const shipped = bundles.map((b) => ({ filename: b.filename, code: b.code, dir: "/no/such/folder" }));
  await assert.rejects(loadBundles(shipped, runApi(), elsewhere), (error: unknown) => {
    assert.ok(error instanceof LocustfileError);
    assert.equal(error.code, "CICADA_ERR_LOCUSTFILE_PACKAGE");
    assert.match(
      error.message,
      /imports the npm package 'playwright-core', which is not installed in \/tmp\/cicada-worker-/,
    );
    assert.match(error.hint ?? "", /npm install playwright-core/);
    return true;
  });
});

test("a class keeps its own name when Cicada's API has the same one (User, TaskSet, LoadTestShape)", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "cicada-names-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, "locustfile.ts"),
    [
      'import { HttpUser, LoadTestShape, TaskSet, task } from "cicada-load";',
      "class Browse extends TaskSet { @task async look() {} }",
      "export class User extends HttpUser { tasks = [Browse]; }",
      "export class TaskSet2 extends HttpUser { @task async t() {} }",
      "export class Shape extends LoadTestShape { tick() { return null; } }",
    ].join("\n"),
  );
  const loaded = await loadLocustfiles([join(dir, "locustfile.ts")], runApi(), dir);
  // The name is the user class's name in the stats, the Locust stub and a master's dispatch.
  assert.deepEqual(loaded.userClasses.map((cls) => cls.name).sort(), ["TaskSet2", "User"]);
});

test("an import of a name Cicada does not export says so, with the camelCase name of a Locust one", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "cicada-imports-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, "locustfile.ts"),
    [
      'import { HttpUser, task, constant_pacing } from "cicada-load";',
      "export class U extends HttpUser { waitTime = constant_pacing(1); @task async a() {} }",
    ].join("\n"),
  );
  await assert.rejects(
    loadLocustfiles([join(dir, "locustfile.ts")], runApi(), dir),
    (error: unknown) =>
      error instanceof LocustfileError &&
      /^locustfile\.ts:1:26: the locustfile imports constant_pacing from Cicada, which exports no such name$/.test(
        error.message,
      ) &&
      error.hint === "Cicada's name is constantPacing (Locust's constant_pacing in camelCase)",
  );
});
