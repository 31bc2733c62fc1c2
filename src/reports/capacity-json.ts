/**
 * The JSON report's `capacity` key: a capacity search's answer (src/shared/capacity.ts)
 * with its headline and explaining lines in words (its run-time check: capacity-json-check.ts).
 */
import type { CapacityResult } from "../shared/capacity.js";
import { capacityDetails, capacityHeadline } from "../shared/capacity-text.js";

/** `capacity` of the JSON report. */
export interface JsonCapacity extends CapacityResult {
  /** The answer in one sentence, as the console prints it. */
  headline: string;
  /** The lines that explain it (the figures at the answer and at the break, the target, the generator). */
  details: string[];
}

/** The report's form of a search's answer. */
export function capacityJson(result: CapacityResult): JsonCapacity {
  return { ...result, headline: capacityHeadline(result), details: capacityDetails(result) };
}
