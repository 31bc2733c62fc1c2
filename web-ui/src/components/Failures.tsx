/**
 * The Failures tab: failed requests grouped by method, name and error. Like the
 * statistics table it holds hundreds of groups without keeping the page busy: a group
 * that did not change keeps its object (so its memoised row is not rendered again), only
 * the rows in view are in the page, and a filter finds one by name, method or message.
 */
import { memo, useMemo, useRef } from "react";
import { formatCount, formatTime } from "../format.js";
import type { ErrorSnapshot, FailuresResponse } from "../types.js";
import { FilterBox, matchesFilter } from "./FilterBox.js";
import { usePolling } from "./usePolling.js";
import { useVirtualRows } from "./useVirtualRows.js";

const keyOf = (e: ErrorSnapshot) => `${e.method}\t${e.name}\t${e.error}`;

/**
 * The new list with the previous objects kept for groups that did not change, so React
 * skips their rows (the server sends every group each time).
 */
export function keepUnchanged(
  previous: ReadonlyMap<string, ErrorSnapshot>,
  next: readonly ErrorSnapshot[],
): ErrorSnapshot[] {
  return next.map((row) => {
    const before = previous.get(keyOf(row));
    return before !== undefined &&
      before.occurrences === row.occurrences &&
      before.lastSeenMs === row.lastSeenMs
      ? before
      : row;
  });
}

const FailureRow = memo(function FailureRow({ failure }: { failure: ErrorSnapshot }) {
  return (
    <tr data-key={keyOf(failure)}>
      <td className="number">{formatCount(failure.occurrences)}</td>
      <td>{failure.method}</td>
      <td className="name" title={failure.name}>
        {failure.name}
      </td>
      <td className="message" title={failure.error}>
        {failure.error}
      </td>
      <td>
        <time dateTime={new Date(failure.firstSeenMs).toISOString()}>{formatTime(failure.firstSeenMs)}</time>
      </td>
      <td>
        <time dateTime={new Date(failure.lastSeenMs).toISOString()}>{formatTime(failure.lastSeenMs)}</time>
      </td>
    </tr>
  );
});

export function Failures({
  version,
  filter,
  onFilter,
}: {
  version: number;
  filter: string;
  onFilter: (filter: string) => void;
}) {
  // Fetched when the failure count changes (at most once a tick); the stream carries the count.
  const { data, error } = usePolling<FailuresResponse>("api/failures", version);
  const seen = useRef(new Map<string, ErrorSnapshot>());
  const rows = useMemo(() => {
    const next = keepUnchanged(seen.current, data?.errors ?? []);
    seen.current = new Map(next.map((row) => [keyOf(row), row]));
    return next;
  }, [data]);
  const matching = useMemo(
    () =>
      filter.trim() === "" ? rows : rows.filter((e) => matchesFilter(filter, e.name, e.method, e.error)),
    [rows, filter],
  );
  const isEmpty = rows.length === 0;
  const { container, body, first, last, rowHeight } = useVirtualRows(matching.length, isEmpty);

  if (error && !data) return <p className="empty">{error}</p>;
  if (!data) return <p className="empty">Loading…</p>;
  if (isEmpty) return <p className="empty">No failures.</p>;
  return (
    <>
      <div className="table-tools">
        <FilterBox
          value={filter}
          onChange={onFilter}
          label="Filter failures by name, method or message"
          shown={matching.length}
          total={rows.length}
        />
      </div>
      <div className="table-scroll failures-table" ref={container}>
        <table>
          <thead>
            <tr>
              <th className="number"># Failures</th>
              <th>Method</th>
              <th>Name</th>
              <th>Message</th>
              <th>First seen</th>
              <th>Last seen</th>
            </tr>
          </thead>
          <tbody ref={body}>
            {first > 0 && <tr className="spacer" style={{ height: first * rowHeight }} />}
            {matching.slice(first, last).map((failure) => (
              <FailureRow key={keyOf(failure)} failure={failure} />
            ))}
            {last < matching.length && (
              <tr className="spacer" style={{ height: (matching.length - last) * rowHeight }} />
            )}
          </tbody>
        </table>
      </div>
      {data.dropped > 0 && (
        <p className="hint">
          {formatCount(data.dropped)} more failures had new messages after the table was full.
        </p>
      )}
    </>
  );
}
