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
  const aggregated = /Aggregated\s+(\d+)\s+0\(0\.00%\)/.exec(stdout);
  assert.ok(aggregated && Number(aggregated[1]) > 200, "a real load with no failures");
});
