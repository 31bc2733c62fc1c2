/**
 * The Checks tab: the locustfile's named checks (passes, fails, pass rate) and its custom
 * metrics (counters, gauges, rates, trends), as the console summary and reports show them.
 * Fetched when a check runs or a metric changes (the stream carries a counter of them).
 */
import { formatCount } from "../format.js";
import type { CheckSnapshot, ChecksResponse } from "../types.js";
import { usePolling } from "./usePolling.js";

const percent = (rate: number) => `${(rate * 100).toFixed(2)}%`;

function CheckRow({ check, total }: { check: CheckSnapshot; total?: boolean }) {
  const passed = check.fails === 0;
  const Cell = total ? "th" : "td";
  return (
    <tr>
      <td className={passed ? "pass" : "fail"} aria-label={passed ? "every run passed" : "some runs failed"}>
        {passed ? "✓" : "✗"}
      </td>
      <Cell className="name" title={check.name}>
        {check.name}
      </Cell>
      <td className="number">{formatCount(check.passes)}</td>
      <td className="number">{formatCount(check.fails)}</td>
      <td className="number">{percent(check.rate)}</td>
    </tr>
  );
}

export function Checks({ version }: { version: number }) {
  const { data, error } = usePolling<ChecksResponse>("api/checks", version);
  if (error && !data) return <p className="empty">{error}</p>;
  if (!data) return <p className="empty">Loading…</p>;
  if (data.checks.length === 0 && data.metrics.length === 0) {
    return (
      <p className="empty">
        No checks or custom metrics: <code>check(res, {"{ ... }"})</code> and <code>new Counter("name")</code>{" "}
        in the locustfile record them.
      </p>
    );
  }
  return (
    <div className="checks">
      {data.checks.length > 0 && (
        <section aria-labelledby="checks-title">
          <h2 id="checks-title">Checks</h2>
          <div className="table-scroll">
            <table>
              <thead>
                <tr>
                  <th aria-label="result" />
                  <th>Name</th>
                  <th className="number">Passes</th>
                  <th className="number">Fails</th>
                  <th className="number">Pass rate</th>
                </tr>
              </thead>
              <tbody>
                {data.checks.map((check) => (
                  <CheckRow key={check.name} check={check} />
                ))}
              </tbody>
              {data.all && (
                <tfoot>
                  <CheckRow check={data.all} total />
                </tfoot>
              )}
            </table>
          </div>
        </section>
      )}
      {data.metrics.length > 0 && (
        <section aria-labelledby="metrics-title">
          <h2 id="metrics-title">Custom metrics</h2>
          <div className="table-scroll">
            <table>
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Type</th>
                  <th>Values</th>
                </tr>
              </thead>
              <tbody>
                {data.metrics.map((metric) => (
                  <tr key={metric.name}>
                    <td className="name">{metric.name}</td>
                    <td>{metric.kind}</td>
                    <td>{metric.text}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </div>
  );
}
