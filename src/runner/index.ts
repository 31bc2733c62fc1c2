export { ArrivalSchedule } from "./arrival-schedule.js";
export {
  ArrivalScheduler,
  type ArrivalSchedulerOptions,
  calibrateLoopClock,
  type IterationCounters,
  type IterationStarter,
  realClock,
  type SchedulerClock,
} from "./arrival-scheduler.js";
export { BaseRunner, checkArrivalRate, type StartOptions } from "./base-runner.js";
export {
  type CapacityProbe,
  CapacitySearch,
  type CapacitySearchOptions,
  runnerProbe,
  type StartCapacityOptions,
  startCapacitySearch,
  WORKER_REPORT_MS,
} from "./capacity/index.js";
export { isProtocolMessageType, MessageRegistry } from "./custom-messages.js";
export {
  Environment,
  type EnvironmentOptions,
  isUnhandledErrorMessage,
  type ShapeClass,
  UNHANDLED_ERROR_PREFIXES,
  type UnhandledErrorKind,
  type UserClassOverride,
  userTraceback,
} from "./environment.js";
export {
  type GeneratorRole,
  type OverloadCause,
  type OverloadFacts,
  overloadLabel,
  overloadNote,
  overloadWarning,
} from "./generator-advice.js";
export {
  type GeneratorLoad,
  GeneratorMonitor,
  type GeneratorMonitorOptions,
  type GeneratorSample,
} from "./generator-monitor.js";
export { IterationPool } from "./iteration-pool.js";
export { checkIterations, LocalIterationGate } from "./iterations.js";
export { LocalRunner, type LocalRunnerOptions } from "./local-runner.js";
export { DEFAULT_OPEN_MODEL, OpenModelDriver, type OpenModelSettings } from "./open-model.js";
export type { ArrivalRateStart, LoadModel, ReportMark, Runner, WorkerSummary } from "./runner.js";
export { type SpawnClass, SpawnSequence } from "./spawn-sequence.js";
export {
  classShares,
  formatRatioTree,
  type RatioNode,
  taskRatioPerClass,
  taskRatioTotal,
} from "./task-ratio.js";
export {
  latestRequest,
  type TestArrivalRate,
  type TestChange,
  TestLog,
  type TestRecord,
  type TestUserClass,
} from "./test-record.js";
export {
  collectTags,
  describeUserClasses,
  locustSpellingWarnings,
  type UserClassInfo,
} from "./user-classes.js";
export { SPREAD_USERS_HINT, type UserMemoryVerdict, userMemoryVerdict } from "./user-memory.js";
export { UserPool } from "./user-pool.js";
