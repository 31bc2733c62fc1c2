// Builds the package: the TypeScript core into dist/ and, when present, the web UI
// into dist/web-ui. Runs on `npm ci` (the `prepare` script) so `npx cicada` works on a
// fresh clone without a separate step.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(root, "node_modules", ".bin", name);
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: "inherit" });

rmSync(join(root, "dist"), { recursive: true, force: true });
run(bin("tsc"), ["-p", "tsconfig.build.json"]);
if (existsSync(join(root, "web-ui", "vite.config.ts"))) {
  run(bin("vite"), ["build", "--config", "web-ui/vite.config.ts", "--logLevel", "warn"]);
  precompress(join(root, "dist", "web-ui"));
}

/**
 * Writes NAME.br and NAME.gz beside each text file of the built app, once, at the best
 * compression: the web server sends them to browsers that accept them (@fastify/static's
 * preCompressed), so a page load costs no compression at run time.
 */
function precompress(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      precompress(path);
      continue;
    }
    if (!/\.(js|css|html|svg|json)$/.test(name)) continue;
    const body = readFileSync(path);
    writeFileSync(
      `${path}.br`,
      brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
    );
    writeFileSync(`${path}.gz`, gzipSync(body, { level: 9 }));
  }
}
