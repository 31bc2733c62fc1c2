export { BrowserUser, type GotoOptions } from "./browser-user.js";
export {
  CheckError,
  type CheckEvent,
  type CheckFn,
  type CheckFunction,
  type Checks,
  checkFor,
} from "./check.js";
export {
  type ArgumentOptions,
  ArgumentParser,
  type ArgumentType,
  type ArgumentValue,
  type CustomArgument,
  camelCase,
  collectCustomArguments,
  convertArgumentValue,
  defaultArgumentValue,
  hasArgumentValue,
  setArgumentValue,
} from "./custom-arguments.js";
export {
  Counter,
  Gauge,
  type MetricClasses,
  MetricDeclarations,
  MetricError,
  type MetricEvent,
  metricClassesFor,
  Rate,
  Trend,
} from "./custom-metrics.js";
export type {
  CustomMessage,
  MessageListener,
  RunnerControl,
  RunnerState,
  UserEnvironment,
} from "./environment.js";
export type { EnvironmentEvent, UserErrorEvent, WorkerReportEvent } from "./events.js";
export { Events } from "./events.js";
export { GrpcUser, grpcProtoProblem, PROTO_HOW } from "./grpc-user.js";
export { acceptsHost, exampleHostOf, hostSchemesOf, needsHost } from "./host-schemes.js";
export { FastHttpUser, HttpUser } from "./http-user.js";
export {
  type ArrivalRateTick,
  isArrivalRateTick,
  isLoadShapeClass,
  LoadTestShape,
  normaliseShapeTick,
  type ShapeRunner,
  type ShapeTick,
} from "./load-shape.js";
export { defaultScriptingApi, type ScriptingApi, scriptingApiFor } from "./scripting.js";
export { adoptStaticSettings, createUser } from "./static-settings.js";
export { type TaskMethod, tag, task, transition, transitions } from "./task.js";
export { type IterationGate, UserLifecycle } from "./task-loop.js";
export {
  type TagFilter,
  type TaskDefinition,
  type TaskEntry,
  type TaskList,
  type TaskPlan,
  TaskPlanner,
} from "./task-plan.js";
export { isTaskSetClass, MarkovTaskSet, SequentialTaskSet, TaskSet } from "./task-set.js";
export { TransactionNotAwaitedError, type TransactionOptions } from "./transaction.js";
export { isAbstractClass, isUserClass, User, type UserClass } from "./user.js";
export {
  between,
  constant,
  constantPacing,
  constantThroughput,
  type WaitTimeContext,
  type WaitTimeFunction,
} from "./wait-time.js";
export { WebSocketUser } from "./websocket-user.js";
