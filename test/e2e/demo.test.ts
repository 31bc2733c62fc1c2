import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { it } from "node:test";
import { ROOT } from "../helpers/cli.js";

// The README's first command, end to end: coupon service + example locustfile, 20 s.
it("npm run demo runs a real load test against the demo target and exits 0", {
  timeout: 90_000,
}, async () => {
  const child = spawn(process.execPath, [join(ROOT, "examples", "run-demo.mjs")], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const killer = setTimeout(() => child.kill("SIGKILL"), 80_000);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearTimeout(killer);
  assert.equal(code, 0, `${stdout}\n${stderr}`);
  assert.match(stdout, /Response time percentiles/);
  assert.match(stdout, /POST\s+\/coupons\/\[id\]\/issue/);
  assert.match(stdout, /never over-issued ✓/);
  // node_exporter is installed here (.ci/run installs it): the demo monitors this machine.
  assert.match(stdout, /demo: node_exporter at http:\/\/127\.0\.0\.1:\d+: Cicada monitors this machine/);
  assert.match(
    stdout,
    /Target resources \(every 1 s\)\n {2}this-machine \(\d+ CPUs, [\d.]+ GB memory\), highest values:\n {4}CPU busy/,
  );
  // The last Aggregated row with a failure column is the final statistics block.
  const rows = [...stdout.matchAll(/Aggregated\s+(\d+)\s+(\d+)\(/g)];
  const final = rows.at(-1);
  assert.ok(final, stdout);
  assert.equal(final[2], "0", "no failures");
  assert.ok(Number(final[1]) > 200, `a real load: ${final[1]} requests`);
});
