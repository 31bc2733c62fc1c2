/**
 * The Capacity tab: the current or last capacity search of the session. While it runs:
 * the step running now (its load, how long it has been held of its minimum and maximum),
 * the best load so far; once done: the answer in words. Always: the knee chart and every
 * step measured. Data: `status.capacity` of the live stream.
 */
import { useMemo } from "react";
import { type CapacityModel, formatLoad } from "../../../src/shared/capacity.js";
import {
  capacityChartData,
  capacityDetails,
  capacityHeadline,
  formatCapacityMs,
  formatDropped,
  formatShare,
  WEB_FORM_SETTING_NAMES,
} from "../../../src/shared/capacity-text.js";
import type { CapacityProgress, CapacityStep } from "../types.js";
import { CapacityChart } from "./CapacityChart.js";

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function CurrentStep({ progress, nowMs }: { progress: CapacityProgress; nowMs: number }) {
  const current = progress.current;
  if (!progress.running || current === null) return null;
  const load = formatLoad(progress.model, current.load);
  const text =
    current.phase === "drain"
      ? `Step ${current.index}: waiting for the target to answer the backlog of the last step, then ${load}`
      : current.holdStartMs === null || nowMs < current.holdStartMs
        ? `Step ${current.index} (${current.phase}): reaching ${load}`
        : `Step ${current.index} (${current.phase}): ${load}, held ${seconds(nowMs - current.holdStartMs)} ` +
          `(at least ${seconds(current.minHoldMs)}, then until steady, at most ${seconds(current.maxHoldMs)})`;
  return (
    <p className="capacity-current" data-testid="capacity-current" role="status">
      {text}
    </p>
  );
}

function StepsTable({ steps, model }: { steps: CapacityStep[]; model: CapacityModel }) {
  if (steps.length === 0) return null;
  const open = model === "arrival-rate";
  return (
    <div className="table-scroll">
      <table className="capacity-steps" data-testid="capacity-steps">
        <thead>
          <tr>
            <th>#</th>
            <th className="l">Phase</th>
            <th>{open ? "Iterations/s" : "Users"}</th>
            <th>Req/s</th>
            <th>p50</th>
            <th>p95</th>
            <th>p99</th>
            {open && <th>p95 from intended start</th>}
            {open && <th title="Iterations dropped in the step's window">Dropped</th>}
            <th>Failures</th>
            <th>Held</th>
            <th className="l">Verdict</th>
            <th className="l">Why</th>
          </tr>
        </thead>
        <tbody>
          {steps.map((s) => (
            <tr key={s.index} className={s.passed ? "met" : "broke"}>
              <td>{s.index}</td>
              <td className="l">{s.phase}</td>
              <td>{s.load}</td>
              <td>{s.rps.toFixed(1)}</td>
              <td>{formatCapacityMs(s.p50Ms)}</td>
              <td>{formatCapacityMs(s.p95Ms)}</td>
              <td>{formatCapacityMs(s.p99Ms)}</td>
              {open && <td>{formatCapacityMs(s.intendedP95Ms)}</td>}
              {open && <td>{formatDropped(s.droppedIterations)}</td>}
              <td>{formatShare(s.failRate)}</td>
              <td>{seconds(s.endTimeMs - (s.holdStartMs ?? s.startTimeMs))}</td>
              <td className="l">{s.passed ? "met every SLO" : "broke"}</td>
              <td className="l">{s.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function CapacityTab({
  progress,
  nowMs,
}: {
  progress: CapacityProgress | null | undefined;
  nowMs: number;
}) {
  const chart = useMemo(() => {
    if (!progress) return null;
    const breaking = progress.result?.breaking?.load ?? null;
    return capacityChartData(progress.model, progress.steps, {
      capacity: progress.result ? progress.result.capacity : (progress.best?.load ?? null),
      breaking,
    });
  }, [progress]);
  if (!progress || chart === null) {
    return (
      <p className="empty" data-testid="capacity-empty">
        No capacity search yet. Start one with <b>New test</b> → <b>Find capacity</b> and SLOs such as{" "}
        <code>p95&lt;300ms, failRate&lt;1%</code>, or from the command line with{" "}
        <code>--find-capacity --slo "p95&lt;300ms"</code>.
      </p>
    );
  }
  const result = progress.result;
  const unit = progress.model === "users" ? "users" : "iterations/s";
  return (
    <div className="capacity-tab">
      <p className="capacity-slos">
        SLOs: <b>{progress.slos.join(", ")}</b>
      </p>
      <CurrentStep progress={progress} nowMs={nowMs} />
      {progress.running && (
        <p data-testid="capacity-best">
          Best load so far:{" "}
          {progress.best
            ? `${formatLoad(progress.model, progress.best.load)} (${progress.best.rps.toFixed(1)} req/s)`
            : "none yet"}
          {" · "}
          {progress.steps.length} step{progress.steps.length === 1 ? "" : "s"} judged
        </p>
      )}
      {result && (
        <div
          className={`finding capacity-answer outcome-${result.outcome}`}
          data-testid="capacity-answer"
          data-outcome={result.outcome}
        >
          <p>
            <b>{capacityHeadline(result, WEB_FORM_SETTING_NAMES)}</b>
          </p>
          <ul>
            {capacityDetails(result).map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </div>
      )}
      {chart.load.length > 0 && (
        // Until the search ended, the marked load is the best so far, not the answer.
        <CapacityChart data={chart} unit={unit} capacityLabel={result ? "capacity" : "best so far"} />
      )}
      <StepsTable steps={progress.steps} model={progress.model} />
    </div>
  );
}
