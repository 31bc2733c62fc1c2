export { failRateLowerBound } from "../../shared/failure-rate-bound.js";
export { type JudgeSettings, judgeStep, type StepVerdict } from "./judge.js";
export { buildResult, generatorLimited, stepOf } from "./outcome.js";
export { RequestsPerIteration, wholeIfClose } from "./per-iteration.js";
export { CapacityPlan, type PlanEnd, type PlanSettings, roundLoad } from "./plan.js";
export {
  runnerProbe,
  type StartCapacityOptions,
  startCapacitySearch,
  WORKER_REPORT_MS,
} from "./runner-probe.js";
export { type CapacityProbe, CapacitySearch, type CapacitySearchOptions } from "./search.js";
export {
  type CumulativeSample,
  checkSlos,
  type GeneratorReading,
  histogramSince,
  measureSlo,
  reportedRate,
  type WindowFigures,
  type WorkerReports,
  windowFigures,
} from "./window.js";
