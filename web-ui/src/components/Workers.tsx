/** The Workers tab: the workers of a distributed run. */
import { formatBytes } from "../format.js";
import type { WorkerRow } from "../types.js";

export function Workers({ workers, distributed }: { workers: WorkerRow[]; distributed: boolean }) {
  if (!distributed) {
    return (
      <p className="empty">
        This is a local run: the users run in this process. Start Cicada with --master to spread them over
        workers.
      </p>
    );
  }
  if (workers.length === 0) return <p className="empty">No worker has connected yet.</p>;
  return (
    <div className="table-scroll">
      <table>
        <thead>
          <tr>
            <th>Worker</th>
            <th>State</th>
            <th className="number"># Users</th>
            <th className="number">CPU</th>
            <th className="number">Memory</th>
          </tr>
        </thead>
        <tbody>
          {workers.map((w) => (
            <tr key={w.id} className={w.cpuPercent > 90 ? "has-failures" : undefined}>
              <td className="name">{w.id}</td>
              <td>{w.state}</td>
              <td className="number">{w.userCount}</td>
              <td className="number">{w.cpuPercent.toFixed(0)}%</td>
              <td className="number">{formatBytes(w.memoryBytes)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
