/**
 * The open model's fields of `POST /swarm` (the start form's "Arrival rate" choice):
 * `arrival_rate` ("500", or "100:1000" with `ramp`), `max_users` and `max_queue_time`.
 * Checked like the other fields: every problem names its field.
 */
import { type ArrivalRateSpec, parseArrivalRate } from "../shared/arrival-rate.js";
import { parseTimespan } from "../shared/timespan.js";
import type { FieldProblem } from "./swarm.js";

/** A validated arrival-rate start (or change of the running test's rate). */
export interface ArrivalCommand {
  rate: ArrivalRateSpec;
  /** The ramp's duration, ms, for a rate A:B. */
  rampMs: number | undefined;
  /** Undefined keeps the runner's setting (--max-users, --max-queue-time). */
  maxUsers: number | undefined;
  maxQueueMs: number | undefined;
}

/** Largest --max-users accepted from the web (a typo should not create a million users). */
const MAX_WEB_MAX_USERS = 1_000_000;

function fieldText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return fieldText(value[value.length - 1]);
  if (typeof value === "number" || typeof value === "string") {
    const text = String(value).trim();
    return text === "" ? undefined : text;
  }
  return "[object]";
}

/** True when the body asks for an arrival rate (a non-empty `arrival_rate`). */
export function asksForArrivalRate(body: Record<string, unknown>): boolean {
  return fieldText(body.arrival_rate) !== undefined;
}

/** Parses the open model's fields; undefined (with problems added) when one is wrong. */
export function parseArrivalFields(
  body: Record<string, unknown>,
  problems: FieldProblem[],
): ArrivalCommand | undefined {
  const before = problems.length;
  const rateText = fieldText(body.arrival_rate) ?? "";
  const rate = parseArrivalRate(rateText);
  if (typeof rate === "string") problems.push({ field: "arrival_rate", message: `arrival_rate ${rate}` });
  const rampText = fieldText(body.ramp);
  let rampMs: number | undefined;
  if (rampText !== undefined) {
    rampMs = parseTimespan(rampText);
    if (rampMs === undefined || rampMs <= 0) {
      problems.push({
        field: "ramp",
        message: `ramp must be a time span such as 60s or 5m, got '${rampText}'`,
      });
    } else if (typeof rate === "object" && rate.to === undefined) {
      problems.push({
        field: "ramp",
        message: `ramp needs a ramp in arrival_rate, A:B such as 0:${rateText} (from 0 up to ${rateText}/s)`,
      });
    }
  } else if (typeof rate === "object" && rate.to !== undefined) {
    problems.push({
      field: "ramp",
      message: `ramp is required: how long arrival_rate ${rateText} takes to go from ${rate.from} to ${rate.to}`,
    });
  }
  let maxUsers: number | undefined;
  const usersText = fieldText(body.max_users);
  if (usersText !== undefined) {
    maxUsers = Number(usersText);
    if (!/^\d+$/.test(usersText) || maxUsers < 1 || maxUsers > MAX_WEB_MAX_USERS) {
      problems.push({
        field: "max_users",
        message: `max_users must be a whole number from 1 to ${MAX_WEB_MAX_USERS}, got '${usersText}'`,
      });
    }
  }
  let maxQueueMs: number | undefined;
  const queueText = fieldText(body.max_queue_time);
  if (queueText !== undefined) {
    maxQueueMs = parseTimespan(queueText);
    if (maxQueueMs === undefined) {
      problems.push({
        field: "max_queue_time",
        message: `max_queue_time must be a time span such as 1s, 0.5s or 0, got '${queueText}'`,
      });
    }
  }
  if (problems.length > before || typeof rate === "string") return undefined;
  return { rate, rampMs, maxUsers, maxQueueMs };
}
