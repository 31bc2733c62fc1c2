/**
 * The low end of a failure rate's confidence interval: how high the true rate surely is,
 * given the failures counted. The capacity search breaks a failure-rate SLO only above it,
 * and its reports say when a verdict rested on fewer failures than that.
 */
import { type CapacitySlo, sloMet } from "./capacity.js";

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

/**
 * True when `failures` of `requests` break a failure-rate SLO only as measured, not surely:
 * the rate is over the limit, its lower bound is not.
 */
export function tooFewFailures(
  failures: number,
  requests: number,
  slo: Pick<CapacitySlo, "operator" | "limit">,
): boolean {
  if (requests <= 0) return false;
  return !sloMet(slo, failures / requests) && sloMet(slo, failRateLowerBound(failures, requests));
}
