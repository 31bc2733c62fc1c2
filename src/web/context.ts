/** What every route of the web server works with. */
import type { OpenModelSettings, Runner } from "../runner/index.js";
import type { DownloadLink, UiMeta } from "./api-types.js";
import type { LiveFeed } from "./live-feed.js";
import type { LogBuffer } from "./log-buffer.js";

export interface WebContext {
  runner: Runner;
  feed: LiveFeed;
  logs: LogBuffer | undefined;
  /** "" or a path such as "/cicada" (no trailing slash). */
  basePath: string;
  distributed: boolean;
  /** --class-picker: /swarm takes user_classes and shape_class. */
  classPicker: boolean;
  /**
   * The command line's --max-users and --max-queue-time (or their defaults), read when the
   * server starts: what an arrival-rate test without those fields and every capacity search
   * run under, never the leftovers of an earlier test that set its own.
   */
  openModelDefaults: OpenModelSettings;
  meta: () => UiMeta;
  /** Path of the full-history CSV being written (--csv with --csv-full-history), if any. */
  fullHistoryCsvPath: (() => string | undefined) | undefined;
  /** Links the Download tab shows besides the CSVs (e.g. the reports of issue #3). */
  extraDownloads: DownloadLink[];
}
