export { BaseRunner, type StartOptions } from "./base-runner.js";
export { isProtocolMessageType, MessageRegistry } from "./custom-messages.js";
export { Environment, type EnvironmentOptions, type ShapeClass } from "./environment.js";
export {
  type GeneratorLoad,
  GeneratorMonitor,
  type GeneratorMonitorOptions,
  type GeneratorSample,
  overloadNote,
} from "./generator-monitor.js";
export { checkIterations, LocalIterationGate } from "./iterations.js";
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
