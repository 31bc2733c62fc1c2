// `npm ci` must pass without warnings a project can avoid (BRIEF.md): every installed
// package allows the Node versions package.json promises (EBADENGINE: content-disposition 3
// and cookie 2 wanted Node >= 22), and every dependency with an install script has been
// reviewed in allowScripts (npm 11 warns about the others; npm 12 will skip them).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { it } from "node:test";
import { ROOT } from "../helpers/cli.js";

const semver = createRequire(import.meta.url)("semver") as {
  minVersion(range: string): { version: string } | null;
  satisfies(version: string, range: string): boolean;
};

interface LockedPackage {
  version?: string;
  engines?: { node?: string };
  hasInstallScript?: boolean;
}

const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  engines: { node: string };
  allowScripts?: Record<string, boolean>;
};
const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as {
  packages: Record<string, LockedPackage>;
};
const installed = Object.entries(lock.packages).filter(([path]) => path !== "");
const nameOf = (path: string) => path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length);

it("every locked package allows the oldest Node that package.json promises", () => {
  const oldest = semver.minVersion(manifest.engines.node)!.version;
  const refusing = installed
    .filter(([, pkg]) => pkg.engines?.node !== undefined && !semver.satisfies(oldest, pkg.engines.node))
    .map(([path, pkg]) => `${nameOf(path)}@${pkg.version} wants Node ${pkg.engines?.node}`);
  assert.deepEqual(refusing, [], `package.json says Node ${manifest.engines.node}`);
});

it("every dependency with an install script is reviewed in allowScripts", () => {
  const unreviewed = installed
    .filter(
      ([path, pkg]) => pkg.hasInstallScript === true && manifest.allowScripts?.[nameOf(path)] === undefined,
    )
    .map(([path]) => nameOf(path));
  assert.deepEqual(unreviewed, []);
});
