/**
 * The run-time check of the JSON report's `capacity` key (json-validate.ts uses it).
 *
 * json-validate.ts imports this module and this module its checks: neither may use the
 * other's values while the modules load, so the shape is built on first use, and
 * json-validate.ts calls `capacityCheck` only when it checks a report.
 */
import type { CapacitySaturation, CapacityStep, SloCheck, StepGenerator } from "../shared/capacity.js";
import type { JsonCapacity } from "./capacity-json.js";
import { array, bool, type Check, nullable, num, object, oneOf, type Shape, str } from "./json-validate.js";

function buildCheck(): Check {
  const nullableNum = nullable(num);
  const generator = object<StepGenerator>({
    cpuPercent: nullableNum,
    lagMs: nullableNum,
    overload: nullable(oneOf(["cpu", "outside"])),
    workerCpuPercent: nullableNum,
  });
  const step = object<CapacityStep>({
    index: num,
    phase: oneOf(["grow", "refine"]),
    load: num,
    users: num,
    startTimeMs: num,
    holdStartMs: nullableNum,
    endTimeMs: num,
    windowFromMs: num,
    windowToMs: num,
    steady: bool,
    passed: bool,
    reason: str,
    checks: array(object<SloCheck>({ expression: str, measured: nullableNum, limit: num, passed: bool })),
    requests: num,
    rps: num,
    failRate: num,
    p50Ms: nullableNum,
    p95Ms: nullableNum,
    p99Ms: nullableNum,
    intendedP50Ms: nullableNum,
    intendedP95Ms: nullableNum,
    intendedP99Ms: nullableNum,
    droppedIterations: nullableNum,
    generator,
  });
  const growth: Check = (value, path, problems) =>
    (value as { kind?: unknown } | null)?.kind === "add"
      ? object<{ kind: "add"; step: number }>({ kind: str, step: num })(value, path, problems)
      : object<{ kind: "multiply"; factor: number }>({ kind: oneOf(["multiply"]), factor: num })(
          value,
          path,
          problems,
        );
  const shape: Shape<JsonCapacity> = {
    model: oneOf(["users", "arrival-rate"]),
    settings: object<JsonCapacity["settings"]>(
      {
        model: oneOf(["users", "arrival-rate"]),
        slos: array(str),
        start: num,
        growth,
        max: num,
        minHoldMs: num,
        maxHoldMs: num,
        precision: num,
        spawnRate: nullableNum,
        runTimeMs: nullableNum,
      },
      ["spawnRate", "runTimeMs"],
    ),
    outcome: oneOf(["found", "below-start", "at-least", "generator-limit"]),
    ended: oneOf(["complete", "time-limit", "stopped"]),
    capacity: nullableNum,
    best: nullable(step),
    breaking: nullable(step),
    generatorLimit: nullable(generator),
    saturation: nullable(
      object<CapacitySaturation>({
        kind: oneOf(["saturated", "latency-rose", "none", "no-data"]),
        resource: nullable(str),
        text: str,
      }),
    ),
    steps: array(step),
    startTimeMs: num,
    endTimeMs: num,
    testNumber: nullableNum,
    headline: str,
    details: array(str),
  };
  return object<JsonCapacity>(shape);
}

let check: Check | undefined;

/** Checks a `capacity` value (built on first use, see above). */
export const capacityCheck: Check = (value, path, problems) => {
  check ??= buildCheck();
  check(value, path, problems);
};
