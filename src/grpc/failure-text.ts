/**
 * The text a failed gRPC call is recorded with, stable enough to group failures by.
 * grpc-js ends a call whose deadline passed with DEADLINE_EXCEEDED and details that carry
 * that call's own timings and peer, joined by commas (resolving-call.ts and the
 * `getDeadlineInfo()` of load-balancing-call.ts, retrying-call.ts, subchannel-call.ts):
 * `Deadline exceeded after 0.201s,metadata filters: 0.001s,remote_addr=127.0.0.1:50051`,
 * `Deadline exceeded after 0.200s,Waiting for LB pick`. Recorded as they are, every call
 * would open a failure row of its own.
 */

const DEADLINE_EXCEEDED = 4;

/** grpc-js's own deadline details: "Deadline exceeded", maybe "after N.NNNs", maybe ",<phase timings>". */
const grpcJsDeadlineDetails = /^Deadline exceeded(?: after \d+(?:\.\d+)?s)?(?:,|$)/;

/**
 * The status details to record: grpc-js's deadline details become `Deadline exceeded: no
 * status within the 0.2 s timeout` (the timeout the call had); any other details, the
 * server's own words, are kept as they are.
 */
export function stableStatusDetails(code: number, details: string, timeoutSeconds: number): string {
  if (code === DEADLINE_EXCEEDED && grpcJsDeadlineDetails.test(details)) {
    return `Deadline exceeded: no status within the ${timeoutSeconds} s timeout`;
  }
  // grpc-js ends a refused connection's details with an empty ". Resolution note: ".
  return details.replace(/\.? Resolution note: $/, "");
}
