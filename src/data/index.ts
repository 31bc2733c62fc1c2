/**
 * Test data for locustfiles: `data.csv("users.csv", { mode: "unique" })`, then
 * `await accounts.next()` in a user. One copy of the rows per process (large CSV files
 * streamed from disk), and in a distributed test the master hands out the rows, so
 * unique rows stay unique across every worker. See docs/api.md#test-data.
 */
import type { DataOptions, DataSet } from "./data-set.js";
import type { DataSets } from "./registry.js";

export { CsvParser, CsvSyntaxError, type RowHandler } from "./csv-parser.js";
export { type DataOptions, DataSet, dataSetKey, type OnExhausted, type RowProvider } from "./data-set.js";
export { DataFileError, DataOptionsError, DataParseError } from "./errors.js";
export { DataSets, type RemoteFetch, type Served } from "./registry.js";
export {
  type DataMode,
  type DataSpec,
  inMemoryLimitBytes,
  openSource,
  type RowSource,
  setInMemoryLimitBytes,
} from "./sources.js";

/** The `data` export of "cicada". */
export interface DataApi {
  /**
   * A CSV file's rows, as records keyed by its header line. The path is relative to the
   * locustfile's folder.
   * @example const accounts = data.csv<{ username: string; password: string }>("users.csv", { mode: "unique" });
   */
  csv<Row = Record<string, string>>(path: string, options?: DataOptions): DataSet<Row>;
  /** A JSON file holding an array: one row per element. */
  json<Row = unknown>(path: string, options?: DataOptions): DataSet<Row>;
}

/** The `data` object of a run, declaring into `dataSets`. */
export function dataApiFor(dataSets: DataSets): DataApi {
  return {
    csv: (path, options) => dataSets.declare("csv", path, options),
    json: (path, options) => dataSets.declare("json", path, options),
  };
}
