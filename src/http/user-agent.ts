/**
 * The User-Agent a session sends unless the user sets one: Cicada and its version, so a
 * server's logs tell load-test traffic apart (as Locust's and k6's do).
 */
import { createRequire } from "node:module";

/** src/http and dist/http are both two levels below package.json. */
const { version } = createRequire(import.meta.url)("../../package.json") as { version: string };

export const DEFAULT_USER_AGENT = `cicada/${version}`;
