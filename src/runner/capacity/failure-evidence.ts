/**
 * When failures are enough to break a failure-rate SLO. The window's rate must be above
 * the limit even at the low end of its 95 % confidence interval (Wilson). One failure in 78
 * requests is 1.28 %, yet at a true rate of 1 % such a window sees one or more failures
 * more often than not: a trial's search answered 19 users on that single failure, and 140 when
 * run again. A step broken only on too few failures is held on, to the maximum hold, its
 * failures counted from that window on (a window that grows, so the step cannot pass by
 * waiting for a lucky window): it breaks once they are enough, and at the maximum hold the
 * rate measured decides, "too few to be sure" in its reason.
 */
import { type CapacitySlo, type SloCheck, sloMet } from "../../shared/capacity.js";
import type { WindowFigures } from "./window.js";

/** z of a one-sided 95 % confidence bound (the normal distribution's 95th percentile). */
const Z_95 = 1.6448536269514722;

/**
 * The low end of the 95 % confidence interval (Wilson score, one-sided) of a failure rate
 * measured as `failures` of `requests`: the true rate is above it with 95 % confidence.
 */
export function failRateLowerBound(failures: number, requests: number): number {
  if (requests <= 0 || failures <= 0) return 0;
  const rate = failures / requests;
  const z2 = Z_95 * Z_95;
  const centre = rate + z2 / (2 * requests);
  const spread = Z_95 * Math.sqrt((rate * (1 - rate)) / requests + z2 / (4 * requests * requests));
  return Math.max(0, (centre - spread) / (1 + z2 / requests));
}

/** A failure-rate SLO the window broke on too few failures to be sure (its lower bound meets the limit). */
export function unsureFailRate(
  slo: CapacitySlo | undefined,
  check: SloCheck,
  figures: WindowFigures,
): boolean {
  return (
    slo?.metric.kind === "failRate" &&
    !check.passed &&
    check.measured !== null &&
    sloMet(slo, failRateLowerBound(figures.failures, figures.requests))
  );
}
