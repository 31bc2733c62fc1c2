// Builds the package: the TypeScript core into dist/ and, when present, the web UI
// into dist/web-ui. Runs on `npm ci` (the `prepare` script) so `npx cicada` works on a
// fresh clone without a separate step.
import { execFileSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(root, "node_modules", ".bin", name);
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: "inherit" });

rmSync(join(root, "dist"), { recursive: true, force: true });
run(bin("tsc"), ["-p", "tsconfig.build.json"]);
if (existsSync(join(root, "web-ui", "vite.config.ts"))) {
  run(bin("vite"), ["build", "--config", "web-ui/vite.config.ts", "--logLevel", "warn"]);
}
