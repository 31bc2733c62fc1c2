// Runs node:test over an explicit list of files. On Node 20 a bare `--test` finds no
// .ts files and silently runs nothing, so the list is built here.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const suite = process.argv[2] ?? "unit";
const root = join(import.meta.dirname, "..");
const dir = join(root, "test", suite);

function collect(folder) {
  const out = [];
  for (const entry of readdirSync(folder)) {
    const path = join(folder, entry);
    if (statSync(path).isDirectory()) out.push(...collect(path));
    else if (entry.endsWith(".test.ts")) out.push(relative(root, path));
  }
  return out;
}

const filter = process.argv.slice(3);
let files = collect(dir).sort();
if (filter.length > 0) files = files.filter((f) => filter.some((p) => f.includes(p)));
if (files.length === 0) {
  console.error(`no test files found under test/${suite}`);
  process.exit(1);
}
const concurrency = suite === "unit" ? "2" : "1";
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", `--test-concurrency=${concurrency}`, "--test-reporter=spec", ...files],
  { cwd: root, stdio: "inherit" },
);
process.exit(result.status ?? 1);
