// A fresh machine: `npm ci && npm test` installs the Debian packages the tests need from
// the one list (.ci/debian-packages) as root or with sudo, or stops at once with the one
// command to run (scripts/system-packages.mjs, npm test's pretest step; .ci/run too).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { ROOT } from "../../helpers/cli.js";

interface Entry {
  pkg: string;
  command: string;
}
type Plan =
  | { kind: "ok" }
  | { kind: "install"; prefix: string[]; install: string[]; pkgs: string[] }
  | { kind: "stop"; message: string };
const script = (await import(join(ROOT, "scripts", "system-packages.mjs"))) as {
  PACKAGE_LIST: string;
  readPackageList(text: string): Entry[];
  missingPackages(list: Entry[], env: Record<string, string | undefined>, uid: number): Entry[];
  plan(missing: Entry[], system: { uid: number; apt: boolean; sudo: boolean; noInstall: boolean }): Plan;
};

const list = script.readPackageList(readFileSync(script.PACKAGE_LIST, "utf8"));

function scratch(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), "cicada-packages-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe("the list of system packages", () => {
  it("is one file with every package the tests use, each with the command that proves it", () => {
    const pkgs = list.map((entry) => entry.pkg);
    for (const pkg of ["chromium", "python3-locust", "nginx-light", "wrk", "iproute2", "tinyproxy"]) {
      assert.ok(pkgs.includes(pkg), pkg);
    }
    for (const pkg of ["nghttp2-client", "prometheus", "prometheus-node-exporter"])
      assert.ok(pkgs.includes(pkg), pkg);
    const ci = readFileSync(join(ROOT, ".ci", "run"), "utf8");
    assert.match(ci, /^npm test$/m, ".ci/run takes the README's path");
    for (const pkg of pkgs)
      assert.doesNotMatch(ci, new RegExp(`\\b${pkg}\\b`), `.ci/run keeps no list of its own (${pkg})`);
    const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    assert.equal(manifest.scripts.pretest, "node scripts/system-packages.mjs");
  });
});

describe("what a machine needs", () => {
  it("finds commands on PATH (and in sbin for users), Chromium at CHROMIUM_PATH", (t) => {
    const bin = join(scratch(t), "bin");
    mkdirSync(bin);
    for (const name of ["wrk", "locust"]) {
      writeFileSync(join(bin, name), "#!/bin/sh\n");
      chmodSync(join(bin, name), 0o755);
    }
    const missing = (env: Record<string, string>, uid: number) =>
      script.missingPackages(list, env, uid).map((entry) => entry.command);
    const asRoot = missing({ PATH: bin }, 0);
    assert.ok(!asRoot.includes("wrk") && !asRoot.includes("locust") && asRoot.includes("chromium"));
    assert.ok(!missing({ PATH: bin, CHROMIUM_PATH: join(bin, "wrk") }, 0).includes("chromium"));
    assert.ok(missing({ PATH: "/usr/bin", CHROMIUM_PATH: join(bin, "absent") }, 0).includes("chromium"));
  });

  it("installs as root or with sudo; otherwise stops with the one command", () => {
    const missing = list.filter((entry) => ["chromium", "wrk"].includes(entry.pkg));
    const system = { uid: 1000, apt: true, sudo: false, noInstall: false };
    assert.deepEqual(script.plan([], system), { kind: "ok" });
    const root = script.plan(missing, { ...system, uid: 0 });
    assert.deepEqual(root, {
      kind: "install",
      prefix: [],
      install: ["apt-get", "install", "-y", "--no-install-recommends", "chromium", "wrk"],
      pkgs: ["chromium", "wrk"],
    });
    const sudo = script.plan(missing, { ...system, sudo: true });
    assert.deepEqual(sudo.kind === "install" && sudo.prefix, [
      "sudo",
      "-n",
      "env",
      "DEBIAN_FRONTEND=noninteractive",
    ]);
    const stop = script.plan(missing, system);
    assert.equal(stop.kind, "stop");
    assert.match(
      stop.kind === "stop" ? stop.message : "",
      /needs root\. Run once, then npm test again:\n {2}sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium wrk$/,
    );
    assert.match(
      JSON.stringify(script.plan(missing, { ...system, apt: false })),
      /not a Debian or Ubuntu machine/,
    );
  });

  it("a user without sudo, the packages hidden from PATH and CHROMIUM_PATH: stops at once with the command", (t) => {
    if (process.getuid?.() !== 0) return t.skip("runs the script as another user: needs root");
    const dir = scratch(t);
    chmodSync(dir, 0o755);
    const bin = join(dir, "bin");
    mkdirSync(bin);
    // Only what the script itself needs: no chromium, locust, wrk... on this PATH.
    for (const tool of ["node", "sh", "apt-get", "dpkg-query"]) {
      const found = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
      if (found) symlinkSync(found, join(bin, tool));
    }
    const setpriv = spawnSync("sh", ["-c", "command -v setpriv"], { encoding: "utf8" }).stdout.trim();
    if (setpriv === "") return t.skip("setpriv (util-linux) is not installed");
    const started = performance.now();
    const result = spawnSync(
      setpriv,
      [
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        join(bin, "node"),
        join(ROOT, "scripts", "system-packages.mjs"),
      ],
      { encoding: "utf8", env: { PATH: bin, HOME: dir, CHROMIUM_PATH: join(dir, "no-chromium") } },
    );
    assert.equal(result.status, 1, result.stderr);
    assert.ok(performance.now() - started < 5000, "at once");
    assert.match(result.stderr, /installing them needs root\. Run once, then npm test again:/);
    assert.match(
      result.stderr,
      /sudo apt-get install -y --no-install-recommends chromium python3-locust .*wrk tinyproxy nghttp2-client prometheus prometheus-node-exporter/,
    );
  });
});
