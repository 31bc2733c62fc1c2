/**
 * Serves the built browser app (dist/web-ui, built by `npm run build` from web-ui/). The
 * app uses relative URLs only, so the same files work under any --web-base-path.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";

/** Where the built app is: dist/web-ui next to the compiled server, or the build of a source checkout. */
export function findUiRoot(): string | undefined {
  const candidates = [new URL("../web-ui/", import.meta.url), new URL("../../dist/web-ui/", import.meta.url)];
  for (const candidate of candidates) {
    const dir = fileURLToPath(candidate);
    if (existsSync(join(dir, "index.html"))) return dir;
  }
  return undefined;
}

function notBuiltPage(base: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Cicada</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>Cicada</h1>
<p>The web UI is not built in this checkout. Run <code>npm run build</code> (or <code>npm ci</code>), then reload.</p>
<p>The HTTP API works meanwhile, e.g. <a href="${base}/stats/requests">${base}/stats/requests</a>.</p>
</body></html>`;
}

/** Registers `base/` (the app), `base` (a redirect to it) and the app's files. */
export async function registerUi(
  app: FastifyInstance,
  base: string,
  uiRoot: string | undefined,
): Promise<void> {
  const index = uiRoot ? readFileSync(join(uiRoot, "index.html"), "utf8") : notBuiltPage(base);
  app.get(`${base}/`, (_req, reply) =>
    reply.type("text/html; charset=utf-8").header("cache-control", "no-store").send(index),
  );
  if (base !== "") {
    // Without the slash the app's relative URLs would resolve one level too high.
    app.get(base, (_req, reply) => reply.redirect(`${base}/`, 308));
  }
  if (uiRoot) {
    await app.register(fastifyStatic, {
      root: uiRoot,
      prefix: `${base}/`,
      index: false,
      wildcard: true,
      cacheControl: true,
      maxAge: "1h",
      // The build writes .br and .gz beside each file (scripts/build.mjs).
      preCompressed: true,
    });
  }
}
