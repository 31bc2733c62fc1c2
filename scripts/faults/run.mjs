#!/usr/bin/env node
// `npm run faults`: Cicada's own fault suite, the cases the test suite does not cover
// (docs/reliability.md): bad input, bad locustfiles, misbehaving targets, signals, report
// files and hostile web requests, each against the built CLI, one at a time, bounded in
// time. Prints each case and the figures; exits 1 if any case failed.
//
//   npm run build && npm run faults [-- part of a case or group name ...]
import { CASES } from "./cases.mjs";

const filters = process.argv.slice(2);
const chosen = CASES.filter(
  (c) => filters.length === 0 || filters.some((f) => `${c.group}: ${c.name}`.includes(f)),
);
const failed = [];
let group = "";
const started = performance.now();
for (const c of chosen) {
  if (c.group !== group) {
    group = c.group;
    process.stdout.write(`\n${group}\n`);
  }
  let problem;
  try {
    problem = await c.run();
  } catch (error) {
    problem = `the case itself failed: ${error.message}`;
  }
  process.stdout.write(`  ${problem === undefined ? "✓" : "✗"} ${c.name}${problem ? `: ${problem}` : ""}\n`);
  if (problem !== undefined) failed.push(`${c.group}: ${c.name}: ${problem}`);
}
const seconds = ((performance.now() - started) / 1000).toFixed(0);
process.stdout.write(
  `\n${chosen.length} cases tried, ${chosen.length - failed.length} passed (${seconds} s)\n`,
);
if (failed.length > 0) process.stdout.write(`failed:\n${failed.map((f) => `  ${f}`).join("\n")}\n`);
process.exit(failed.length > 0 ? 1 : 0);
