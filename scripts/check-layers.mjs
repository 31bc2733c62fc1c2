// Enforces the dependency direction of ../DESIGN.md: which layer of src/ may import
// which, that stats/ is a leaf (no Node APIs, so it also runs in the browser), and
// that only cli/ touches `process`. Biome cannot express per-folder import rules, so
// this small check runs as part of `npm run lint`.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";

const root = join(import.meta.dirname, "..");
const src = join(root, "src");

/** layer -> layers it may import (besides itself). */
const allowed = {
  stats: [],
  shared: [],
  http: ["shared"],
  data: ["shared"],
  monitor: ["shared"],
  ws: ["shared"],
  grpc: ["shared"],
  browser: ["shared"],
  user: ["http", "ws", "grpc", "browser", "data", "stats", "shared"],
  runner: ["user", "http", "data", "stats", "shared", "monitor"],
  reports: ["stats", "shared", "monitor"],
  distributed: ["runner", "user", "data", "http", "stats", "shared"],
  metrics: ["runner", "user", "stats", "shared"],
  web: ["metrics", "runner", "reports", "stats", "shared", "user", "monitor"],
  cli: [
    "web",
    "metrics",
    "monitor",
    "distributed",
    "runner",
    "reports",
    "user",
    "http",
    "ws",
    "grpc",
    "browser",
    "data",
    "stats",
    "shared",
    "(root)",
  ],
  "(root)": [
    "user",
    "http",
    "ws",
    "grpc",
    "browser",
    "data",
    "runner",
    "stats",
    "shared",
    "reports",
    "monitor",
  ],
};
/** Layers that must not use Node built-ins, so they can be bundled for the browser. */
const noNode = new Set(["stats", "shared"]);

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else if (/\.tsx?$/.test(name)) out.push(path);
  }
  return out;
}

const layerOf = (file) => {
  const parts = relative(src, file).split(sep);
  return parts.length === 1 ? "(root)" : parts[0];
};

const problems = [];
for (const file of walk(src)) {
  const layer = layerOf(file);
  const text = readFileSync(file, "utf8");
  const rel = relative(root, file);
  const importRe =
    /(?:^|\n)\s*(?:import|export)[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;
  for (const m of text.matchAll(importRe)) {
    const spec = m[1] ?? m[2];
    if (spec.startsWith(".")) {
      const target = layerOf(join(file, "..", spec));
      if (target !== layer && !(allowed[layer] ?? []).includes(target)) {
        problems.push(`${rel}: ${layer}/ may not import ${target}/ ('${spec}')`);
      }
    } else if (noNode.has(layer) && (spec.startsWith("node:") || spec === "undici")) {
      problems.push(`${rel}: ${layer}/ must not use Node APIs ('${spec}')`);
    }
  }
  if (layer !== "cli") {
    const code = text.replace(/\/\/.*$/gm, "").replace(/\/\*[\s\S]*?\*\//g, "");
    if (/(?<![\w.$])process\s*[.[]/.test(code)) problems.push(`${rel}: only src/cli/ may touch \`process\``);
  }
}

if (problems.length > 0) {
  console.error(`Layer check failed (see DESIGN.md, "Layers"):\n${problems.map((p) => `  ${p}`).join("\n")}`);
  process.exit(1);
}
console.log(`layers ok (${walk(src).length} files)`);
