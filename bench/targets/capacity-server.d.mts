// Types of capacity-server.mjs (plain JavaScript, run by node without a build) for the TypeScript tests.
export interface CapacityServer {
  url: string;
  port: number;
  /** Requests served so far (a request whose client left while in service counts too). */
  requests(): number;
  /** Requests received so far, served or not (a queued request whose client left is never served). */
  received(): number;
  close(): Promise<void>;
}
export function startCapacityServer(options: {
  slots: number;
  serviceMs: number;
  port?: number;
}): Promise<CapacityServer>;
export function trueCapacity(options: {
  model: "users" | "arrival-rate";
  slots: number;
  serviceMs: number;
  p95LimitMs: number;
}): { load: number; rps: number };
