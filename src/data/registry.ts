/**
 * The data sets of one run (`data.csv(...)`, `data.json(...)`), and where their rows
 * come from:
 *
 * - a single process, or a master: it owns the files. Each is read and checked when the
 *   locustfile is loaded ({@link ready}), so a missing or malformed file stops the run
 *   before it starts; then rows are handed out from it.
 * - a worker: its rows come from its Cicada master, which hands out disjoint slices, so
 *   `unique` holds across every worker. A worker needs no copy of the file (`-f -`).
 *   Under a Locust master, which cannot hand out rows, or for a data set the master does
 *   not have, the worker reads its own copy of the file: a missing one ends the worker
 *   with a clear error, and `unique` then holds within that worker only (it says so).
 */
import { isAbsolute, resolve } from "node:path";
import type { Logger } from "../shared/logger.js";
import { type DataOptions, DataSet, dataSetKey, type OnExhausted, type RowProvider } from "./data-set.js";
import { DataOptionsError } from "./errors.js";
import { type DataMode, type DataSpec, openSource, type RowSource } from "./sources.js";

/** A master's answer to a worker's request for rows. */
export interface Served {
  /** False when the master has no such data set (the worker reads its own file). */
  known: boolean;
  rows: unknown[];
  /** Every row was handed out (never for wrap or random). */
  exhausted: boolean;
  /** The rows ran out and the data set stops the test (the master stops it). */
  stopsTest: boolean;
}

/** The most rows one request gets (a worker asks again for more). */
const MAX_ROWS_PER_REQUEST = 10_000;

/** How a worker asks its master for rows. */
export type RemoteFetch = (key: string, count: number) => Promise<{ rows: unknown[]; exhausted: boolean }>;

const MODES: readonly DataMode[] = ["sequential", "unique", "random"];
const ON_EXHAUSTED: readonly OnExhausted[] = ["stopUser", "stopTest", "wrap"];

/** Every data set of a run (see the file comment). */
export class DataSets {
  /** Where relative paths start: the folder of the locustfile being loaded ("" is the current folder). */
  baseDir = "";
  /** A worker: files are not read at load time (the master may serve them). */
  deferFiles = false;
  logger: Logger | undefined;
  private readonly byKey = new Map<string, DataSet<unknown>>();
  /** The sources this process owns, by key (opened once). */
  private readonly sources = new Map<string, Promise<RowSource>>();

  /**
   * Declares a data set (the same file, format and mode twice is one data set).
   * @throws DataOptionsError for options that cannot work.
   */
  declare<Row>(kind: "csv" | "json", path: string, options: DataOptions = {}): DataSet<Row> {
    const spec = this.specOf(kind, path, options);
    const onExhausted = options.onExhausted ?? (spec.mode === "unique" ? "stopUser" : "wrap");
    const existing = this.byKey.get(dataSetKey(spec));
    if (existing !== undefined) {
      if (existing.onExhausted !== onExhausted) {
        throw new DataOptionsError(
          `data.${kind}("${path}") is declared twice in ${spec.mode} mode, with onExhausted "${existing.onExhausted}" and "${onExhausted}"`,
          "Declare each data set once, at the top of the locustfile, and share it",
        );
      }
      return existing as DataSet<Row>;
    }
    const dataSet = new DataSet<Row>(
      spec,
      onExhausted,
      (set) => this.localProvider(set),
      () => this.logger,
    );
    this.byKey.set(dataSet.key, dataSet as DataSet<unknown>);
    // A file of the process that owns it is opened (read and checked) now.
    if (!this.deferFiles) void this.sourceOf(spec).catch(() => {});
    return dataSet;
  }

  /** Every data set, in declaration order. */
  list(): DataSet<unknown>[] {
    return [...this.byKey.values()];
  }

  /** The keys of the data sets, for a master's workers. */
  keys(): string[] {
    return [...this.byKey.keys()];
  }

  /**
   * Resolves when every file this process owns is read and checked.
   * @throws the first file's error (missing, unreadable, does not parse).
   */
  async ready(): Promise<void> {
    if (this.deferFiles) return;
    for (const dataSet of this.byKey.values()) {
      await this.sourceOf(dataSet.spec);
      if (!dataSet.hasProvider) dataSet.setProvider(await this.localProvider(dataSet));
    }
  }

  /** A new test: every data set starts again at its first row. */
  beginTest(): void {
    for (const dataSet of this.byKey.values()) dataSet.beginTest();
  }

  /**
   * A master: `count` rows of the data set `key` for a worker. `known` is false for a key
   * this master does not have (the worker then reads its own file).
   */
  async serve(key: string, count: number): Promise<Served> {
    const dataSet = this.byKey.get(key);
    if (dataSet === undefined) return { known: false, rows: [], exhausted: true, stopsTest: false };
    const source = await this.sourceOf(dataSet.spec);
    const wanted = Math.max(0, Math.min(count, MAX_ROWS_PER_REQUEST));
    const rows = await source.take(wanted);
    const exhausted = rows.length < wanted;
    if (exhausted)
      this.logger?.info(`data ${dataSet.path}: every row was handed out to the workers (${dataSet.mode})`);
    return { known: true, rows, exhausted, stopsTest: exhausted && dataSet.onExhausted === "stopTest" };
  }

  /**
   * A worker: the data sets whose keys are in `served` take their rows from the master
   * through `fetch`; the others read this machine's files, opened now.
   * @throws DataFileError (or DataParseError) when such a file is missing or malformed.
   */
  async connect(served: ReadonlySet<string>, fetch: RemoteFetch): Promise<void> {
    for (const dataSet of this.byKey.values()) {
      if (served.has(dataSet.key)) dataSet.setProvider(remoteProvider(dataSet.key, fetch));
      else await this.readOwnFile(dataSet, "the master does not have this data set");
    }
  }

  /**
   * A worker under a Locust master, which cannot hand out rows: each data set reads this
   * machine's file (and says what that means for unique mode).
   */
  async readOwnFiles(reason: string): Promise<void> {
    for (const dataSet of this.byKey.values()) await this.readOwnFile(dataSet, reason);
  }

  private async readOwnFile(dataSet: DataSet<unknown>, reason: string): Promise<void> {
    dataSet.setProvider(await this.localProvider(dataSet));
    if (dataSet.mode === "unique") {
      this.logger?.warning(
        `data ${dataSet.path} (unique): ${reason}, so this worker reads its own copy: its rows are unique within this worker only, ` +
          "and other workers may hand out the same ones. Give each worker a file of its own accounts, or run a Cicada master.",
      );
    } else {
      this.logger?.info(`data ${dataSet.path}: ${reason}: this worker reads its own copy of the file`);
    }
  }

  private async localProvider(dataSet: DataSet<unknown>): Promise<RowProvider> {
    const source = await this.sourceOf(dataSet.spec);
    return {
      fetch: async (count) => {
        const rows = await source.take(count);
        return { rows, exhausted: rows.length < count };
      },
      reset: () => source.reset(),
      stopsTestItself: true,
    };
  }

  private sourceOf(spec: DataSpec): Promise<RowSource> {
    const key = dataSetKey(spec);
    let source = this.sources.get(key);
    if (source === undefined) {
      source = openSource(spec);
      this.sources.set(key, source);
    }
    return source;
  }

  /** Closes the files this process reads. */
  async close(): Promise<void> {
    for (const source of this.sources.values()) await (await source.catch(() => undefined))?.close();
  }

  private specOf(kind: "csv" | "json", path: string, options: DataOptions): DataSpec {
    const call = `data.${kind}(${JSON.stringify(path)})`;
    if (typeof path !== "string" || path.trim() === "") {
      throw new DataOptionsError(
        `${call}: the path must be a file name`,
        `Write data.${kind}("users.${kind}")`,
      );
    }
    if (typeof options !== "object" || options === null) {
      throw new DataOptionsError(`${call}: options must be an object`, '{ mode: "unique" }');
    }
    const unknown = Object.keys(options).filter((k) => k !== "mode" && k !== "onExhausted");
    if (unknown.length > 0) {
      throw new DataOptionsError(
        `${call}: unknown option(s) ${unknown.join(", ")}`,
        "The options are mode and onExhausted",
      );
    }
    const mode = options.mode ?? "sequential";
    if (!MODES.includes(mode)) {
      throw new DataOptionsError(
        `${call}: mode ${JSON.stringify(mode)} is not one of ${MODES.join(", ")}`,
        'mode: "unique"',
      );
    }
    const onExhausted = options.onExhausted;
    if (onExhausted !== undefined && !ON_EXHAUSTED.includes(onExhausted)) {
      throw new DataOptionsError(
        `${call}: onExhausted ${JSON.stringify(onExhausted)} is not one of ${ON_EXHAUSTED.join(", ")}`,
        'onExhausted: "stopTest"',
      );
    }
    if (mode === "unique" && onExhausted === "wrap") {
      throw new DataOptionsError(
        `${call}: unique rows cannot wrap: a row handed out again would no longer be unique`,
        'Use mode: "sequential" to go round the rows again, or onExhausted: "stopUser" / "stopTest"',
      );
    }
    if (mode === "random" && onExhausted !== undefined && onExhausted !== "wrap") {
      throw new DataOptionsError(
        `${call}: random rows never run out`,
        "Leave onExhausted out in random mode",
      );
    }
    return {
      kind,
      path,
      file: isAbsolute(path) ? path : resolve(this.baseDir, path),
      mode,
      wrap: mode === "random" || (onExhausted ?? (mode === "unique" ? "stopUser" : "wrap")) === "wrap",
    };
  }
}

function remoteProvider(key: string, fetch: RemoteFetch): RowProvider {
  return { fetch: (count) => fetch(key, count), reset: () => {}, stopsTestItself: false };
}
