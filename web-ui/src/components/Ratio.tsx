/** The Current ratio tab: how often each task runs, per user class and over all users. */
import type { RatioTree, TasksResponse } from "../types.js";
import { usePolling } from "./usePolling.js";

function Tree({ tree }: { tree: RatioTree }) {
  return (
    <ul className="ratio-tree">
      {Object.entries(tree).map(([name, node]) => (
        <li key={name}>
          <span className="ratio">{(node.ratio * 100).toFixed(1)}%</span> {name}
          {node.tasks && Object.keys(node.tasks).length > 0 && <Tree tree={node.tasks} />}
        </li>
      ))}
    </ul>
  );
}

export function Ratio({ classesCount }: { classesCount: Record<string, number> }) {
  const { data, error } = usePolling<TasksResponse>("tasks", 0);
  if (error) return <p className="empty">{error}</p>;
  if (!data) return <p className="empty">Loading…</p>;
  const running = Object.entries(classesCount);
  return (
    <div className="ratio-tab">
      <section>
        <h2 className="section-title">Ratio per user class</h2>
        <Tree tree={data.per_class} />
      </section>
      <section>
        <h2 className="section-title">Total ratio</h2>
        <Tree tree={data.total} />
      </section>
      {running.length > 0 && (
        <section>
          <h2 className="section-title">Users running now</h2>
          <ul className="ratio-tree">
            {running.map(([name, count]) => (
              <li key={name}>
                <span className="ratio">{count}</span> {name}
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
