/**
 * The statistics table, Locust's columns, sortable by any column. It stays fast with
 * thousands of names: rows are memoised (an unchanged row keeps its object, so React skips
 * it) and only the rows in view are in the DOM.
 */
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { formatBytes, formatCount, formatMs, formatRate } from "../format.js";
import type { StatsRow } from "../types.js";
import { ChartIcon } from "./ChartIcon.js";

interface Column {
  id: string;
  label: string;
  value: (row: StatsRow) => number | string | null;
  render: (row: StatsRow) => string;
  text?: boolean;
}

const COLUMNS: Column[] = [
  { id: "method", label: "Type", value: (r) => r.method, render: (r) => r.method, text: true },
  { id: "name", label: "Name", value: (r) => r.name, render: (r) => r.name, text: true },
  {
    id: "requests",
    label: "# Requests",
    value: (r) => r.numRequests,
    render: (r) => formatCount(r.numRequests),
  },
  { id: "fails", label: "# Fails", value: (r) => r.numFailures, render: (r) => formatCount(r.numFailures) },
  { id: "median", label: "Median (ms)", value: (r) => r.medianMs, render: (r) => formatMs(r.medianMs) },
  {
    id: "avg",
    label: "Average (ms)",
    value: (r) => r.avgMs,
    render: (r) => formatMs(r.numRequests ? r.avgMs : null),
  },
  { id: "min", label: "Min (ms)", value: (r) => r.minMs, render: (r) => formatMs(r.minMs) },
  {
    id: "max",
    label: "Max (ms)",
    value: (r) => r.maxMs,
    render: (r) => formatMs(r.numRequests ? r.maxMs : null),
  },
  {
    id: "size",
    label: "Average size",
    value: (r) => r.avgContentLength,
    render: (r) => (r.numRequests ? formatBytes(r.avgContentLength) : ""),
  },
  { id: "rps", label: "Current RPS", value: (r) => r.currentRps, render: (r) => formatRate(r.currentRps) },
  {
    id: "failps",
    label: "Current failures/s",
    value: (r) => r.currentFailPerSec,
    render: (r) => formatRate(r.currentFailPerSec),
  },
];

/** Where the percentile columns go: after the median. */
const PERCENTILES_AT = COLUMNS.findIndex((c) => c.id === "median") + 1;

/**
 * The columns, with one per percentile the server lists (UiMeta.percentiles: Locust's
 * 95 and 99 unless --percentiles sets others).
 */
function columnsFor(percentiles: readonly number[]): Column[] {
  const percentileColumns = percentiles.map(
    (p, i): Column => ({
      id: `p${p * 100}`,
      label: `${Number((p * 100).toFixed(6))}%ile (ms)`,
      value: (r) => r.percentilesMs[i] ?? null,
      render: (r) => formatMs(r.percentilesMs[i] ?? null),
    }),
  );
  return [...COLUMNS.slice(0, PERCENTILES_AT), ...percentileColumns, ...COLUMNS.slice(PERCENTILES_AT)];
}

const DEFAULT_PERCENTILES = [0.95, 0.99];

/** Height of one body row in px before it is measured (styles.css asks for 30 px). */
const DEFAULT_ROW_HEIGHT = 30;
/** Rows rendered above and below the visible ones. */
const OVERSCAN = 15;

type Sort = { column: string; descending: boolean };

function compareValues(a: number | string | null, b: number | string | null): number {
  if (a === b) return 0;
  if (a === null) return 1; // empty cells last
  if (b === null) return -1;
  if (typeof a === "string" || typeof b === "string") return String(a).localeCompare(String(b));
  return a - b;
}

function sortRows(rows: StatsRow[], sort: Sort | null, columns: Column[]): StatsRow[] {
  const column = sort === null ? undefined : columns.find((c) => c.id === sort.column);
  if (sort === null || column === undefined) {
    return [...rows].sort((a, b) => compareValues(a.name, b.name) || compareValues(a.method, b.method));
  }
  const sign = sort.descending ? -1 : 1;
  return [...rows].sort(
    (a, b) => sign * compareValues(column.value(a), column.value(b)) || compareValues(a.name, b.name),
  );
}

const Row = memo(function Row({
  row,
  columns,
  onChart,
}: {
  row: StatsRow;
  columns: Column[];
  onChart: (key: string) => void;
}) {
  return (
    <tr data-key={row.key} className={row.numFailures > 0 ? "has-failures" : undefined}>
      {columns.map((c) => (
        <td
          key={c.id}
          className={c.text ? (c.id === "name" ? "name" : undefined) : "number"}
          title={c.id === "name" ? row.name : undefined}
        >
          {c.render(row)}
        </td>
      ))}
      <td className="action">
        <button
          type="button"
          className="link-button"
          aria-label={`Charts of ${row.method} ${row.name}`}
          title="Show the charts of this request"
          onClick={() => onChart(row.key)}
        >
          <ChartIcon />
        </button>
      </td>
    </tr>
  );
});

export function StatsTable({
  rows,
  total,
  percentiles = DEFAULT_PERCENTILES,
  onChart,
}: {
  rows: StatsRow[];
  total: StatsRow | null;
  /** The percentile columns (UiMeta.percentiles). */
  percentiles?: number[] | undefined;
  onChart: (key: string) => void;
}) {
  const [sort, setSort] = useState<Sort | null>(null);
  const percentilesKey = percentiles.join(",");
  // biome-ignore lint/correctness/useExhaustiveDependencies: the list's text is its identity
  const columns = useMemo(() => columnsFor(percentiles), [percentilesKey]);
  const sorted = useMemo(() => sortRows(rows, sort, columns), [rows, sort, columns]);
  const container = useRef<HTMLDivElement>(null);
  const body = useRef<HTMLTableSectionElement>(null);
  const [view, setView] = useState({ top: 0, height: 800 });
  const [rowHeight, setRowHeight] = useState(DEFAULT_ROW_HEIGHT);
  const stableOnChart = useCallback((key: string) => onChart(key), [onChart]);
  const isEmpty = rows.length === 0 && (total === null || total.numRequests === 0);

  // The scroll container exists only once there are rows: attach again when it appears.
  // biome-ignore lint/correctness/useExhaustiveDependencies: isEmpty decides whether the container exists
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    let frame = 0;
    const measure = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => setView({ top: element.scrollTop, height: element.clientHeight }));
    };
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    element.addEventListener("scroll", measure, { passive: true });
    measure();
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
      element.removeEventListener("scroll", measure);
    };
  }, [isEmpty]);

  // The spacers stand in for rows out of view, so they must use the rows' real height.
  useLayoutEffect(() => {
    const row = body.current?.querySelector("tr[data-key]");
    const height = row?.getBoundingClientRect().height;
    if (height && Math.abs(height - rowHeight) > 0.25) setRowHeight(height);
  });

  const first = Math.max(0, Math.floor(view.top / rowHeight) - OVERSCAN);
  const last = Math.min(sorted.length, Math.ceil((view.top + view.height) / rowHeight) + OVERSCAN);
  const visible = sorted.slice(first, last);

  const onHeader = (id: string) =>
    setSort((current) =>
      current?.column === id
        ? current.descending
          ? null
          : { column: id, descending: true }
        : { column: id, descending: false },
    );

  if (isEmpty) {
    return <p className="empty">No requests yet. Start a test to see statistics here.</p>;
  }

  return (
    <div className="table-scroll stats-table" ref={container}>
      <table>
        <thead>
          <tr>
            {columns.map((c) => (
              <th
                key={c.id}
                className={c.text ? undefined : "number"}
                aria-sort={sort?.column === c.id ? (sort.descending ? "descending" : "ascending") : "none"}
              >
                <button type="button" className="sort-button" onClick={() => onHeader(c.id)}>
                  {c.label}
                  <span className="sort-mark">
                    {sort?.column === c.id ? (sort.descending ? " ▼" : " ▲") : ""}
                  </span>
                </button>
              </th>
            ))}
            <th className="action">
              <span className="visually-hidden">Charts</span>
            </th>
          </tr>
        </thead>
        <tbody ref={body}>
          {first > 0 && <tr className="spacer" style={{ height: first * rowHeight }} />}
          {visible.map((row) => (
            <Row key={row.key} row={row} columns={columns} onChart={stableOnChart} />
          ))}
          {last < sorted.length && (
            <tr className="spacer" style={{ height: (sorted.length - last) * rowHeight }} />
          )}
        </tbody>
        {total && (
          <tfoot>
            <tr className="aggregated" data-key="aggregated">
              <td />
              <td className="name">Aggregated</td>
              {columns.slice(2).map((c) => (
                <td key={c.id} className="number">
                  {c.render(total)}
                </td>
              ))}
              <td className="action" />
            </tr>
          </tfoot>
        )}
      </table>
    </div>
  );
}
