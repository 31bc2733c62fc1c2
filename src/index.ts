/**
 * The scripting API of Cicada: what a locustfile imports from "cicada-load" (the npm
 * package; the older specifier "cicada" works too inside locustfiles Cicada runs).
 *
 * @example
 * import { HttpUser, task, between } from "cicada-load";
 * export class WebsiteUser extends HttpUser {
 *   waitTime = between(1, 5);
 *   @task async index() { await this.client.get("/"); }
 * }
 */
import type { DataApi } from "./data/index.js";
import { Events } from "./user/events.js";
import type { CheckFn } from "./user/index.js";
import { defaultScriptingApi } from "./user/scripting.js";

export type { DataMode, DataOptions, DataSet, OnExhausted } from "./data/index.js";
export type {
  GrpcCallOptions,
  GrpcClient,
  GrpcResult,
  GrpcStreamOptions,
  ProtoSource,
} from "./grpc/index.js";
export type {
  ClientCookies,
  CsrfOptions,
  EventStream,
  EventStreamOptions,
  FormFields,
  HttpClient,
  /** @deprecated The public face of `this.client` is {@link HttpClient}. */
  HttpClient as HttpSession,
  HttpResponse,
  MultipartFields,
  MultipartFile,
  QueryParams,
  RequestInfo,
  RequestOptions,
  ResponseTiming,
  SseEvent,
  TlsOptions,
} from "./http/index.js";
export { HttpRequestError } from "./http/index.js";
export { decodeJsonHistogram, histogramPercentilesMs, mergeEntryHistograms } from "./reports/hdr-base64.js";
export type {
  JsonEntry,
  JsonException,
  JsonFailure,
  JsonHistogram,
  JsonHistory,
  JsonNamedSeries,
  JsonReport,
  JsonSeries,
  JsonThresholdResult,
  PercentileKey,
  RatioTree,
  ReportCapacitySearch,
  ReportFlag,
  ReportMeta,
  ReportUserClass,
} from "./reports/json-schema.js";
export { assertJsonReport, validateJsonReport } from "./reports/json-validate.js";
export type { ThresholdSpec, Thresholds } from "./reports/thresholds.js";
export {
  Environment,
  type EnvironmentOptions,
  LocalRunner,
  type LocalRunnerOptions,
  type Runner,
  type StartOptions,
} from "./runner/index.js";
export {
  InterruptTaskSet,
  RescheduleTask,
  RescheduleTaskImmediately,
  StopTest,
  StopUser,
} from "./shared/control-flow.js";
export { EventHook } from "./shared/event-hook.js";
export { Logger, type LogLevel, type LogRecord } from "./shared/logger.js";
export type { WaitOptions } from "./shared/message-inbox.js";
export type { MeasuredRequest, RequestEvent, RequestEventHook } from "./shared/request-event.js";
export type { GaugeMerge, RequestStats, StatsEntry } from "./stats/index.js";
export type {
  ArgumentOptions,
  ArgumentParser,
  ArgumentType,
  ArgumentValue,
  CustomArgument,
  CustomMessage,
  EnvironmentEvent,
  MessageListener,
  RunnerControl,
  RunnerState,
  TaskEntry,
  TaskList,
  TaskMethod,
  UserClass,
  UserEnvironment,
  UserErrorEvent,
  WaitTimeContext,
  WorkerReportEvent,
} from "./user/index.js";
export {
  type ArrivalRateTick,
  BrowserUser,
  between,
  type CheckEvent,
  type CheckFunction,
  type Checks,
  Counter,
  constant,
  constantPacing,
  constantThroughput,
  Events,
  FastHttpUser,
  Gauge,
  type GotoOptions,
  GrpcUser,
  HttpUser,
  LoadTestShape,
  MarkovTaskSet,
  type MetricEvent,
  Rate,
  SequentialTaskSet,
  type ShapeTick,
  TaskSet,
  type TransactionOptions,
  Trend,
  tag,
  task,
  transition,
  transitions,
  User,
  type WaitTimeFunction,
  WebSocketUser,
} from "./user/index.js";
export type { ConnectOptions, WebSocketConnection, WebSocketData } from "./ws/index.js";

/**
 * The events of the run started by the `cicada` command (Locust's `locust.events`).
 * Listeners added at the top of a locustfile apply to that run.
 */
export const events: Events = new Events();

const scripting = defaultScriptingApi(events);

/**
 * Named checks of a value (a response): each is counted as a pass or a fail under its
 * name, without failing the request. Returns true when every check passed.
 *
 * @example
 * check(res, { "status is 200": (r) => r.status === 200, "has a code": (r) => r.text().includes("code") });
 */
export const check: CheckFn = scripting.check;

/**
 * Test data: `data.csv(path, { mode })` or `data.json(path, { mode })` at the top of the
 * locustfile, then `await dataSet.next()` in a user.
 *
 * @example
 * const accounts = data.csv<{ username: string; password: string }>("users.csv", { mode: "unique" });
 */
export const data: DataApi = scripting.data;
