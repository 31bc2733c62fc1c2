/**
 * Where report files go, and the check that they can be written, made before a test
 * starts so a typo in a path costs seconds, not a whole run.
 */
import { randomUUID } from "node:crypto";
import { accessSync, closeSync, constants, existsSync, openSync, statSync, unlinkSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { CSV_FILES } from "../reports/csv.js";
import { EnvironmentError, UsageError } from "../shared/errors.js";
import type { ReportOptions } from "./options-reports.js";
import { isWrittenInPlace, reportTarget } from "./report-files.js";

/** Absolute paths of every file the run will write. */
export interface OutputPaths {
  csv?: {
    stats: string;
    history: string;
    failures: string;
    exceptions: string;
    iterations: string;
    checks: string;
    metrics: string;
  };
  html?: string;
  jsonFile?: string;
  junit?: string;
}

/** What {u}, {r} and {t} in --html become. */
export interface HtmlSubstitutions {
  users: number | undefined;
  spawnRate: number | undefined;
  runTimeMs: number | undefined;
}

/**
 * Locust's --html substitutions: {u} users, {r} spawn rate, {t} run time in whole seconds
 * ("none" when not set, e.g. with a load shape or no -t).
 */
export function substituteHtmlPath(template: string, values: HtmlSubstitutions): string {
  const text = (value: number | undefined) => (value === undefined ? "none" : String(value));
  return template
    .replaceAll("{u}", text(values.users))
    .replaceAll("{r}", text(values.spawnRate))
    .replaceAll(
      "{t}",
      text(values.runTimeMs === undefined ? undefined : Math.round(values.runTimeMs / 1000)),
    );
}

/** Resolves the report paths given in the options, relative to `cwd`. */
export function resolveOutputPaths(report: ReportOptions, cwd: string, html: HtmlSubstitutions): OutputPaths {
  const paths: OutputPaths = {};
  if (report.csv !== undefined) {
    // Locust uses the prefix as written: "--csv out/run/" writes out/run/_stats.csv, in the
    // folder (resolve() would drop the slash and write out/run_stats.csv beside it).
    const folder = /[/\\]$/.test(report.csv) ? "/" : "";
    const prefix = resolve(cwd, report.csv) + folder;
    paths.csv = {
      stats: prefix + CSV_FILES.stats,
      history: prefix + CSV_FILES.history,
      failures: prefix + CSV_FILES.failures,
      exceptions: prefix + CSV_FILES.exceptions,
      iterations: prefix + CSV_FILES.iterations,
      checks: prefix + CSV_FILES.checks,
      metrics: prefix + CSV_FILES.metrics,
    };
  }
  if (report.html !== undefined) paths.html = resolve(cwd, substituteHtmlPath(report.html, html));
  if (report.jsonFile !== undefined) paths.jsonFile = jsonFilePath(report.jsonFile, cwd);
  if (report.junit !== undefined) paths.junit = resolve(cwd, report.junit);
  return paths;
}

/**
 * The file `--json-file NAME` writes: NAME.json, as Locust's does, unless NAME is written in
 * place (`/dev/stdout`, `/dev/stderr`, a FIFO, a device): `/dev/stdout.json` would be a new
 * regular file in /dev, and the report would not reach the stream the user named.
 */
export function jsonFilePath(name: string, cwd: string): string {
  const path = resolve(cwd, name);
  return isWrittenInPlace(path) ? path : `${path}.json`;
}

/**
 * Why `path` cannot be written, or undefined when it can. A FIFO or a device (`/dev/stdout`)
 * is written in place, so only its own permission counts; a regular file (or the file a
 * symlink points to) is replaced by a sibling, so its folder must be writable too
 * (report-files.ts).
 */
export function unwritableReason(path: string): string | undefined {
  if (reportTarget(path).kind === "stream") return undefined;
  if (existsSync(path)) {
    if (statSync(path).isDirectory()) return `${path} is a folder`;
    try {
      accessSync(path, constants.W_OK);
    } catch {
      return `${path} is not writable`;
    }
  }
  const target = reportTarget(path);
  if (target.kind !== "atomic") return undefined;
  const dir = dirname(target.path);
  if (!existsSync(dir)) return `the folder ${dir} does not exist`;
  if (!statSync(dir).isDirectory()) return `${dir} is not a folder`;
  // Permission bits do not tell everything (root, read-only mounts): create a file to know.
  const probe = resolve(dir, `.cicada-write-check-${randomUUID()}`);
  try {
    closeSync(openSync(probe, "wx"));
    unlinkSync(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    return `the folder ${dir} is not writable (${code})`;
  }
  return undefined;
}

/**
 * What a report path writes, for finding two reports on one file: "stdout" or "stderr" for
 * the standard streams under any of their names (`/dev/stdout`, `/dev/fd/1`, a link to
 * them), otherwise the file itself (a symlink counts as the file it points to).
 */
function clashKey(path: string): string {
  const target = reportTarget(path);
  return target.kind === "stream" ? target.stream : target.path;
}

const STREAM_NAMES: Record<string, string> = { stdout: "standard output", stderr: "standard error" };

/**
 * Two reports to one file: the second would silently replace the first (or both would mix
 * on standard output, where --json prints).
 * @throws UsageError naming the flags and the file (exit code 2).
 */
function checkNoClash(wanted: ReadonlyArray<[label: string, path: string]>, jsonToStdout: boolean): void {
  const owners = new Map<string, string>();
  if (jsonToStdout) owners.set("stdout", "--json");
  for (const [label, path] of wanted) {
    const key = clashKey(path);
    const owner = owners.get(key);
    if (owner !== undefined && owner !== label) {
      const where = STREAM_NAMES[key] ?? path;
      throw new UsageError("CICADA_ERR_OUTPUT_CLASH", `${owner} and ${label} would both write ${where}`, {
        hint: "Give each report a file of its own",
      });
    }
    owners.set(key, label);
  }
}

/**
 * Checks every output path: no two reports to one file, each one writable.
 * @throws UsageError when two reports name one file (exit code 2).
 * @throws EnvironmentError listing each path that cannot be written (exit code 4).
 */
export function checkOutputPaths(paths: OutputPaths, jsonToStdout = false): void {
  const wanted: Array<[label: string, path: string]> = [];
  if (paths.csv) {
    for (const path of Object.values(paths.csv)) wanted.push(["--csv", path]);
  }
  if (paths.html) wanted.push(["--html", paths.html]);
  if (paths.jsonFile) wanted.push(["--json-file", paths.jsonFile]);
  if (paths.junit) wanted.push(["--junit", paths.junit]);
  checkNoClash(wanted, jsonToStdout);
  // One line per (flag, reason): four CSV files in a missing folder are one mistake.
  const problems = new Map<string, string>();
  for (const [label, path] of wanted) {
    const reason = unwritableReason(path);
    if (reason !== undefined && !problems.has(`${label} ${reason}`)) {
      problems.set(`${label} ${reason}`, `✖ ${label}: cannot write ${path}: ${reason}`);
    }
  }
  if (problems.size > 0) {
    throw new EnvironmentError(
      "CICADA_ERR_OUTPUT_PATH",
      `cannot write the report files:\n${[...problems.values()].join("\n")}`,
      {
        hint: "Name a file, in a folder that exists and that you can write to (create the folder first)",
      },
    );
  }
}
