/**
 * Watches the load generator itself. Response times are measured by this process: when
 * it is saturated (its CPU near a full core, or its event loop late), a response waits
 * in Cicada before it is timed, so the reported latencies include client-side queueing
 * and the throughput is Cicada's limit, not the server's. Locust warns about CPU only;
 * Cicada samples CPU and event-loop lag every second, warns when the generator becomes
 * overloaded (and says when it recovers, not every second), counts the overloaded
 * seconds, and the final summary (and reports) mark results measured that way.
 *
 * Only seconds in which users ran all along count (`isActive`): the process's own
 * start-up (loading the locustfile, the web server) and the idle time between tests are
 * not the test's. Entering needs `enterIntervals` overloaded seconds in a row, leaving
 * `calmIntervalsToRecover` calm ones below lower thresholds, so a busy machine near a
 * threshold does not make the flag flap. The advice names the cause (advice.ts): this
 * process's CPU, or an event loop delayed from outside while this process was nearly idle.
 */
import { type IntervalHistogram, monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";
import { EventHook } from "../shared/event-hook.js";
import type { Logger } from "../shared/logger.js";
import {
  type GeneratorRole,
  type OverloadCause,
  overloadCause,
  overloadWarning,
} from "./generator-advice.js";

/** One sampling interval. */
export interface GeneratorSample {
  /** End of the interval, epoch ms. */
  timeMs: number;
  /** CPU time of this process over the interval, in % of one core (may exceed 100 with GC threads). */
  cpuPercent: number;
  /** Largest event-loop delay seen in the interval, ms: how late a ready callback could run. */
  lagMs: number;
  /** Time spent in garbage collection over the interval, in % of it. */
  gcPercent: number;
  /** True when `cpuPercent` or `lagMs` passed its threshold. */
  overloaded: boolean;
  /** False for a second in which no test ran all along (not counted). */
  counted: boolean;
}

/** The generator's state so far: what reports and the UI show. */
export interface GeneratorLoad {
  /** True while the generator is considered overloaded (set at once, cleared after a few calm intervals). */
  overloaded: boolean;
  /** What overloads it (the current or the last overload of this test); null before any. */
  cause: OverloadCause | null;
  /** "master" for a master, which runs no users: its overload does not touch the latencies. */
  role: GeneratorRole;
  /** Intervals (seconds by default) of the current test in which the generator was overloaded. */
  overloadedSeconds: number;
  /** Intervals of the current test sampled while its users ran. */
  sampledSeconds: number;
  /** Highest CPU % and lag (ms) seen in any interval. */
  maxCpuPercent: number;
  maxLagMs: number;
  maxGcPercent: number;
  /** The latest interval, or null before the first one ends. */
  last: GeneratorSample | null;
  /** The thresholds in use. */
  cpuThresholdPercent: number;
  lagThresholdMs: number;
}

/** How the monitor samples; only `cpuUsageMicros` is required. */
export interface GeneratorMonitorOptions {
  /** CPU time used by this process so far, µs (the CLI passes `process.cpuUsage()`'s user + system). */
  cpuUsageMicros: () => number;
  logger?: Logger;
  /** Sampling interval, ms (default 1000). */
  intervalMs?: number;
  /** Overloaded above this CPU %, of one core (default 90). */
  cpuThresholdPercent?: number;
  /** Overloaded above this event-loop lag, ms (default 50). */
  lagThresholdMs?: number;
  /** Overloaded intervals in a row before the overload is declared (default 2). */
  enterIntervals?: number;
  /** Calm intervals in a row before the overload is declared over (default 3). */
  calmIntervalsToRecover?: number;
  /** True while users run (a test is spawning or running); only such seconds count. Default: always. */
  isActive?: () => boolean;
  /** "master" when this process runs no users itself (default "generator"). */
  role?: GeneratorRole;
  /** Monotonic clock in ms (default `performance.now`). */
  monotonicMs?: () => number;
  /** Wall clock, epoch ms (default `Date.now`). */
  now?: () => number;
}

/** Samples CPU and event-loop lag every interval; see the module comment. */
export class GeneratorMonitor {
  /** Fired when the generator becomes overloaded or recovers. */
  readonly changed = new EventHook<GeneratorLoad>();
  private readonly cpuUsageMicros: () => number;
  private readonly logger: Logger | undefined;
  private readonly intervalMs: number;
  private readonly cpuThreshold: number;
  private readonly lagThreshold: number;
  private readonly calmToRecover: number;
  private readonly enterIntervals: number;
  private readonly isActive: () => boolean;
  private wasActive = false;
  private overInARow = 0;
  private readonly monotonicMs: () => number;
  private readonly now: () => number;
  private delay: IntervalHistogram | undefined;
  private gcObserver: PerformanceObserver | undefined;
  private gcMs = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastCpuMicros = 0;
  private lastAtMs = 0;
  private calmInARow = 0;
  private readonly load: GeneratorLoad;

  constructor(options: GeneratorMonitorOptions) {
    this.cpuUsageMicros = options.cpuUsageMicros;
    this.logger = options.logger;
    this.intervalMs = options.intervalMs ?? 1000;
    this.cpuThreshold = options.cpuThresholdPercent ?? 90;
    this.lagThreshold = options.lagThresholdMs ?? 50;
    this.calmToRecover = options.calmIntervalsToRecover ?? 3;
    this.enterIntervals = Math.max(1, options.enterIntervals ?? 2);
    this.isActive = options.isActive ?? (() => true);
    this.monotonicMs = options.monotonicMs ?? (() => performance.now());
    this.now = options.now ?? Date.now;
    this.load = {
      overloaded: false,
      cause: null,
      role: options.role ?? "generator",
      overloadedSeconds: 0,
      sampledSeconds: 0,
      maxCpuPercent: 0,
      maxLagMs: 0,
      maxGcPercent: 0,
      last: null,
      cpuThresholdPercent: this.cpuThreshold,
      lagThresholdMs: this.lagThreshold,
    };
  }

  /** The state so far (a copy). */
  get state(): GeneratorLoad {
    return { ...this.load };
  }

  /** True once any interval of this test was overloaded: its latencies may include client queueing. */
  get wasOverloaded(): boolean {
    return this.load.overloadedSeconds > 0;
  }

  /** A new test: its counts start from zero (a report covers one test). */
  beginTest(): void {
    const load = this.load;
    load.overloadedSeconds = 0;
    load.sampledSeconds = 0;
    load.maxCpuPercent = 0;
    load.maxLagMs = 0;
    load.maxGcPercent = 0;
    load.cause = load.overloaded ? load.cause : null;
  }

  /** Starts sampling (again); the timer never keeps the process alive. */
  start(): void {
    if (this.timer !== undefined) return;
    // Resolution well below the 50 ms threshold, coarse enough to cost nothing.
    this.delay = monitorEventLoopDelay({ resolution: 10 });
    this.delay.enable();
    this.gcMs = 0;
    this.gcObserver = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) this.gcMs += entry.duration;
    });
    this.gcObserver.observe({ entryTypes: ["gc"] });
    this.lastCpuMicros = this.cpuUsageMicros();
    this.lastAtMs = this.monotonicMs();
    // The first interval holds the start-up's work: it counts only if users ran before it.
    this.wasActive = false;
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops sampling; the state keeps what was measured. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.delay?.disable();
    this.delay = undefined;
    this.gcObserver?.disconnect();
    this.gcObserver = undefined;
  }

  /** Takes one sample now (the timer calls this every interval). */
  sample(): GeneratorSample {
    const atMs = this.monotonicMs();
    const cpuMicros = this.cpuUsageMicros();
    const elapsedMs = Math.max(1, atMs - this.lastAtMs);
    const cpuPercent = ((cpuMicros - this.lastCpuMicros) / 1000 / elapsedMs) * 100;
    // max is in ns; 0 when no timer tick happened at all (a loop blocked the whole interval).
    const recordedLagMs = this.delay === undefined ? 0 : this.delay.max / 1e6;
    const lagMs = this.delay !== undefined && this.delay.count === 0 ? elapsedMs : recordedLagMs;
    this.delay?.reset();
    const gcPercent = Math.min(100, (this.gcMs / elapsedMs) * 100);
    this.gcMs = 0;
    this.lastCpuMicros = cpuMicros;
    this.lastAtMs = atMs;
    const overloaded = cpuPercent > this.cpuThreshold || lagMs > this.lagThreshold;
    // A second counts only if users ran at its start and at its end.
    const active = this.isActive();
    const counted = active && this.wasActive;
    this.wasActive = active;
    const sample: GeneratorSample = { timeMs: this.now(), cpuPercent, lagMs, gcPercent, overloaded, counted };
    this.record(sample);
    return sample;
  }

  private record(sample: GeneratorSample): void {
    const load = this.load;
    load.last = sample;
    if (!sample.counted) {
      // Between tests (or at start-up) an overload is not the test's: let it go quietly.
      this.overInARow = 0;
      if (load.overloaded) this.recover(sample);
      return;
    }
    load.sampledSeconds++;
    load.maxCpuPercent = Math.max(load.maxCpuPercent, sample.cpuPercent);
    load.maxLagMs = Math.max(load.maxLagMs, sample.lagMs);
    load.maxGcPercent = Math.max(load.maxGcPercent, sample.gcPercent);
    if (load.overloaded) {
      // Hysteresis: calm means well below the thresholds, not just under them.
      const calm = sample.cpuPercent < this.cpuThreshold - 10 && sample.lagMs < this.lagThreshold / 2;
      if (!calm) {
        load.overloadedSeconds++;
        this.calmInARow = 0;
        return;
      }
      if (++this.calmInARow >= this.calmToRecover) this.recover(sample);
      return;
    }
    this.overInARow = sample.overloaded ? this.overInARow + 1 : 0;
    if (this.overInARow < this.enterIntervals) return;
    // The seconds that made the overload count too.
    load.overloadedSeconds += this.overInARow;
    this.overInARow = 0;
    this.calmInARow = 0;
    load.overloaded = true;
    load.cause = overloadCause(sample, this.cpuThreshold);
    this.logger?.warning(overloadWarning(load.role, load.cause, sample));
    this.changed.fire(this.state);
  }

  private recover(sample: GeneratorSample): void {
    this.load.overloaded = false;
    this.calmInARow = 0;
    this.logger?.info(
      `The ${this.load.role === "master" ? "master" : "load generator"} has recovered (CPU ${sample.cpuPercent.toFixed(0)} %, ` +
        `event-loop lag ${sample.lagMs.toFixed(0)} ms).`,
    );
    this.changed.fire(this.state);
  }
}
