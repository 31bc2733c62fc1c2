/**
 * The capacity search (issue 14): a controller that drives the load like a load shape,
 * but reads the statistics it produced. Step by step it sets a load, holds it until the
 * step is judged (judge.ts), and asks the plan (plan.ts) for the next load, until the
 * highest load that met every SLO is known. Its result is data (src/shared/capacity.ts)
 * that the reports and the web UI render.
 *
 * It knows the test only through a {@link CapacityProbe} (runner-probe.ts adapts a Runner,
 * local or master), and time only through a clock, so the unit tests run it against a
 * simulated target on a fake clock.
 */
import type {
  CapacityProgress,
  CapacityResult,
  CapacitySaturation,
  CapacitySettings,
  CapacityStep,
} from "../../shared/capacity.js";
import { formatLoad, withFailRateSlo } from "../../shared/capacity.js";
import { EventHook } from "../../shared/event-hook.js";
import { type Logger, silentLogger } from "../../shared/logger.js";
import type { SchedulerClock } from "../arrival-scheduler.js";
import { realClock } from "../arrival-scheduler.js";
import { type JudgeSettings, judgeStep, type KeepUp, type StepVerdict } from "./judge.js";
import { buildResult, type RunningStep, stepOf } from "./outcome.js";
import { RequestsPerIteration } from "./per-iteration.js";
import { CapacityPlan } from "./plan.js";
import type { CumulativeSample, WindowFigures } from "./window.js";

/** What the search drives and reads: the test (a Runner through runner-probe.ts, or a simulation). */
export interface CapacityProbe {
  /** Epoch ms, on the statistics' clock. */
  now(): number;
  /** The running totals now. */
  sample(): CumulativeSample;
  /** Sets the load (`first`: starts the test); resolves once it is reached (a ramp of users). */
  setLoad(load: number, first: boolean): Promise<void>;
  /** Stops adding load, so a backlog left by a step that broke drains (the open model's rate 0). */
  pause?(): void;
  /** Ends the test. */
  stop(): void;
  /** Calls `listener` when the test stops by other means (Ctrl-C, the web UI's Stop, a quit). */
  onStopped(listener: () => void): () => void;
  /** What saturated on the monitored target in a window, or null when nothing is monitored. */
  saturation?(fromMs: number, toMs: number): CapacitySaturation | null;
  /** The test's number in the session. */
  testNumber(): number | null;
}

export interface CapacitySearchOptions {
  settings: CapacitySettings;
  probe: CapacityProbe;
  clock?: SchedulerClock;
  /**
   * How long after a load is reached the statistics describe it: 0 for a local run; a
   * master's workers report every 3 s, so a step's first report may still hold the last step.
   */
  settleMs?: number;
  /** Sampling interval (default: a quarter of the minimum hold, between 100 ms and 1 s). */
  tickMs?: number;
  logger?: Logger;
}

/** After a step that broke in the open model: no new iterations until the target has answered its backlog. */
interface Drain {
  sinceMs: number;
  lastRequests: number;
  /** Ticks in a row that saw no request completed. */
  quietTicks: number;
  next: number;
}

export class CapacitySearch {
  /** Fired once, with the answer, when the search ends (on its own, at -t, or stopped). */
  readonly finished = new EventHook<CapacityResult>();
  result: CapacityResult | undefined;
  readonly settings: CapacitySettings;
  private readonly probe: CapacityProbe;
  private readonly clock: SchedulerClock;
  private readonly logger: Logger;
  private readonly plan: CapacityPlan;
  private readonly judge: JudgeSettings;
  private readonly tickMs: number;
  private readonly settleMs: number;
  /** Ticks without a completed request that show the backlog is answered (longer than a report on a master). */
  private readonly quietTicksToEndDrain: number;
  private readonly steps: CapacityStep[] = [];
  /** The open model: requests per iteration, counted at the steps that met every SLO. */
  private readonly perIteration = new RequestsPerIteration();
  private current: RunningStep | null = null;
  private drain: Drain | null = null;
  private startTimeMs = 0;
  private timer: unknown;
  private done = false;
  private removeStopListener: (() => void) | undefined;

  constructor(options: CapacitySearchOptions) {
    // Failed requests always count: a search given only latency SLOs gets failRate<1% too.
    const slos = withFailRateSlo(options.settings.slos);
    this.settings = { ...options.settings, slos };
    this.probe = options.probe;
    this.clock = options.clock ?? realClock;
    this.logger = options.logger ?? silentLogger;
    this.settleMs = options.settleMs ?? 0;
    this.plan = new CapacityPlan(options.settings);
    const halfMs = options.settings.minHoldMs / 2;
    this.tickMs = options.tickMs ?? Math.min(1000, Math.max(100, halfMs / 2));
    // A master's totals move only when a worker reports: unchanged between two ticks says nothing then.
    this.quietTicksToEndDrain = Math.max(1, Math.ceil(this.settleMs / this.tickMs));
    this.judge = {
      slos,
      minHoldMs: options.settings.minHoldMs,
      maxHoldMs: options.settings.maxHoldMs,
      halfTicks: Math.max(1, Math.round(halfMs / this.tickMs)),
    };
  }

  get running(): boolean {
    return this.startTimeMs > 0 && !this.done;
  }

  /** Starts the test at the first load and the search's clock. */
  start(): void {
    this.startTimeMs = this.probe.now();
    this.removeStopListener = this.probe.onStopped(() => this.finish("stopped"));
    this.beginStep(this.plan.first());
    this.schedule();
  }

  /** Ends the search now (its answer from the steps judged so far) and stops the test. */
  stop(): void {
    this.finish("stopped", true);
  }

  /** Where the search is, for the web UI. */
  progress(): CapacityProgress {
    const { settings, current, drain } = this;
    const best = this.plan.good === null ? undefined : this.stepAt(this.plan.good, true);
    return {
      running: this.running,
      model: settings.model,
      slos: settings.slos.map((slo) => slo.expression),
      current:
        this.done || (current === null && drain === null)
          ? null
          : {
              index: this.steps.length + 1,
              phase: drain ? "drain" : current!.phase,
              load: drain ? drain.next : current!.load,
              sinceMs: drain ? drain.sinceMs : current!.startMs,
              holdStartMs: drain ? null : current!.holdStartMs,
              minHoldMs: settings.minHoldMs,
              maxHoldMs: settings.maxHoldMs,
            },
      steps: [...this.steps],
      best: best === undefined ? null : { load: best.load, rps: best.rps },
      result: this.result ?? null,
    };
  }

  private schedule(): void {
    this.timer = this.clock.setTimer(() => {
      this.timer = undefined;
      if (this.done) return;
      try {
        this.tick();
      } catch (error) {
        this.logger.error(
          `the capacity search failed: ${error instanceof Error ? error.stack : String(error)}`,
        );
        this.finish("stopped", true);
      }
      if (!this.done) this.schedule();
    }, this.tickMs);
  }

  private tick(): void {
    const now = this.probe.now();
    const limit = this.settings.runTimeMs;
    if (limit !== undefined && now - this.startTimeMs >= limit) {
      this.logger.info(
        `--run-time limit reached (${limit / 1000} s): the capacity search ends with what it measured`,
      );
      this.finish("time-limit");
      return;
    }
    if (this.drain) {
      this.continueDrain(now);
      return;
    }
    const step = this.current;
    if (step === null || step.holdStartMs === null || now < step.holdStartMs) return;
    const sample = this.probe.sample();
    const previous = step.samples.at(-1);
    // The statistics were reset (the web UI's button): measure the step again from here.
    if (previous !== undefined && sample.requests < previous.requests) {
      step.samples.length = 0;
      step.failuresFrom = null;
    }
    step.samples.push(sample);
    // Judging needs the last two halves only (and where failures are counted from, if set).
    if (step.samples.length > 2 * this.judge.halfTicks + 1) step.samples.shift();
    const { holdStartMs, samples, failuresFrom } = step;
    const verdict = judgeStep(samples, holdStartMs, now, this.judge, this.keepUp(step.load), failuresFrom);
    if (verdict.done) this.endStep(step, verdict, sample, now);
    else step.failuresFrom ??= verdict.failuresFrom ?? null;
  }

  private endStep(
    step: RunningStep,
    verdict: Extract<StepVerdict, { done: true }>,
    last: CumulativeSample,
    now: number,
  ): void {
    const measured = stepOf(step, verdict, last, now, this.settings.model);
    this.steps.push(measured);
    this.current = null;
    if (verdict.passed) this.perIteration.addStep(step.samples, this.judge.halfTicks);
    const { model } = this.settings;
    this.logger.info(
      `Capacity step ${measured.index} (${measured.phase}), ${formatLoad(model, measured.load)}: ` +
        `${measured.rps.toFixed(1)} req/s, p95 ${measured.p95Ms === null ? "–" : `${measured.p95Ms.toFixed(1)} ms`}, ` +
        `failures ${(measured.failRate * 100).toFixed(2)} %: ${verdict.reason}`,
    );
    const next = this.plan.next(step.load, verdict.passed);
    if (next === null) {
      this.finish("complete");
      return;
    }
    if (!verdict.passed && this.probe.pause) {
      // A backlog left by this step would make the next one look worse than it is.
      this.probe.pause();
      this.drain = { sinceMs: now, lastRequests: last.requests, quietTicks: 0, next };
      return;
    }
    this.beginStep(next, verdict.passed ? 0 : backlogWaitMs(verdict.figures, this.settings.maxHoldMs));
  }

  /**
   * The open model after a broken step: the rate is 0 until the statistics show no more
   * answers, over a tick (a master: over longer than its workers' report interval), or
   * until the maximum hold (and the reports' delay) has passed.
   */
  private continueDrain(now: number): void {
    const drain = this.drain!;
    const requests = this.probe.sample().requests;
    drain.quietTicks = requests === drain.lastRequests ? drain.quietTicks + 1 : 0;
    drain.lastRequests = requests;
    const answered = drain.quietTicks >= this.quietTicksToEndDrain;
    if (!answered && now - drain.sinceMs < this.settings.maxHoldMs + this.settleMs) return;
    this.drain = null;
    this.beginStep(drain.next);
  }

  /** `backlogWaitMs`: the hold begins that long after the load is reached (see {@link backlogWaitMs}). */
  private beginStep(load: number, backlogWaitMs = 0): void {
    const first = this.steps.length === 0 && this.current === null;
    const step: RunningStep = {
      index: this.steps.length + 1,
      phase: this.plan.phase,
      load,
      startMs: this.probe.now(),
      holdStartMs: null,
      samples: [],
      failuresFrom: null,
    };
    this.current = step;
    const wait =
      backlogWaitMs > 0
        ? ` (held from ${(backlogWaitMs / 1000).toFixed(2)} s after it is reached, the broken step's p99: its backlog at the target is answered by then)`
        : "";
    this.logger.info(
      `Capacity step ${step.index} (${step.phase}): ${formatLoad(this.settings.model, load)}${wait}`,
    );
    this.probe.setLoad(load, first).then(
      () => {
        if (this.current === step) step.holdStartMs = this.probe.now() + this.settleMs + backlogWaitMs;
      },
      (error: unknown) => {
        this.logger.error(`the capacity search could not set the load: ${String(error)}`);
        this.finish("stopped", true);
      },
    );
  }

  /** The open model: the rate a step must keep up with, and the requests per iteration of the steps that met every SLO. */
  private keepUp(load: number): KeepUp | null {
    if (this.settings.model !== "arrival-rate") return null;
    return { askedRate: load, requestsPerIteration: this.perIteration.value() };
  }

  private stepAt(load: number, passed: boolean): CapacityStep | undefined {
    return this.steps.findLast((step) => step.load === load && step.passed === passed);
  }

  /** Ends the search; stops the test too unless it is already stopping (`stopTest`). */
  private finish(ended: CapacityResult["ended"], stopTest = ended !== "stopped"): void {
    if (this.done) return;
    this.done = true;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.removeStopListener?.();
    const breaking = this.plan.bad === null ? undefined : this.stepAt(this.plan.bad, false);
    const saturation =
      breaking && this.probe.saturation
        ? this.probe.saturation(breaking.startTimeMs, breaking.endTimeMs)
        : null;
    this.result = buildResult({
      settings: this.settings,
      plan: this.plan,
      steps: this.steps,
      best: this.plan.good === null ? undefined : this.stepAt(this.plan.good, true),
      breaking,
      saturation,
      ended,
      startTimeMs: this.startTimeMs,
      endTimeMs: this.probe.now(),
      testNumber: this.probe.testNumber(),
    });
    if (stopTest) this.probe.stop();
    this.finished.fire(this.result);
  }
}

/**
 * How long after a step that broke the next one's hold waits, when the load cannot be paused
 * (the closed model): the requests queued at the target when the users fell (those of the
 * users taken away too: a server answers a request whose client has gone) take about as
 * long to be answered as the broken step's responses took, so the broken step's p99 (its
 * largest time when it has no p99). Judged earlier, they were the first half of the next
 * step: 7 of 94 requests at 300 ms or more made 25 users break p95 < 300 ms on a target
 * that holds 28 (a FIFO queue of 10 slots of 100 ms). At most the maximum hold.
 */
export function backlogWaitMs(figures: WindowFigures, maxHoldMs: number): number {
  const p99 = figures.p99Ms ?? figures.maxMs ?? 0;
  return Math.min(Math.max(0, p99), maxHoldMs);
}
