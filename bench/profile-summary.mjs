// Summarises a V8 .cpuprofile (from `node --cpu-prof`): the functions with the most self
// time, and the share of each source area (our layers, undici, node internals, GC).
//
//   node bench/profile-summary.mjs CPU.*.cpuprofile [--top 30]
import { readFileSync } from "node:fs";

const args = process.argv.slice(2);
const topIndex = args.indexOf("--top");
const top = topIndex === -1 ? 30 : Number(args[topIndex + 1]);
const files = args.filter((arg, i) => !arg.startsWith("--") && (topIndex === -1 || i !== topIndex + 1));
if (files.length === 0) {
  console.error("usage: node bench/profile-summary.mjs <file.cpuprofile> [--top N]");
  process.exit(2);
}

/** Which part of the system a frame belongs to. */
function areaOf(url, name) {
  if (name === "(garbage collector)") return "GC";
  if (name === "(idle)" || name === "(program)" || name === "(root)") return name;
  if (url.includes("/node_modules/undici/")) return "undici";
  if (url.includes("/node_modules/")) return `npm:${url.split("/node_modules/")[1].split("/")[0]}`;
  const layer = /\/(?:src|dist)\/(\w+)\//.exec(url);
  if (layer) return `cicada/${layer[1]}`;
  if (url.startsWith("node:")) return `node:${url.slice(5).split("/")[0]}`;
  if (url === "") return "native";
  return "other";
}

for (const file of files) {
  const profile = JSON.parse(readFileSync(file, "utf8"));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map();
  const deltas = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    selfUs.set(id, (selfUs.get(id) ?? 0) + (deltas[i] ?? 0));
  }
  const byFunction = new Map();
  const byArea = new Map();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const name = functionName || "(anonymous)";
    const area = areaOf(url, name);
    if (area === "(idle)") {
      idle += us;
      continue;
    }
    total += us;
    const key = `${name}  ${url.replace(/^.*\/(node_modules|src|dist)\//, "$1/")}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
  }
  const pct = (us) => `${((us / total) * 100).toFixed(1).padStart(5)} %`;
  console.log(`${file}\n  busy ${(total / 1e6).toFixed(2)} s, idle ${(idle / 1e6).toFixed(2)} s\n`);
  console.log("  by area:");
  for (const [area, us] of [...byArea].sort((a, b) => b[1] - a[1]).slice(0, 20)) {
    console.log(`  ${pct(us)}  ${area}`);
  }
  console.log(`\n  top ${top} functions by self time:`);
  for (const [key, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`  ${pct(us)}  ${key}`);
  }
  console.log("");
}
