#!/usr/bin/env node
// Rewrites imports of Cicada by its old specifier ("cicada", which on npm is an unrelated
// package) to the npm package's name ("cicada-load") in the repository's code and docs:
// `from "cicada"`, `import("cicada")` and `import "cicada"`, in .ts/.tsx/.js/.mjs/.md files.
// Re-runnable: after merging branches that still use the old specifier, run it again
// (`node scripts/migrate-specifier.mjs`; `--check` lists what it would change and exits 1
// if anything would). Locustfiles Cicada runs accept both names, so unmigrated files keep
// working in the meantime. A file containing the text `migrate-specifier: keep` is left as
// it is (a test that the old name still works).
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { extname, join, relative } from "node:path";

const root = join(import.meta.dirname, "..");
const FOLDERS = ["src", "test", "bench", "examples", "docs", "web-ui/src", "deploy", "scripts"];
const FILES = ["README.md"];
const EXTENSIONS = new Set([".ts", ".tsx", ".js", ".mjs", ".md"]);
const OLD = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])cicada\2/g;
const KEEP = "migrate-specifier: keep";

function walk(dir) {
  let out = [];
  let entries = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === "node_modules" || name === "dist" || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(walk(path));
    else if (EXTENSIONS.has(extname(name))) out.push(path);
  }
  return out;
}

const check = process.argv.includes("--check");
const files = [...FOLDERS.flatMap((f) => walk(join(root, f))), ...FILES.map((f) => join(root, f))];
let changed = 0;
for (const file of files) {
  const text = readFileSync(file, "utf8");
  if (text.includes(KEEP) && !file.endsWith("migrate-specifier.mjs")) continue;
  if (file.endsWith("migrate-specifier.mjs")) continue;
  const next = text.replace(OLD, (_all, before, quote) => `${before}${quote}cicada-load${quote}`);
  if (next === text) continue;
  changed++;
  const count = text.match(OLD)?.length ?? 0;
  console.log(`${relative(root, file)}: ${count} import(s)`);
  if (!check) writeFileSync(file, next);
}
console.log(`${changed} file(s) ${check ? "would change" : "changed"}`);
if (check && changed > 0) process.exit(1);
