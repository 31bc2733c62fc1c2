// Runs node:test over an explicit list of files. On Node 20 a bare `--test` finds no
// .ts files and silently runs nothing, so the list is built here.
//
//   node scripts/run-tests.mjs unit|e2e [part of a file name ...]
//
// Every test file runs in a process of its own and fails, instead of hanging, when it
// takes longer than its suite's timeout (--test-timeout); once a file's tests are done,
// its process exits even if a test left a socket or a timer behind (--test-force-exit).
// CICADA_TEST_CONCURRENCY overrides how many files run at once (for measuring).
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { delimiter, join, relative } from "node:path";
import { commandDirs } from "./system-packages.mjs";

/**
 * Per suite: files at once, and the longest a file may take. Unit files are CPU-bound: two
 * at once on two cores. Most end-to-end files wait on I/O (servers, child processes,
 * a browser): two at once cut the suite's wall time without new failures (measured in
 * docs/reliability.md). Their timeout leaves room for the slowest file (the bench smoke
 * run, about 35 s alone) on a machine shared with other work.
 */
const SUITES = {
  unit: { concurrency: 2, fileTimeoutMs: 120_000 },
  e2e: { concurrency: 2, fileTimeoutMs: 300_000 },
};

const suite = process.argv[2] ?? "unit";
const settings = SUITES[suite];
if (settings === undefined) {
  console.error(`unknown suite '${suite}': expected ${Object.keys(SUITES).join(" or ")}`);
  process.exit(1);
}
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
const concurrency = process.env.CICADA_TEST_CONCURRENCY ?? String(settings.concurrency);
const result = spawnSync(
  process.execPath,
  [
    "--import",
    "tsx",
    "--test",
    `--test-concurrency=${concurrency}`,
    `--test-timeout=${settings.fileTimeoutMs}`,
    "--test-force-exit",
    "--test-reporter=spec",
    ...files,
  ],
  // The tests find nginx and ip where scripts/system-packages.mjs did: sbin too, for users.
  {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, PATH: commandDirs(process.env, process.getuid?.() ?? -1).join(delimiter) },
  },
);
process.exit(result.status ?? 1);
