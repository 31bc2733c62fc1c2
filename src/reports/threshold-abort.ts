/**
 * Decides when an `abortOnFail` threshold stops a run: the owner calls `check` about once
 * a second; a threshold that fails at every check for `delayAbortEvalMs` in a row (0: at
 * the first failing check) triggers the abort. "No data" does not count as failing here,
 * so a run is never aborted before the request it is about has been made.
 */
import { formatTimespan } from "../shared/timespan.js";
import type { JsonThresholdResult } from "./json-schema.js";
import { evaluateThreshold, type ThresholdSource } from "./threshold-eval.js";
import type { ClosedWindow } from "./threshold-windows.js";
import type { ThresholdDefinition } from "./thresholds.js";

/** Why a run was aborted. */
export interface AbortDecision {
  definition: ThresholdDefinition;
  result: JsonThresholdResult;
  /** How long it had been failing, ms. */
  failingForMs: number;
  /** A windowed threshold: the window that failed, ms since the test's start. */
  window?: { fromMs: number; toMs: number };
}

/**
 * When the threshold failed, for the abort's log line: "in the window from 0s to 1s of the
 * test", "for 12.3 s in a row", or, without a delay (delayAbortEval 0), "at its first
 * failing check" rather than "for 0 s".
 */
export function abortMoment(decision: AbortDecision): string {
  if (decision.window)
    return `in the window from ${formatTimespan(decision.window.fromMs)} to ${formatTimespan(decision.window.toMs)} of the test`;
  const seconds = Math.round(decision.failingForMs / 100) / 10;
  return seconds === 0 ? "at its first failing check" : `for ${seconds} s in a row`;
}

/** Tracks how long each abortOnFail threshold has been failing. */
export class ThresholdAbortTracker {
  private readonly watched: ThresholdDefinition[];
  private readonly failingSince = new Map<ThresholdDefinition, number>();

  constructor(definitions: readonly ThresholdDefinition[]) {
    // A windowed threshold aborts when one of its windows fails (see windowFailed).
    this.watched = definitions.filter((d) => d.abortOnFail && d.windowMs === undefined);
  }

  /** Whether any threshold can abort the run (otherwise there is nothing to check). */
  get active(): boolean {
    return this.watched.length > 0;
  }

  /**
   * Windows that just closed: the first failing one of an abortOnFail threshold aborts the
   * run, unless it ended within `delayAbortEval` of the test's start.
   */
  windowFailed(
    closed: readonly ClosedWindow[],
    source: ThresholdSource,
    runStartMs: number,
    nowMs: number,
  ): AbortDecision | undefined {
    for (const window of closed) {
      const definition = window.definition;
      if (window.passed || !definition.abortOnFail) continue;
      if (window.endMs - runStartMs < definition.delayAbortEvalMs) continue;
      const result = evaluateThreshold(definition, source, nowMs);
      return {
        definition,
        result: { ...result, aborted: true },
        failingForMs: window.endMs - window.startMs,
        window: { fromMs: window.startMs - runStartMs, toMs: window.endMs - runStartMs },
      };
    }
    return undefined;
  }

  /** Evaluates the watched thresholds at `nowMs`; returns the first that must abort the run, if any. */
  check(source: ThresholdSource, nowMs: number): AbortDecision | undefined {
    for (const definition of this.watched) {
      const result = evaluateThreshold(definition, source, nowMs);
      if (result.passed || result.measured === null) {
        this.failingSince.delete(definition);
        continue;
      }
      const since = this.failingSince.get(definition) ?? nowMs;
      this.failingSince.set(definition, since);
      if (nowMs - since >= definition.delayAbortEvalMs) {
        return { definition, result: { ...result, aborted: true }, failingForMs: nowMs - since };
      }
    }
    return undefined;
  }
}
