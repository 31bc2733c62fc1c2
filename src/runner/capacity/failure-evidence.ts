/**
 * When failures are enough to break a failure-rate SLO. The window's rate must be above
 * the limit even at the low end of its confidence interval (Wilson score, one-sided 95 %:
 * the low end of the two-sided 90 % interval; shared/failure-rate-bound.ts). One failure in 78
 * requests is 1.28 %, yet at a true rate of 1 % such a window sees one or more failures
 * more often than not: a trial's search answered 19 users on that single failure, and 140 when
 * run again. A step broken only on too few failures is held on, to the maximum hold, its
 * failures counted from that window on (a window that grows, so the step cannot pass by
 * waiting for a lucky window): it breaks once they are enough. Still too few at the maximum
 * hold, it met the SLO: a break not shown is no break (a trial's search broke nginx, failing
 * 0.5 % at random, at 8 users on 4 failures in 398 requests when the rate measured decided).
 */
import type { CapacitySlo, SloCheck } from "../../shared/capacity.js";
import { tooFewFailures } from "../../shared/failure-rate-bound.js";
import type { WindowFigures } from "./window.js";

/** A failure-rate SLO the window broke on too few failures to be sure (its lower bound meets the limit). */
export function unsureFailRate(
  slo: CapacitySlo | undefined,
  check: SloCheck,
  figures: WindowFigures,
): boolean {
  return (
    slo?.metric.kind === "failRate" &&
    check.measured !== null &&
    tooFewFailures(figures.failures, figures.requests, slo)
  );
}
