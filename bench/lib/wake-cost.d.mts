// Types of wake-cost.mjs (plain JavaScript, run by node without a build) for the TypeScript tests.
export function measureWakeCost(core: number, wakeUps?: number): Promise<number | null>;
export interface WakeUpWeights {
  extraWakesPerRequest: number | null;
  extraWakeCpuUs: number | null;
  cpuDifferenceUs: number | null;
  cpuRatioBesideWakeUps: number | null;
  /** The price of a wake-up (µs) at which the open model would cost 1.10× the closed model per request. */
  boundWakeCostUs: number | null;
}
export function weighWakeUps(figures: {
  openCpuUsPerRequest: number | null;
  closedCpuUsPerRequest: number | null;
  openSleepsPerRequest: number | null;
  closedSleepsPerRequest: number | null;
  wakeCostUs: number | null;
}): WakeUpWeights;
