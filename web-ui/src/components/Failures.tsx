/** The Failures tab: failed requests grouped by method, name and error. */
import { formatCount, formatDateTime } from "../format.js";
import type { FailuresResponse } from "../types.js";
import { usePolling } from "./usePolling.js";

export function Failures({ version }: { version: number }) {
  // Fetched when the failure count changes; the stream carries the count, not the rows.
  const { data, error } = usePolling<FailuresResponse>("api/failures", version);
  if (error) return <p className="empty">{error}</p>;
  if (!data) return <p className="empty">Loading…</p>;
  if (data.errors.length === 0) return <p className="empty">No failures.</p>;
  return (
    <div className="table-scroll">
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
        <tbody>
          {data.errors.map((e) => (
            <tr key={`${e.method}\t${e.name}\t${e.error}`}>
              <td className="number">{formatCount(e.occurrences)}</td>
              <td>{e.method}</td>
              <td className="name">{e.name}</td>
              <td className="message">{e.error}</td>
              <td>{formatDateTime(e.firstSeenMs)}</td>
              <td>{formatDateTime(e.lastSeenMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {data.dropped > 0 && (
        <p className="hint">
          {formatCount(data.dropped)} more failures had new messages after the table was full.
        </p>
      )}
    </div>
  );
}
