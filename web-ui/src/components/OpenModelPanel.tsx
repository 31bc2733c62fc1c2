/**
 * The Statistics tab's summary of an arrival-rate test: the target and achieved rate,
 * iterations started, in flight (interrupted, once the test has stopped), dropped and waiting, and the Aggregated response times from the
 * intended start next to the table's service times. Nothing for a closed-model test.
 */
import { formatCount, formatMs, formatRate } from "../format.js";
import type { OpenModelStatus, StatsRow } from "../types.js";

function Figure({
  label,
  value,
  testId,
  warn,
}: {
  label: string;
  value: string;
  testId: string;
  warn?: boolean;
}) {
  return (
    <div className={warn ? "open-model-figure warn" : "open-model-figure"}>
      <span className="header-label">{label}</span>
      <span className="header-value" data-testid={testId}>
        {value}
      </span>
    </div>
  );
}

export function OpenModelPanel({
  status,
  stopped,
  total,
  percentiles,
}: {
  status: OpenModelStatus | null | undefined;
  /** The test has stopped: the iterations still in flight then were interrupted. */
  stopped: boolean;
  total: StatsRow | null;
  /** The table's percentile columns (`meta.percentiles`), to find the service-time p95 and p99 in. */
  percentiles: readonly number[];
}) {
  if (!status) return null;
  const service = (fraction: number) => {
    const index = percentiles.indexOf(fraction);
    return index < 0 ? null : (total?.percentilesMs[index] ?? null);
  };
  const pair = (intended: number | null, service: number | null | undefined) =>
    `${formatMs(intended) || "–"} ms (service ${formatMs(service ?? null) || "–"} ms)`;
  return (
    <section className="open-model-panel" aria-label="Arrival rate" data-testid="open-model-panel">
      <Figure label="Target rate" value={`${formatRate(status.targetRate)}/s`} testId="om-target" />
      {/* Once stopped, the last whole second may be cut by the stop, or after it: the whole test says more. */}
      <Figure
        label={stopped ? "Iterations/s (whole test)" : "Iterations/s"}
        value={formatRate(stopped ? status.totalRate : status.currentRate)}
        testId="om-rate"
      />
      <Figure label="Started" value={formatCount(status.started)} testId="om-started" />
      {stopped ? (
        <Figure
          label="Interrupted (not in the statistics)"
          value={`${formatCount(status.inFlight)} of ${formatCount(status.started)}`}
          testId="om-interrupted"
          warn={status.inFlight > 0}
        />
      ) : (
        <Figure label="In flight" value={formatCount(status.inFlight)} testId="om-in-flight" />
      )}
      <Figure
        label="Dropped"
        value={
          // Once stopped, the rate is of no second; those the stop dropped are said apart.
          stopped && status.droppedAtStop > 0
            ? `${formatCount(status.dropped)} (${formatCount(status.droppedAtStop)} at the stop)`
            : `${formatCount(status.dropped)} (${formatRate(status.currentDroppedPerSec)}/s)`
        }
        testId="om-dropped"
        // A warning for those that waited out --max-queue-time, not for those the stop dropped.
        warn={status.dropped > status.droppedAtStop}
      />
      <Figure label="Waiting" value={formatCount(status.waiting)} testId="om-waiting" />
      {status.lostWithWorkers > 0 && (
        <Figure
          label="Lost with missing workers (about)"
          value={formatCount(status.lostWithWorkers)}
          testId="om-lost"
          warn
        />
      )}
      <Figure
        label="p50 from intended start"
        value={pair(status.intendedP50Ms, total?.medianMs)}
        testId="om-intended-p50"
      />
      <Figure
        label="p95 from intended start"
        value={pair(status.intendedP95Ms, service(0.95))}
        testId="om-intended-p95"
      />
      <Figure
        label="p99 from intended start"
        value={pair(status.intendedP99Ms, service(0.99))}
        testId="om-intended-p99"
      />
    </section>
  );
}
