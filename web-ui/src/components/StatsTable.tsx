/**
 * The statistics table, Locust's columns (the percentiles the server lists, and in an
 * arrival-rate test the same from the intended start), sortable by any column, filterable
 * by name or method, with a column selector. It stays fast with thousands of names: rows
 * are memoised (an unchanged row keeps its object, so React skips it) and only the rows in
 * view are in the DOM.
 */
import { memo, useCallback, useMemo, useState } from "react";
import { type Column, statsColumns } from "../stats-columns.js";
import type { StatsRow } from "../types.js";
import { usePersistent } from "../usePersistent.js";
import { ChartIcon } from "./ChartIcon.js";
import { ColumnPicker } from "./ColumnPicker.js";
import { FilterBox, matchesFilter } from "./FilterBox.js";
import { useVirtualRows } from "./useVirtualRows.js";

type Sort = { column: string; descending: boolean };

function compareValues(a: number | string | null, b: number | string | null): number {
  if (a === b) return 0;
  if (a === null) return 1; // empty cells last
  if (b === null) return -1;
  if (typeof a === "string" || typeof b === "string") return String(a).localeCompare(String(b));
  return a - b;
}

function sortRows(rows: StatsRow[], sort: Sort | null, columns: Column[]): StatsRow[] {
  const column = sort && columns.find((c) => c.id === sort.column);
  if (!sort || !column) {
    return [...rows].sort((a, b) => compareValues(a.name, b.name) || compareValues(a.method, b.method));
  }
  const sign = sort.descending ? -1 : 1;
  return [...rows].sort(
    (a, b) => sign * compareValues(column.value(a), column.value(b)) || compareValues(a.name, b.name),
  );
}

const cellClass = (c: Column) => (c.text ? (c.id === "name" ? "name" : undefined) : "number");

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
          className={cellClass(c)}
          data-column={c.id}
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
  percentiles,
  filter,
  onFilter,
  onChart,
}: {
  rows: StatsRow[];
  total: StatsRow | null;
  /** The server's percentile columns besides the median. */
  percentiles: readonly number[];
  filter: string;
  onFilter: (filter: string) => void;
  onChart: (key: string) => void;
}) {
  const [sort, setSort] = useState<Sort | null>(null);
  const [hidden, setHidden] = usePersistent<string[]>("cicada.stats.hiddenColumns", []);
  // An arrival-rate test's rows carry times from the intended start; a closed model's never do.
  const intended = useMemo(
    () => total?.intendedMedianMs !== undefined || rows.some((r) => r.intendedMedianMs !== undefined),
    [rows, total],
  );
  const allColumns = useMemo(() => statsColumns(percentiles, intended), [percentiles, intended]);
  const columns = useMemo(() => allColumns.filter((c) => !hidden.includes(c.id)), [allColumns, hidden]);
  const matching = useMemo(
    () => (filter.trim() === "" ? rows : rows.filter((r) => matchesFilter(filter, r.name, r.method))),
    [rows, filter],
  );
  const sorted = useMemo(() => sortRows(matching, sort, allColumns), [matching, sort, allColumns]);
  const stableOnChart = useCallback((key: string) => onChart(key), [onChart]);
  const isEmpty = rows.length === 0 && (total === null || total.numRequests === 0);
  const { container, body, first, last, rowHeight } = useVirtualRows(sorted.length, isEmpty);
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
    <>
      <div className="table-tools">
        <FilterBox
          value={filter}
          onChange={onFilter}
          label="Filter requests by name or method"
          shown={sorted.length}
          total={rows.length}
        />
        <ColumnPicker columns={allColumns} hidden={hidden} onHidden={setHidden} />
      </div>
      <div className="table-scroll stats-table" ref={container}>
        <table>
          <thead>
            <tr>
              {columns.map((c) => (
                <th
                  key={c.id}
                  className={c.text ? undefined : "number"}
                  aria-sort={sort?.column === c.id ? (sort.descending ? "descending" : "ascending") : "none"}
                  title={c.title}
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
                {columns.map((c) => (
                  <td key={c.id} className={cellClass(c)} data-column={c.id}>
                    {c.id === "method" ? "" : c.id === "name" ? "Aggregated" : c.render(total)}
                  </td>
                ))}
                <td className="action" />
              </tr>
            </tfoot>
          )}
        </table>
      </div>
    </>
  );
}
