/**
 * Watches the load generator itself. Response times are measured by this process: when
 * it is saturated (its CPU near a full core, or its event loop late), a response waits
 * in Cicada before it is timed, so the reported latencies include client-side queueing
 * and the throughput is Cicada's limit, not the server's. Locust warns about CPU only;
 * Cicada samples CPU and event-loop lag every second, warns when the generator becomes
 * overloaded (and says when it recovers, not every second), counts the overloaded
 * seconds, and the final summary (and reports) mark results measured that way.
 */
import { type IntervalHistogram, monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";
import { EventHook } from "../shared/event-hook.js";
import type { Logger } from "../shared/logger.js";

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
}

/** The generator's state so far: what reports and the UI show. */
export interface GeneratorLoad {
  /** True while the generator is considered overloaded (set at once, cleared after a few calm intervals). */
  overloaded: boolean;
  /** Intervals (seconds by default) in which the generator was overloaded. */
  overloadedSeconds: number;
  /** Intervals sampled. */
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
  /** Calm intervals in a row before the overload is declared over (default 3). */
  calmIntervalsToRecover?: number;
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
    this.monotonicMs = options.monotonicMs ?? (() => performance.now());
    this.now = options.now ?? Date.now;
    this.load = {
      overloaded: false,
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

  /** True once any interval was overloaded: the run's latencies may include client queueing. */
  get wasOverloaded(): boolean {
    return this.load.overloadedSeconds > 0;
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
    const sample: GeneratorSample = { timeMs: this.now(), cpuPercent, lagMs, gcPercent, overloaded };
    this.record(sample);
    return sample;
  }

  private record(sample: GeneratorSample): void {
    const load = this.load;
    load.sampledSeconds++;
    load.last = sample;
    load.maxCpuPercent = Math.max(load.maxCpuPercent, sample.cpuPercent);
    load.maxLagMs = Math.max(load.maxLagMs, sample.lagMs);
    load.maxGcPercent = Math.max(load.maxGcPercent, sample.gcPercent);
    if (sample.overloaded) {
      load.overloadedSeconds++;
      this.calmInARow = 0;
      if (!load.overloaded) {
        load.overloaded = true;
        this.logger?.warning(
          `The load generator is overloaded (CPU ${sample.cpuPercent.toFixed(0)} % of a core, ` +
            `event-loop lag ${sample.lagMs.toFixed(0)} ms): response times now include time spent ` +
            "waiting inside Cicada. Use fewer users per process, or more processes (--processes) or machines." +
            gcHint(sample.gcPercent),
        );
        this.changed.fire(this.state);
      }
      return;
    }
    this.calmInARow++;
    if (load.overloaded && this.calmInARow >= this.calmToRecover) {
      load.overloaded = false;
      this.logger?.info(
        `The load generator has recovered (CPU ${sample.cpuPercent.toFixed(0)} %, ` +
          `event-loop lag ${sample.lagMs.toFixed(0)} ms).`,
      );
      this.changed.fire(this.state);
    }
  }
}

/** GC share from which the overload warning suggests a bigger young generation. */
const GC_HINT_PERCENT = 15;

function gcHint(gcPercent: number): string {
  if (gcPercent < GC_HINT_PERCENT) return "";
  return (
    ` Garbage collection took ${gcPercent.toFixed(0)} % of that second: with thousands of users per ` +
    "process, use more processes (--processes) or a young generation larger than Cicada's 32 MB " +
    "(NODE_OPTIONS=--max-semi-space-size=64, see docs/performance.md)."
  );
}

/**
 * The note printed under the final summary of a run measured on an overloaded
 * generator; empty when the generator was fine throughout.
 */
export function overloadNote(load: GeneratorLoad): string[] {
  if (load.overloadedSeconds === 0) return [];
  return [
    `Note: the load generator was overloaded during ${load.overloadedSeconds} of ${load.sampledSeconds} s ` +
      `(CPU up to ${load.maxCpuPercent.toFixed(0)} % of a core, event-loop lag up to ${load.maxLagMs.toFixed(0)} ms):`,
    "results measured on an overloaded generator: latencies include client-side queueing, and the",
    "request rate may be Cicada's limit rather than the server's. Use fewer users per process, or more processes.",
    "",
  ];
}
