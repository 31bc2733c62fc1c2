/** Deterministic statistics and run metadata for report tests (time is injected). */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { ReportMeta } from "../../../src/reports/json-schema.js";
import { RequestStats } from "../../../src/stats/index.js";

/** Start of the synthetic runs: 2026-01-02T03:04:05Z. */
export const T0 = Date.UTC(2026, 0, 2, 3, 4, 5);

/**
 * Ten seconds of traffic: GET /a 1..100 ms (every 10th fails), POST /a 200 ms × 5,
 * GET /b?x="y",z 5 ms × 20 with no body, and an exception; history sampled every second.
 */
export function sampleStats(): RequestStats {
  const stats = new RequestStats({ nowMs: T0 });
  for (let second = 0; second < 10; second++) {
    for (let i = 1; i <= 10; i++) {
      const value = second * 10 + i;
      const now = T0 + second * 1000 + i * 50;
      stats.record("GET", "/a", value, 100, value % 10 === 0 ? `HTTP 500 for ${value % 20}` : null, now);
      if (i <= 2) stats.record("GET", '/b?x="y",z', 5, 0, null, now + 1);
    }
    if (second % 2 === 0) stats.record("POST", "/a", 200, 1000, null, T0 + second * 1000 + 700);
    stats.history.sample(stats, T0 + (second + 1) * 1000, 5);
  }
  stats.recordException(
    "TypeError: x is undefined",
    "TypeError: x is undefined\n    at Api.run (locustfile.ts:3:1)",
    T0 + 3000,
    "local",
  );
  return stats;
}

/** Metadata of the synthetic run. */
export function sampleMeta(overrides: Partial<ReportMeta> = {}): ReportMeta {
  return {
    startTimeMs: T0,
    endTimeMs: T0 + 10_000,
    durationMs: 10_000,
    host: "http://127.0.0.1:8080",
    locustfile: "locustfile.ts",
    loadModel: "users",
    users: 5,
    spawnRate: 5,
    runTimeMs: 10_000,
    shape: null,
    arrivalRate: null,
    openModel: null,
    capacitySearch: null,
    cicadaVersion: "0.0.0-test",
    userClasses: [{ name: "Api", weight: 1, fixedCount: 0, host: null }],
    taskRatio: {
      perClass: { Api: { ratio: 1, tasks: { read: { ratio: 0.75 }, write: { ratio: 0.25 } } } },
      total: { Api: { ratio: 1, tasks: { read: { ratio: 0.75 }, write: { ratio: 0.25 } } } },
    },
    flags: [],
    ...overrides,
  };
}

/** Parses CSV as Python's csv module writes it (QUOTE_MINIMAL, CRLF): rows of fields. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += c;
  }
  if (field !== "" || row.length > 0) throw new Error("CSV does not end with CRLF");
  return rows;
}

/** Rows of a CSV text as objects keyed by `columns` (which must equal the header). */
export function csvRecords(text: string, columns: readonly string[]): Array<Record<string, string>> {
  const [header, ...rows] = parseCsv(text);
  if (JSON.stringify(header) !== JSON.stringify(columns)) {
    throw new Error(`header ${JSON.stringify(header)} differs from ${JSON.stringify(columns)}`);
  }
  return rows.map((row) => {
    if (row.length !== columns.length) throw new Error(`row of ${row.length} fields: ${row.join(",")}`);
    return Object.fromEntries(columns.map((c, i) => [c, row[i]!]));
  });
}

/** A folder this process cannot create files in: chmod 500 for a normal user; /sys (sysfs) for root. */
export function unwritableFolder(scratch: string): string {
  if (process.getuid?.() === 0) return "/sys";
  const dir = join(scratch, "read-only");
  mkdirSync(dir, { mode: 0o500 });
  return dir;
}
