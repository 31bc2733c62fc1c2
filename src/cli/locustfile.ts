/**
 * Loads TypeScript (or JavaScript) locustfiles: esbuild bundles each one into a single
 * ES module (its own imports and npm packages included), which is then imported. The
 * `cicada` import inside the bundle resolves to the running Cicada (a virtual module
 * reading a global), so `instanceof HttpUser` holds and there is one copy of the API.
 * The same bundle text is what a master ships to workers started with `-f -`.
 *
 * esbuild strips types without checking them: `tsc --noEmit` does that, if wanted.
 */
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build, type Message, type Plugin } from "esbuild";
import { collectProtoFiles, loadProtoDefinition, ProtoError } from "../grpc/proto.js";
import { CicadaError, LocustfileError } from "../shared/errors.js";
import {
  type CustomArgument,
  collectCustomArguments,
  type Events,
  isAbstractClass,
  isLoadShapeClass,
  isUserClass,
  type LoadTestShape,
  type UserClass,
} from "../user/index.js";
import { checkCustomArguments } from "./custom-options.js";

const API_GLOBAL = Symbol.for("cicada.api");

/** One bundled locustfile: what a worker needs to load it elsewhere. */
export interface LocustfileBundle {
  /** The file name as the user gave it (relative to the current folder when possible). */
  filename: string;
  /** The bundled ES module. */
  code: string;
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
    if (!existsSync(path) || !statSync(path).isFile()) {
      throw new LocustfileError(
        "CICADA_ERR_LOCUSTFILE_NOT_FOUND",
        `locustfile not found: ${relative(cwd, path) || path}`,
        {
          hint: "Check the path given with -f (a .ts or .js file)",
        },
      );
    }
  }
  return paths;
}

function cicadaImportPlugin(apiNames: readonly string[]): Plugin {
  return {
    name: "cicada-api",
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^cicada$/ }, () => ({ path: "cicada", namespace: "cicada-api" }));
      pluginBuild.onLoad({ filter: /.*/, namespace: "cicada-api" }, () => ({
        loader: "js",
        contents: [
          `const api = globalThis[Symbol.for("cicada.api")];`,
          `if (!api) throw new Error("this locustfile bundle must be run by Cicada");`,
          `export const { ${apiNames.join(", ")} } = api;`,
        ].join("\n"),
      }));
    },
  };
}

/**
 * `import defs from "./service.proto"`: the file and those it imports become a
 * `ProtoSource` inside the bundle, so they travel to `-f -` workers with the locustfile.
 * The .proto is parsed here, so one that does not parse stops the run before it starts.
 */
function protoImportPlugin(failures: ProtoError[]): Plugin {
  return {
    name: "cicada-proto",
    setup(pluginBuild) {
      pluginBuild.onLoad({ filter: /\.proto$/ }, (args) => {
        try {
          const source = collectProtoFiles(args.path);
          loadProtoDefinition(source);
          return { loader: "js", contents: `export default ${JSON.stringify(source)};`, watchFiles: [] };
        } catch (error) {
          if (!(error instanceof ProtoError)) throw error;
          failures.push(error);
          return { errors: [{ text: error.message }] };
        }
      });
    },
  };
}

function formatBuildErrors(messages: readonly Message[], cwd: string): string {
  return messages
    .map((m) => {
      const where = m.location
        ? `${relative(cwd, m.location.file) || m.location.file}:${m.location.line}:${m.location.column + 1}: `
        : "";
      const source = m.location?.lineText ? `\n    ${m.location.lineText.trim()}` : "";
      return `${where}${m.text}${source}`;
    })
    .join("\n");
}

/** Bundles one locustfile with esbuild. Throws LocustfileError with file:line:column on syntax errors. */
export async function bundleLocustfile(
  path: string,
  apiNames: readonly string[],
  cwd: string,
): Promise<string> {
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
      plugins: [cicadaImportPlugin(apiNames), protoImportPlugin(protoFailures)],
      // import.meta.url/dirname point at the original file, so data files next to the
      // locustfile are found although the bundle runs from a temporary folder.
      define: {
        "import.meta.url": JSON.stringify(fileUrl),
        "import.meta.dirname": JSON.stringify(resolve(path, "..")),
        "import.meta.filename": JSON.stringify(path),
      },
      // Bundled CommonJS packages call require(); give them one rooted at the locustfile.
      banner: {
        js: `import { createRequire as __cicadaCreateRequire } from "node:module";\nconst require = __cicadaCreateRequire(${JSON.stringify(fileUrl)});`,
      },
    });
    return result.outputFiles[0]!.text;
  } catch (error) {
    if (protoFailures.length > 0) {
      throw new LocustfileError(
        "CICADA_ERR_PROTO",
        `a .proto file of the locustfile is unusable: ${protoFailures[0]!.message}`,
        {
          hint: "Fix the .proto file (protoc or buf lint show the same problem)",
          cause: error,
        },
      );
    }
    const errors = (error as { errors?: Message[] }).errors;
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
 * Imports a bundle. It is written to a temporary folder (with an inline source map, so
 * stack traces point into the original .ts file) and removed once imported.
 */
export async function importBundle(
  bundle: LocustfileBundle,
  api: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  (globalThis as Record<symbol, unknown>)[API_GLOBAL] = api;
  const dir = mkdtempSync(join(tmpdir(), "cicada-"));
  const file = join(dir, `${basename(bundle.filename).replace(/\.[cm]?[tj]sx?$/, "")}.mjs`);
  try {
    writeFileSync(file, bundle.code);
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    // A mistake Cicada's API already explains (a metric name clash, a bad data set) keeps its own code.
    if (error instanceof CicadaError) throw error;
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const where = error instanceof Error ? thrownAt(error, file) : undefined;
    throw new LocustfileError(
      "CICADA_ERR_LOCUSTFILE_THREW",
      `the locustfile ${bundle.filename} threw while loading:\n${detail}${where ? ` (thrown at ${where})` : ""}`,
      {
        hint: "Code at the top level of a locustfile runs once at start-up; move request logic into tasks or onStart",
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
    const bundle = { filename, code: await bundleLocustfile(path, apiNames, cwd) };
    bundles.push(bundle);
    // Data files are found beside the locustfile that names them.
    events.dataSets.baseDir = dirname(path);
    modules.push({ filename, exports: await importBundle(bundle, api) });
  }
  // Every data file is read and checked now: a bad one stops the run before it starts.
  await events.dataSets.ready();
  return { bundles, events, ...collectExports(modules), customArguments: customArgumentsOf(events) };
}

/** Imports bundles received from a master (`--worker -f -`). */
export async function loadBundles(
  bundles: readonly LocustfileBundle[],
  api: Record<string, unknown>,
): Promise<LoadedLocustfile> {
  const modules: Array<{ filename: string; exports: Record<string, unknown> }> = [];
  for (const bundle of bundles)
    modules.push({ filename: bundle.filename, exports: await importBundle(bundle, api) });
  const events = api.events as Events;
  return {
    bundles: [...bundles],
    events,
    ...collectExports(modules),
    customArguments: customArgumentsOf(events),
  };
}
