// Summarises a V8 .heapsnapshot: live bytes and object counts by kind and constructor,
// optionally per user. A snapshot holds only live objects (V8 collects garbage first), so
// this is what each user keeps, not what its requests allocate and drop.
//
//   node --heapsnapshot-signal=SIGUSR2 bin/cicada.js -f ... -u 10000 ...   (then kill -USR2 <pid>)
//   node --max-old-space-size=4096 bench/heap-summary.mjs Heap.*.heapsnapshot [--users 10000] [--top 40]
import { readFileSync } from "node:fs";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(name);
  return index === -1 ? fallback : Number(args[index + 1]);
};
const top = option("--top", 40);
const users = option("--users", 0);
const files = args.filter((arg, i) => !arg.startsWith("--") && !args[i - 1]?.startsWith("--"));
if (files.length === 0) {
  console.error("usage: node bench/heap-summary.mjs <file.heapsnapshot> [--users N] [--top N]");
  process.exit(2);
}

for (const file of files) {
  const snapshot = JSON.parse(readFileSync(file, "utf8"));
  const meta = snapshot.snapshot.meta;
  const fields = meta.node_fields;
  const stride = fields.length;
  const types = meta.node_types[0];
  const typeAt = fields.indexOf("type");
  const nameAt = fields.indexOf("name");
  const sizeAt = fields.indexOf("self_size");
  const { nodes, strings } = snapshot;
  const groups = new Map();
  let total = 0;
  for (let i = 0; i < nodes.length; i += stride) {
    const type = types[nodes[i + typeAt]];
    let name = strings[nodes[i + nameAt]];
    // Strings and code are grouped by kind; their "names" are their contents.
    if (type.endsWith("string")) name = "";
    if (type === "code") name = "";
    const key = `${type} ${name.slice(0, 60)}`.trim();
    const size = nodes[i + sizeAt];
    total += size;
    const group = groups.get(key) ?? { count: 0, bytes: 0 };
    group.count++;
    group.bytes += size;
    groups.set(key, group);
  }
  console.log(
    `${file}: ${(total / 1e6).toFixed(1)} MB live${users ? `, ${(total / users).toFixed(0)} B per user` : ""}`,
  );
  const rows = [...groups].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, top);
  for (const [key, { count, bytes }] of rows) {
    const perUser = users
      ? `${(bytes / users).toFixed(0).padStart(6)} B/user ${(count / users).toFixed(1).padStart(5)}/user  `
      : "";
    console.log(`${(bytes / 1e6).toFixed(2).padStart(8)} MB ${String(count).padStart(9)}  ${perUser}${key}`);
  }
}
