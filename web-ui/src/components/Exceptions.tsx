/** The Exceptions tab: errors thrown by task code, with their stack. */
import { formatCount } from "../format.js";
import type { ExceptionsResponse } from "../types.js";
import { usePolling } from "./usePolling.js";

export function Exceptions({ version }: { version: number }) {
  // Fetched when the exception count changes; the stream carries the count.
  const { data, error } = usePolling<ExceptionsResponse>("api/exceptions", version);
  if (error) return <p className="empty">{error}</p>;
  if (!data) return <p className="empty">Loading…</p>;
  if (data.exceptions.length === 0) return <p className="empty">No exceptions.</p>;
  return (
    <div className="exceptions">
      {data.exceptions.map((e) => (
        <article key={e.traceback} className="exception">
          <header>
            <span className="count">{formatCount(e.count)}×</span> <b>{e.message}</b>
            {e.nodes.length > 0 && <span className="nodes"> on {e.nodes.join(", ")}</span>}
          </header>
          <pre>{e.traceback}</pre>
        </article>
      ))}
      {data.dropped > 0 && (
        <p className="hint">
          {formatCount(data.dropped)} more exceptions with new stacks were counted but not kept.
        </p>
      )}
    </div>
  );
}
