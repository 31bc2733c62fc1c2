import { createRequire } from "node:module";

/** Cicada's version, from package.json (src/cli and dist/cli are both two levels below it). */
export const VERSION: string = (createRequire(import.meta.url)("../../package.json") as { version: string })
  .version;
