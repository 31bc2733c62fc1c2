/**
 * A port for a program the test starts and must be told a port (nginx, Locust, a Cicada
 * master), where port 0 cannot be used.
 *
 * It is picked below the kernel's ephemeral range (32768-60999 here), checked free by
 * binding it, and released. Between the release and the program's own bind, a port from
 * the ephemeral range could be taken by any outgoing connection (a load test opens many);
 * one below it can only be taken by another explicit bind, which is what this check and a
 * random pick make unlikely.
 */
import { createServer } from "node:net";

const LOWEST = 20_000;
const HIGHEST = 32_767;
const ATTEMPTS = 50;

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A port nothing listens on right now, outside the range outgoing connections draw from. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (HIGHEST - LOWEST + 1));
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port between ${LOWEST} and ${HIGHEST} after ${ATTEMPTS} attempts`);
}
