/**
 * Loads TypeScript (or JavaScript) locustfiles: esbuild bundles each one with its own
 * modules into a single ES module, which is then imported. npm packages are not bundled:
 * they stay imports, which Node resolves from the locustfile's folder as it would for the
 * locustfile itself (package-resolution.ts), so packages with native parts, `__dirname`
 * or lazy `import()`s work as they do anywhere. The `cicada-load` (or older `cicada`)
 * import inside the bundle resolves to the running Cicada (a virtual module reading a
 * global), so `instanceof HttpUser` holds and there is one copy of the API. The same
 * bundle text is what a master ships to workers started with `-f -`; they need the
 * packages installed.
 *
 * esbuild strips types without checking them: `tsc --noEmit` does that, if wanted.
 */
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, extname, join, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { build, type Message } from "esbuild";
import type { ProtoError } from "../grpc/proto.js";
import { CicadaError, LocustfileError } from "../shared/errors.js";
import {
  type CustomArgument,
  camelCase,
  collectCustomArguments,
  type Events,
  isAbstractClass,
  isLoadShapeClass,
  isUserClass,
  type LoadTestShape,
  type UserClass,
} from "../user/index.js";
import { cicadaImportPlugin, externalPackagesPlugin, protoImportPlugin } from "./bundle-plugins.js";
import { checkCustomArguments } from "./custom-options.js";
import { importUrlResolvingFrom, missingPackageOf } from "./package-resolution.js";

const API_GLOBAL = Symbol.for("cicada.api");

/** One bundled locustfile: what a worker needs to load it elsewhere. */
export interface LocustfileBundle {
  /** The file name as the user gave it (relative to the current folder when possible). */
  filename: string;
  /** The bundled ES module. */
  code: string;
  /** The locustfile's folder where it was bundled: its npm packages are resolved from there. */
  dir?: string | undefined;
  /**
   * The npm packages the bundle imports (known where it was bundled). None: it is imported
   * without the package-resolution hook, which costs a thread and some start-up time.
   */
  packages?: readonly string[] | undefined;
}

export interface LoadedLocustfile {
  bundles: LocustfileBundle[];
  /** The `events` object the locustfiles imported. */
  events: Events;
  /** Every concrete user class exported, in file then export order. */
  userClasses: UserClass[];
  /** The first LoadTestShape exported (the one a test follows unless the class picker chooses). */
  shapeClass: (new () => LoadTestShape) | undefined;
  /** Every LoadTestShape exported (more than one only makes sense with --class-picker). */
  shapeClasses: Array<new () => LoadTestShape>;
  /** Everything the locustfiles export, by name (for `thresholds` and other settings). */
  exports: Record<string, unknown>;
  /** The custom arguments its `initCommandLineParser` listeners added. */
  customArguments: readonly CustomArgument[];
}

/** Fires `initCommandLineParser` once the modules are imported; a bad definition is a locustfile error. */
function customArgumentsOf(events: Events): readonly CustomArgument[] {
  const collected = collectCustomArguments(events.initCommandLineParser);
  checkCustomArguments(collected.arguments, collected.problems);
  return collected.arguments;
}

/** Finds the locustfile(s) to load: -f (comma-separated), else locustfile.ts, else locustfile.js. */
export function resolveLocustfilePaths(option: string | undefined, cwd: string): string[] {
  if (option === undefined) {
    for (const candidate of ["locustfile.ts", "locustfile.js"]) {
      if (existsSync(join(cwd, candidate))) return [join(cwd, candidate)];
    }
    // A Locust user's folder: say what Cicada makes of the file it holds, not only what is missing.
    if (existsSync(join(cwd, "locustfile.py"))) checkLocustfileType("locustfile.py");
    throw new LocustfileError(
      "CICADA_ERR_LOCUSTFILE_NOT_FOUND",
      `no locustfile.ts or locustfile.js in ${cwd}`,
      {
        hint: "Give one with -f path/to/locustfile.ts",
      },
    );
  }
  const paths = option
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "")
    .map((p) => resolve(cwd, p));
  for (const path of paths) {
    if (existsSync(path) && statSync(path).isDirectory()) folderGiven(path, relative(cwd, path) || path);
    if (!existsSync(path) || !statSync(path).isFile()) {
      throw new LocustfileError(
        "CICADA_ERR_LOCUSTFILE_NOT_FOUND",
        `locustfile not found: ${relative(cwd, path) || path}`,
        {
          hint: "Check the path given with -f (a .ts or .js file)",
        },
      );
    }
    checkLocustfileType(relative(cwd, path) || path);
  }
  return paths;
}

/** -f named a folder: what it holds says what to give instead (its Python locustfile is named as such). */
function folderGiven(path: string, shown: string): never {
  const inside = ["locustfile.ts", "locustfile.js"].find((name) => existsSync(join(path, name)));
  if (inside === undefined && existsSync(join(path, "locustfile.py")))
    checkLocustfileType(join(shown, "locustfile.py"));
  throw new LocustfileError("CICADA_ERR_LOCUSTFILE_NOT_FOUND", `-f ${shown} is a folder, not a locustfile`, {
    hint: `Give the file: -f ${join(shown, inside ?? "locustfile.ts")}`,
  });
}

/** What the bundler reads as a locustfile: TypeScript and JavaScript, in their module flavours. */
const LOCUSTFILE_EXTENSIONS = new Set([".ts", ".mts", ".cts", ".tsx", ".js", ".mjs", ".cjs", ".jsx"]);

/**
 * A locustfile in another language (Locust's own locustfile.py is the likely one) is named
 * as such, instead of failing later as a "syntax error" of the bundler.
 * @throws LocustfileError CICADA_ERR_LOCUSTFILE_TYPE
 */
function checkLocustfileType(shown: string): void {
  const extension = extname(shown).toLowerCase();
  if (LOCUSTFILE_EXTENSIONS.has(extension)) return;
  if (extension === ".py") {
    throw new LocustfileError(
      "CICADA_ERR_LOCUSTFILE_TYPE",
      `${shown} is a Python locustfile: Cicada runs locustfiles written in TypeScript or JavaScript (.ts, .js)`,
      {
        hint: "Port it (the names are Locust's: HttpUser, task, between; see README 'Your first locustfile'), or run it with `locust --worker` under a Cicada master (docs/distributed.md)",
      },
    );
  }
  throw new LocustfileError(
    "CICADA_ERR_LOCUSTFILE_TYPE",
    `${shown} is not a TypeScript or JavaScript file (expected one of ${[...LOCUSTFILE_EXTENSIONS].join(", ")})`,
    { hint: "Give -f a locustfile.ts or locustfile.js" },
  );
}

/** CICADA_ERR_PROTO, at the import in the locustfile (esbuild's error for it has the location). */
function protoImportError(
  failure: ProtoError,
  errors: readonly Message[],
  cwd: string,
  cause: unknown,
): LocustfileError {
  const atImport = errors.find((m) => m.text === failure.message);
  const found = atImport === undefined ? failure.message : formatBuildErrors([atImport], cwd);
  const where = found.split(`${cwd}${sep}`).join(""); // the .proto paths, as the user sees them
  const hint =
    failure.missingPath === undefined
      ? "Fix the .proto file (protoc or buf lint show the same problem)"
      : `There is no file at ${relative(cwd, failure.missingPath) || failure.missingPath}: check the path, relative to the file that imports it`;
  return new LocustfileError("CICADA_ERR_PROTO", `a .proto file of the locustfile is unusable: ${where}`, {
    hint,
    cause,
  });
}

function formatBuildErrors(messages: readonly Message[], cwd: string): string {
  return messages
    .map((m) => {
      const where = m.location
        ? `${relative(cwd, resolve(cwd, m.location.file)) || m.location.file}:${m.location.line}:${m.location.column + 1}: `
        : "";
      const source = m.location?.lineText ? `\n    ${m.location.lineText.trim()}` : "";
      return `${where}${m.text}${source}`;
    })
    .join("\n");
}

/**
 * Bundles one locustfile with esbuild: the code, and the npm packages it imports. Throws
 * LocustfileError with file:line:column on syntax errors.
 */
export async function bundleLocustfile(
  path: string,
  apiNames: readonly string[],
  cwd: string,
): Promise<{ code: string; packages: string[] }> {
  const fileUrl = pathToFileURL(path).href;
  const protoFailures: ProtoError[] = [];
  try {
    const result = await build({
      entryPoints: [path],
      bundle: true,
      format: "esm",
      platform: "node",
      target: "node20",
      write: false,
      sourcemap: "inline",
      sourcesContent: false,
      // Map sources are relative to cwd; the root makes stack traces show the real path
      // although the bundle runs from a temporary folder.
      absWorkingDir: cwd,
      sourceRoot: `${pathToFileURL(cwd).href}/`,
      logLevel: "silent",
      metafile: true,
      plugins: [cicadaImportPlugin(apiNames), externalPackagesPlugin, protoImportPlugin(protoFailures)],
      // import.meta.url/dirname point at the original file, so data files next to the
      // locustfile are found although the bundle runs from a temporary folder.
      define: {
        "import.meta.url": JSON.stringify(fileUrl),
        "import.meta.dirname": JSON.stringify(resolve(path, "..")),
        "import.meta.filename": JSON.stringify(path),
      },
      // A locustfile's own require() calls resolve where its packages are (importBundle's folder).
      banner: {
        js: `import { createRequire as __cicadaCreateRequire } from "node:module";\nconst require = __cicadaCreateRequire(new URL(import.meta.url).searchParams.get("cicada-base") ?? import.meta.url);`,
      },
    });
    const packages = new Set<string>();
    for (const output of Object.values(result.metafile.outputs)) {
      for (const imported of output.imports) {
        if (imported.external && !isBuiltin(imported.path)) packages.add(imported.path);
      }
    }
    return { code: result.outputFiles[0]!.text, packages: [...packages] };
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors;
    if (protoFailures.length > 0) throw protoImportError(protoFailures[0]!, errors ?? [], cwd, error);
    const missingExport = errors === undefined ? undefined : missingApiImport(errors, apiNames);
    if (missingExport !== undefined) throw missingExport;
    if (errors && errors.length > 0) {
      throw new LocustfileError(
        "CICADA_ERR_LOCUSTFILE_SYNTAX",
        `cannot compile the locustfile:\n${formatBuildErrors(errors, cwd)}`,
        {
          hint: "Fix the syntax error above; run `npx tsc --noEmit` for type errors",
          cause: error,
        },
      );
    }
    throw error;
  }
}

/**
 * An import of a name Cicada does not export (Locust's `constant_pacing`, `between` misspelt):
 * esbuild's message named an internal namespace and the hint called it a syntax error.
 */
function missingApiImport(
  errors: readonly Message[],
  apiNames: readonly string[],
): LocustfileError | undefined {
  for (const error of errors) {
    const match = /^No matching export in "cicada-api:[^"]*" for import "([^"]+)"$/.exec(error.text);
    if (match === null) continue;
    const name = match[1]!;
    const camel = camelCase(name);
    const exports = new Set(apiNames);
    const suggestion =
      camel !== name && exports.has(camel)
        ? `Cicada's name is ${camel} (Locust's ${name} in camelCase)`
        : "see docs/api.md for what cicada-load exports (docs/from-locust.md maps Locust's names)";
    // esbuild's location is relative to the folder it ran in already.
    const where = error.location
      ? `${error.location.file}:${error.location.line}:${error.location.column + 1}: `
      : "";
    return new LocustfileError(
      "CICADA_ERR_LOCUSTFILE_SYNTAX",
      `${where}the locustfile imports ${name} from Cicada, which exports no such name`,
      { hint: suggestion },
    );
  }
  return undefined;
}

/**
 * Imports a bundle. It is written to a temporary folder (with an inline source map, so
 * stack traces point into the original .ts file) and removed once imported; its npm
 * packages are resolved from `packagesDir` (the locustfile's folder).
 */
export async function importBundle(
  bundle: LocustfileBundle,
  api: Record<string, unknown>,
  packagesDir: string,
): Promise<Record<string, unknown>> {
  (globalThis as Record<symbol, unknown>)[API_GLOBAL] = api;
  const dir = mkdtempSync(join(tmpdir(), "cicada-"));
  const file = join(dir, `${basename(bundle.filename).replace(/\.[cm]?[tj]sx?$/, "")}.mjs`);
  try {
    writeFileSync(file, bundle.code);
    const withPackages = bundle.packages === undefined || bundle.packages.length > 0;
    return (await import(importUrlResolvingFrom(file, packagesDir, withPackages))) as Record<string, unknown>;
  } catch (error) {
    // A mistake Cicada's API already explains (a metric name clash, a bad data set) keeps its own code.
    if (error instanceof CicadaError) throw error;
    const missing = missingPackageOf(error);
    if (missing !== undefined) {
      throw new LocustfileError(
        "CICADA_ERR_LOCUSTFILE_PACKAGE",
        `the locustfile ${bundle.filename} imports the npm package '${missing}', which is not installed in ${packagesDir} (nor in a node_modules folder above it)`,
        {
          hint: `Install it there: npm install ${missing} (a worker started with -f - needs the locustfile's packages too)`,
          cause: error,
        },
      );
    }
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const where = error instanceof Error ? thrownAt(error, file) : undefined;
    throw new LocustfileError(
      "CICADA_ERR_LOCUSTFILE_THREW",
      `the locustfile ${bundle.filename} threw while loading:\n${detail}${where ? ` (thrown at ${where})` : ""}`,
      {
        hint: "The locustfile's top-level code and decorators run once at start-up: fix the line named above (requests belong in tasks or onStart)",
        cause: error,
      },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The first frame of the locustfile's own code in an error's stack, as "file:line:column". */
function thrownAt(error: Error, bundleFile: string): string | undefined {
  for (const line of (error.stack ?? "").split("\n")) {
    const match = /at (?:.*\()?(.+?:\d+:\d+)\)?$/.exec(line.trim());
    if (match && !match[1]!.startsWith("node:") && !match[1]!.includes(bundleFile)) return match[1];
  }
  return undefined;
}

/** Finds the user classes, the load shape and other exports of imported locustfiles. */
export function collectExports(
  modules: Array<{ filename: string; exports: Record<string, unknown> }>,
): Omit<LoadedLocustfile, "bundles" | "events" | "customArguments"> {
  const userClasses: UserClass[] = [];
  const owners = new Map<string, string>();
  const shapes: Array<new () => LoadTestShape> = [];
  const allExports: Record<string, unknown> = {};
  for (const { filename, exports } of modules) {
    for (const [exportName, value] of Object.entries(exports)) {
      allExports[exportName] = value;
      if (isUserClass(value) && !isAbstractClass(value)) {
        if (userClasses.includes(value)) continue;
        const previous = owners.get(value.name);
        if (previous !== undefined) {
          throw new LocustfileError(
            "CICADA_ERR_DUPLICATE_USER_CLASS",
            `two user classes are named ${value.name} (in ${previous} and ${filename})`,
            {
              hint: "Rename one of them: Cicada, its stats and the Locust protocol identify user classes by name",
            },
          );
        }
        owners.set(value.name, filename);
        userClasses.push(value);
      } else if (isLoadShapeClass(value) && !isAbstractClass(value)) {
        shapes.push(value);
      }
    }
  }
  return { userClasses, shapeClass: shapes[0], shapeClasses: shapes, exports: allExports };
}

/** Bundles, imports and inspects the locustfiles. */
export async function loadLocustfiles(
  paths: readonly string[],
  api: Record<string, unknown>,
  cwd: string,
): Promise<LoadedLocustfile> {
  const apiNames = Object.keys(api).filter((name) => /^[A-Za-z_$][\w$]*$/.test(name));
  const bundles: LocustfileBundle[] = [];
  const modules: Array<{ filename: string; exports: Record<string, unknown> }> = [];
  const events = api.events as Events;
  for (const path of paths) {
    const filename = relative(cwd, path) || path;
    const { code, packages } = await bundleLocustfile(path, apiNames, cwd);
    const bundle = { filename, code, dir: dirname(path), packages };
    bundles.push(bundle);
    // Data files are found beside the locustfile that names them.
    events.dataSets.baseDir = dirname(path);
    modules.push({ filename, exports: await importBundle(bundle, api, bundle.dir) });
  }
  // Every data file is read and checked now: a bad one stops the run before it starts.
  await events.dataSets.ready();
  return { bundles, events, ...collectExports(modules), customArguments: customArgumentsOf(events) };
}

/**
 * Imports bundles received from a master (`--worker -f -`). Their npm packages are
 * resolved from the master's locustfile folder when this machine has it (workers of
 * --processes, or the same checkout everywhere), else from `cwd`.
 */
export async function loadBundles(
  bundles: readonly LocustfileBundle[],
  api: Record<string, unknown>,
  cwd: string,
): Promise<LoadedLocustfile> {
  const modules: Array<{ filename: string; exports: Record<string, unknown> }> = [];
  for (const bundle of bundles) {
    const packagesDir = bundle.dir !== undefined && existsSync(bundle.dir) ? bundle.dir : cwd;
    modules.push({ filename: bundle.filename, exports: await importBundle(bundle, api, packagesDir) });
  }
  const events = api.events as Events;
  return {
    bundles: [...bundles],
    events,
    ...collectExports(modules),
    customArguments: customArgumentsOf(events),
  };
}
