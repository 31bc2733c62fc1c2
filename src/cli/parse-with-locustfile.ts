/**
 * The command line in two passes, because the locustfile adds options of its own
 * (`events.initCommandLineParser`): a first, lenient parse finds the locustfile (and
 * checks Cicada's own options), the locustfile is loaded, then the full parse knows
 * every flag, so an unknown one is still a usage error and `--help` lists them all.
 */
import { Console } from "node:console";
import { CicadaError } from "../shared/errors.js";
import type { CliIO } from "./io.js";
import type { LoadedLocustfile } from "./locustfile.js";
import { type ParseResult, parseOptions } from "./options.js";
import { loadFromOptions } from "./prepare.js";
import { VERSION } from "./version.js";

export interface ParsedCommandLine extends ParseResult {
  /** The locustfile, loaded to learn its options; undefined for `--worker -f -` (the master sends it). */
  loaded: LoadedLocustfile | undefined;
}

export async function parseWithLocustfile(io: CliIO): Promise<ParsedCommandLine> {
  const sources = { argv: io.argv, env: io.env, cwd: io.cwd, home: io.home };
  const early = parseOptions(sources, VERSION, { early: true });
  if (early.printed !== undefined) return { ...early, loaded: undefined };
  const fetchesLocustfile = early.options.worker === true && early.options.locustfile === "-";
  let loaded: LoadedLocustfile | undefined;
  let note = "";
  if (!fetchesLocustfile) {
    try {
      // --locust-stub's stdout is the stub alone: a locustfile's console.log goes to stderr.
      loaded = await (early.options.locustStub === true ? keepStdoutForTheStub : loadNow)(() =>
        loadFromOptions(early.options, io.cwd),
      );
    } catch (error) {
      if (!early.help || !(error instanceof CicadaError)) throw error;
      // Help still helps without a locustfile; say why its arguments are missing if one was named.
      const named =
        early.options.locustfile !== undefined || error.code !== "CICADA_ERR_LOCUSTFILE_NOT_FOUND";
      if (named) note = `\n(The locustfile's custom arguments are not listed: ${error.message})\n`;
    }
  }
  const parsed = parseOptions(sources, VERSION, { customArguments: loaded?.customArguments ?? [] });
  if (parsed.printed !== undefined) return { ...parsed, printed: parsed.printed + note, loaded };
  return { ...parsed, loaded };
}

const loadNow = <T>(load: () => Promise<T>): Promise<T> => load();

/**
 * Runs `load` with the global `console` writing to stderr: what the locustfile logs while
 * it loads (its top-level code) must not end up in the stub.
 */
async function keepStdoutForTheStub<T>(load: () => Promise<T>): Promise<T> {
  const original = globalThis.console;
  globalThis.console = new Console({ stdout: process.stderr, stderr: process.stderr });
  try {
    return await load();
  } finally {
    globalThis.console = original;
  }
}
