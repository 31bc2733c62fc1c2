/**
 * A simulated known-capacity target for the capacity search's unit tests: K slots, each
 * request served in S ms, a FIFO queue in front. No network, no timers of its own: each
 * sample the search takes adds the requests completed since the last one, on a fake clock.
 *
 * Closed model, U users without waits: throughput min(U, K) / S; above K every request
 * waits for the U − K queued ahead of it, one leaving every S / K: U·S / K in all (as
 * bench/targets/capacity-server.mjs explains), so p95 crosses T at U = K·T / S.
 * Open model, λ iterations/s of n requests each (`requestsPerIteration`, 1 by default):
 * throughput min(λ·n, K/S) requests/s; above K/(S·n) iterations/s the queue grows by
 * λ·n − K/S a second and every request waits for it (a rate of 0 drains it). An iteration
 * completes with its n-th request.
 */

import {
  type CapacityProbe,
  CapacitySearch,
  type CumulativeSample,
  type GeneratorReading,
} from "../../../../src/runner/capacity/index.js";
import type {
  CapacityModel,
  CapacityResult,
  CapacitySaturation,
  CapacitySettings,
} from "../../../../src/shared/capacity.js";
import { Histogram } from "../../../../src/stats/index.js";
import { FakeClock } from "../../../helpers/fake-clock.js";

export interface SimulationSettings {
  model: CapacityModel;
  slots: number;
  serviceMs: number;
  /** A ramp of users takes this long (fake ms). */
  rampMs?: number;
  /** Relative noise of each response time (a seeded, repeatable ±share). */
  jitter?: number;
  /** Load above which a share of requests fails. */
  failAbove?: { load: number; share: number };
  /** The load generator's CPU per request, µs: above 900,000 µs a second it is overloaded. */
  generatorMicrosPerRequest?: number;
  /** After each change of load, responses are slower: `extraMs` at first, falling to nothing over `forMs` (a warm-up). */
  transient?: { extraMs: number; forMs: number };
  /** Open model: above `load`, `perSecond` iterations a second find no free user and are dropped. */
  dropAbove?: { load: number; perSecond: number };
  /** Open model: requests each iteration makes (default 1). */
  requestsPerIteration?: number;
  /**
   * A target that does not answer in order (a thread pool's, not a FIFO queue): the
   * requests completed by each moment are off by up to a request or two, at random, the
   * total kept. A window of a second at 20/s then reads 19, 20 or 21 requests.
   */
  unordered?: boolean;
  /** The probe cannot pause (the search then cannot let a backlog drain). */
  noPause?: boolean;
  /**
   * A master's view: the totals a sample reads move only every `reportEveryMs` (its
   * workers' reports), holding what was completed up to the last report.
   */
  reportEveryMs?: number;
  seed?: number;
}

/** A repeatable pseudo-random sequence in [0, 1). */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

export class SimulatedTarget implements CapacityProbe {
  readonly clock = new FakeClock();
  /** Every load the search set, in order (0 for a pause). */
  readonly loads: number[] = [];
  stopped = false;
  private load = 0;
  private loadChangedAt = 0;
  private simulatedTo = 0;
  private queue = 0;
  private dropped = 0;
  private carry = 0;
  private requests = 0;
  private failures = 0;
  private sumMs = 0;
  private readonly histogram = new Histogram();
  private readonly intended = new Histogram();
  private readonly rand: () => number;
  private generator: GeneratorReading | null = null;
  private stopListeners: Array<() => void> = [];
  /** With `reportEveryMs`: the totals as of the last report. */
  private reported: CumulativeSample | undefined;

  /** Stops adding load (a rate of 0); absent with `noPause`. */
  readonly pause: (() => void) | undefined;

  constructor(readonly settings: SimulationSettings) {
    this.rand = random(settings.seed ?? 7);
    this.pause = settings.noPause
      ? undefined
      : () => {
          this.advance();
          this.loads.push(0);
          this.load = 0;
        };
    const reportEveryMs = settings.reportEveryMs;
    if (reportEveryMs !== undefined) {
      const report = () => {
        this.advance();
        this.reported = this.totals();
        if (!this.stopped) this.clock.later(report, reportEveryMs);
      };
      report();
    }
  }

  now(): number {
    return this.clock.epochOffsetMs + this.clock.now();
  }

  /** Runs the fake clock (and so the search) for `ms`, in 10 ms steps, letting promises settle between them. */
  async run(ms: number): Promise<void> {
    const end = this.clock.now() + ms;
    while (this.clock.now() < end && !this.stopped) {
      this.clock.advanceTo(Math.min(end, this.clock.now() + 10));
      await Promise.resolve();
      await Promise.resolve();
    }
  }

  setLoad(load: number): Promise<void> {
    this.advance();
    this.loads.push(load);
    this.load = load;
    this.loadChangedAt = this.clock.now();
    const ramp = this.settings.model === "users" ? (this.settings.rampMs ?? 0) : 0;
    return new Promise((resolve) => this.clock.later(resolve, ramp));
  }

  stop(): void {
    this.stopped = true;
  }

  /** The test stops by other means (a Ctrl-C). */
  interrupt(): void {
    for (const listener of this.stopListeners) listener();
    this.stopped = true;
  }

  onStopped(listener: () => void): () => void {
    this.stopListeners.push(listener);
    return () => {
      this.stopListeners = this.stopListeners.filter((l) => l !== listener);
    };
  }

  saturation(fromMs: number, toMs: number): CapacitySaturation {
    return { kind: "saturated", resource: "sim slots", text: `sim slots busy from ${fromMs} to ${toMs}` };
  }

  testNumber(): number {
    return 1;
  }

  sample(): CumulativeSample {
    this.advance();
    return this.reported === undefined ? this.totals() : { ...this.reported, timeMs: this.now() };
  }

  /** The running totals now. */
  private totals(): CumulativeSample {
    return {
      timeMs: this.now(),
      requests: this.requests,
      failures: this.failures,
      timedRequests: this.requests,
      responseTimeSumMs: this.sumMs,
      histogram: this.histogram.clone(),
      intended: this.settings.model === "arrival-rate" ? this.intended.clone() : null,
      dropped: Math.floor(this.dropped),
      iterationsCompleted:
        this.settings.model === "arrival-rate"
          ? Math.floor(this.requests / (this.settings.requestsPerIteration ?? 1))
          : 0,
      // Queued and in service, in iterations.
      inFlight:
        this.settings.model === "arrival-rate"
          ? Math.ceil(
              this.queue / (this.settings.requestsPerIteration ?? 1) +
                (this.load * this.settings.serviceMs) / 1000,
            )
          : 0,
      waiting: 0,
      users:
        this.settings.model === "users"
          ? this.load
          : Math.ceil(
              this.load * (this.settings.requestsPerIteration ?? 1) * (this.settings.serviceMs / 1000),
            ),
      generator: this.generator,
      workerCpuPercent: null,
    };
  }

  /** Completes the requests due between the last simulated moment and now. */
  private advance(): void {
    const now = this.clock.now();
    const dtMs = now - this.simulatedTo;
    if (dtMs <= 0) return;
    this.simulatedTo = now;
    const perIteration = this.settings.requestsPerIteration ?? 1;
    const drop = this.settings.dropAbove;
    if (drop !== undefined && this.load > drop.load) this.dropped += (drop.perSecond * dtMs) / 1000;
    const { slots, serviceMs, model } = this.settings;
    const capacityPerMs = slots / serviceMs;
    let completed: number;
    let responseMs: () => number;
    if (model === "users") {
      completed = (Math.min(this.load, slots) / serviceMs) * dtMs;
      const queued = Math.max(1, this.load / slots) * serviceMs;
      responseMs = () => queued;
    } else {
      const arrivals = ((this.load * perIteration) / 1000) * dtMs;
      completed = Math.min(arrivals + this.queue, capacityPerMs * dtMs);
      this.queue = Math.max(0, this.queue + arrivals - completed);
      const waitMs = this.queue / capacityPerMs;
      responseMs = () => serviceMs + waitMs;
    }
    const warmUp = this.settings.transient;
    const extra = warmUp ? warmUp.extraMs * Math.max(0, 1 - (now - this.loadChangedAt) / warmUp.forMs) : 0;
    this.carry += completed;
    const count = this.settings.unordered
      ? Math.max(0, Math.floor(this.carry + this.rand() - 0.5))
      : Math.floor(this.carry);
    this.carry -= count;
    const failing =
      this.settings.failAbove && this.load > this.settings.failAbove.load ? this.settings.failAbove.share : 0;
    for (let i = 0; i < count; i++) {
      const jitter = 1 + (this.settings.jitter ?? 0) * (2 * this.rand() - 1);
      const ms = (responseMs() + extra) * jitter;
      this.requests++;
      this.sumMs += ms;
      this.histogram.record(Math.round(ms * 1000));
      this.intended.record(Math.round(ms * 1000));
      if (this.rand() < failing) this.failures++;
    }
    const perRequest = this.settings.generatorMicrosPerRequest;
    if (perRequest !== undefined && dtMs > 0) {
      const cpuPercent = ((count * perRequest) / (dtMs * 1000)) * 100;
      this.generator = {
        timeMs: this.now(),
        cpuPercent,
        lagMs: 1,
        overloaded: cpuPercent > 90,
        cause: "cpu",
      };
    }
  }
}

/** The settings of the simulated searches: p95 < 150 ms, 5 first, x2, held 2 s to 6 s, 5 %. */
export function simulatedSettings(overrides: Partial<CapacitySettings> = {}): CapacitySettings {
  return {
    model: "users",
    slos: [
      { expression: "p95<150ms", metric: { kind: "percentile", percentile: 95 }, operator: "<", limit: 150 },
    ],
    start: 5,
    growth: { kind: "multiply", factor: 2 },
    max: 10_000,
    minHoldMs: 2000,
    maxHoldMs: 6000,
    precision: 0.05,
    ...overrides,
  };
}

/**
 * Runs a whole search against a simulated target on its fake clock (at most 600 s of it);
 * `settleMs` as a master's search waits for its workers' reports.
 */
export async function simulatedSearch(
  simulation: SimulationSettings,
  overrides: Partial<CapacitySettings> = {},
  settleMs = 0,
): Promise<{ result: CapacityResult | undefined; target: SimulatedTarget; search: CapacitySearch }> {
  const target = new SimulatedTarget(simulation);
  const search = new CapacitySearch({
    settings: simulatedSettings({ model: simulation.model, ...overrides }),
    probe: target,
    clock: target.clock,
    settleMs,
  });
  search.start();
  await target.run(600_000);
  return { result: search.result, target, search };
}
