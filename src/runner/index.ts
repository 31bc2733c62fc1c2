export { BaseRunner, type StartOptions } from "./base-runner.js";
export {
  Environment,
  type EnvironmentOptions,
  isUnhandledErrorMessage,
  type ShapeClass,
  UNHANDLED_ERROR_PREFIXES,
  type UnhandledErrorKind,
  userTraceback,
} from "./environment.js";
export {
  type GeneratorLoad,
  GeneratorMonitor,
  type GeneratorMonitorOptions,
  type GeneratorSample,
  overloadNote,
} from "./generator-monitor.js";
export { LocalRunner, type LocalRunnerOptions } from "./local-runner.js";
export type { Runner, WorkerSummary } from "./runner.js";
export { type SpawnClass, SpawnSequence } from "./spawn-sequence.js";
export {
  classShares,
  formatRatioTree,
  type RatioNode,
  taskRatioPerClass,
  taskRatioTotal,
} from "./task-ratio.js";
export { collectTags, describeUserClasses, type UserClassInfo } from "./user-classes.js";
export { UserPool } from "./user-pool.js";
