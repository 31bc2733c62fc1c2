/**
 * Distributed load in Locust's protocol: a master dispatching users over workers (Cicada
 * or Locust's Python workers) and merging their stats, and a worker that joins a Cicada
 * or Locust master.
 */
export {
  type ArrivalPlan,
  arrivalShares,
  dispatchUsers,
  nextRampCount,
  orderWorkers,
  type RampPlan,
  rampPlan,
} from "./dispatch.js";
export { type FetchedLocustfile, type FetchOptions, fetchLocustfile } from "./fetch-locustfile.js";
export {
  fromLocustEntry,
  fromLocustErrors,
  serializedFromLocust,
  toLocustEntry,
  toLocustErrors,
} from "./locust-stats.js";
export { locustStub } from "./locust-stub.js";
export { type MasterOptions, MasterRunner } from "./master.js";
export { cicadaVersionOf, hostOfNodeId, makeDownloadId, makeNodeId, wireVersion } from "./node-id.js";
export * from "./protocol.js";
export {
  locustBucket,
  locustErrorKey,
  parseLocustVersion,
  pythonRepr,
  pythonRoundToMultiple,
} from "./python-compat.js";
export { MasterSocket, tcpEndpoint, WorkerSocket } from "./transport.js";
export { type ProcessProbe, Worker, type WorkerEnd, type WorkerOptions } from "./worker.js";
export { WorkerStatsReporter, type WorkerTotals } from "./worker-stats.js";
