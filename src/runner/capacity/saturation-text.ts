/**
 * What saturated on the monitored target during a capacity search's breaking step, in
 * words about that step. (The monitor's own sentence, describeSaturation, is about a whole
 * test: "already busy when the test began", "p95 rose from ... to ...", the load from the
 * history's 10 s window; within one step those would mislead.)
 */
import {
  beforeLoadText,
  formatMonitorValue,
  formatValueBelowLevel,
  singleCoreNote,
} from "../../monitor/format.js";
import type { ResourceValue, SaturationFinding } from "../../monitor/saturation.js";
import type { CapacitySaturation } from "../../shared/capacity.js";

const value = (v: ResourceValue) =>
  `${v.host} ${v.label} ${formatValueBelowLevel(v)} (level ${formatMonitorValue(v.level, v.unit)})`;

/** The finding over the breaking step's window as the answer states it. */
export function capacitySaturation(finding: SaturationFinding): CapacitySaturation {
  switch (finding.kind) {
    case "saturated": {
      const at = `${new Date(finding.timeMs).toISOString().slice(11, 19)} UTC`;
      return {
        kind: finding.kind,
        resource: `${finding.host} ${finding.label}`,
        text: finding.atStart
          ? `${value(finding)} at ${at}; it was at its level before any user ran (${beforeLoadText(finding)} when the test ` +
            "began): something besides this test keeps it busy, and its figures say little about the load."
          : `${value(finding)} at ${at}${singleCoreNote(finding)}.`,
      };
    }
    case "latency-rose":
    case "none": {
      const later = finding.kind === "latency-rose" ? finding.saturatedLater : null;
      if (later !== null) {
        return {
          kind: finding.kind,
          resource: null,
          text:
            "p95 rose while everything monitored was below its saturation level: the bottleneck is elsewhere, a resource " +
            "not monitored, a database or service behind the target, locks, a connection pool, or the network " +
            `(${value(later)} only later in the step: a consequence or a second limit).`,
        };
      }
      const highest = finding.highest ? ` (highest: ${value(finding.highest)})` : "";
      return {
        kind: finding.kind,
        resource: null,
        text:
          `nothing monitored reached its saturation level${highest}: the bottleneck is elsewhere, a resource not ` +
          "monitored, a database or service behind the target, locks, a connection pool, or the network.",
      };
    }
    case "no-data":
      return {
        kind: finding.kind,
        resource: null,
        text: "no value was recorded from the target during that step.",
      };
  }
}
