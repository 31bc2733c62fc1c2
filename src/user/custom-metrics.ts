/**
 * Custom metrics as a locustfile writes them, k6's four kinds:
 *
 *   const issued = new Counter("coupons_issued");        issued.add(1)
 *   const depth = new Gauge("queue_depth", { merge: "sum" }); depth.set(12)
 *   const loggedIn = new Rate("login_ok");               loggedIn.add(res.ok)
 *   const firstMessage = new Trend("first_message", { unit: "ms" }); firstMessage.add(42.5)
 *
 * A metric is declared when it is created (at the top of the locustfile, so thresholds
 * can name it before the test starts) and each update goes through the run's `metric`
 * event, the same seam as requests, into the stats (`stats.metrics`), which workers
 * report to their master. A name used for two kinds, a bad name or a bad value is the
 * locustfile's mistake: a {@link MetricError}.
 */
import { LocustfileError } from "../shared/errors.js";
import type { GaugeMerge, MetricDeclaration, MetricKind } from "../stats/index.js";
import { metricClassName } from "../stats/index.js";
import type { Events } from "./events.js";

/** A custom metric used wrongly: a name clash, a bad name, a value of the wrong type. */
export class MetricError extends LocustfileError {
  constructor(message: string, hint: string) {
    super("CICADA_ERR_METRIC", message, { hint });
  }
}

/** One update of a custom metric (the `metric` event). */
export interface MetricEvent {
  /** The metric's declaration (name, kind, and a gauge's merge or a trend's unit). */
  metric: MetricDeclaration;
  /** Added to a counter, set on a gauge, added to a rate (1 true, 0 false) or to a trend. */
  value: number;
}

/** Names that mean something else in thresholds and reports. */
const RESERVED = new Set(["checks", "check", "total", "aggregated", "dropped", "interrupted"]);
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** The metrics a run's locustfile declared, so clashes are found when a metric is created. */
export class MetricDeclarations {
  private readonly byName = new Map<string, MetricDeclaration>();
  private readonly listeners = new Set<(declaration: MetricDeclaration) => void>();

  /**
   * Declares a metric, or finds it declared already with the same kind.
   * @throws MetricError for a bad name or a name declared as another kind.
   */
  declare(wanted: MetricDeclaration): MetricDeclaration {
    checkName(wanted);
    const existing = this.byName.get(wanted.name);
    if (existing !== undefined) {
      const problem =
        existing.kind !== wanted.kind
          ? `the metric "${wanted.name}" is already a ${metricClassName(existing.kind)}: it cannot also be a ${metricClassName(wanted.kind)}`
          : existing.kind === "gauge" && wanted.merge !== undefined && wanted.merge !== existing.merge
            ? `the Gauge "${wanted.name}" is already merged by ${existing.merge}, not ${wanted.merge}`
            : undefined;
      if (problem !== undefined) {
        throw new MetricError(
          problem,
          "Give each metric one name and one kind (Counter, Gauge, Rate or Trend)",
        );
      }
      return existing;
    }
    const declaration = Object.freeze({ ...wanted, ...defaultsOf(wanted) });
    this.byName.set(declaration.name, declaration);
    for (const listener of this.listeners) listener(declaration);
    return declaration;
  }

  /** Every declared metric, in declaration order. */
  list(): MetricDeclaration[] {
    return [...this.byName.values()];
  }

  get(name: string): MetricDeclaration | undefined {
    return this.byName.get(name);
  }

  /** Calls `listener` for every metric declared from now on; returns a function that removes it. */
  onDeclare(listener: (declaration: MetricDeclaration) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function defaultsOf(d: MetricDeclaration): Partial<MetricDeclaration> {
  if (d.kind === "gauge") return { merge: d.merge ?? "max" };
  if (d.kind === "trend") return { unit: d.unit ?? "" };
  return {};
}

function checkName(d: MetricDeclaration): void {
  const cls = metricClassName(d.kind);
  if (typeof d.name !== "string" || !NAME.test(d.name)) {
    throw new MetricError(
      `new ${cls}(${JSON.stringify(d.name)}): a metric name is letters, digits and _, starting with a letter or _ (at most 128)`,
      'Name it like "coupons_issued": it becomes a threshold key and a Prometheus series',
    );
  }
  if (RESERVED.has(d.name.toLowerCase())) {
    throw new MetricError(
      `new ${cls}("${d.name}"): "${d.name}" is a name Cicada's thresholds already use`,
      `Choose another name (reserved: ${[...RESERVED].join(", ")})`,
    );
  }
  if (d.kind === "gauge" && d.merge !== undefined && d.merge !== "sum" && d.merge !== "max") {
    throw new MetricError(
      `new Gauge("${d.name}", { merge: ${JSON.stringify(d.merge)} }): merge is "sum" or "max"`,
      'A master shows the sum of its workers\' last values ("sum") or the largest ("max")',
    );
  }
}

/** The Events a metric class reports to (set per run on a subclass, see {@link metricClassesFor}). */
const kEvents = Symbol("cicada.metricEvents");
type BoundClass = { [kEvents]?: Events };

/** What the four classes share: the declaration, and reporting an update. */
abstract class CustomMetric {
  /** The metric's name (its row, threshold key and series). */
  readonly name: string;
  private readonly declaration: MetricDeclaration;
  private readonly events: Events;

  protected constructor(kind: MetricKind, name: string, extras: Partial<MetricDeclaration>) {
    const events = (new.target as BoundClass)[kEvents];
    if (events === undefined) {
      throw new MetricError(
        `new ${metricClassName(kind)}(${JSON.stringify(name)}) outside a Cicada run`,
        'Import the metric classes from "cicada-load" in a locustfile',
      );
    }
    this.events = events;
    this.declaration = events.metricDeclarations.declare({ name, kind, ...extras });
    this.name = this.declaration.name;
  }

  protected emit(value: number): void {
    this.events.metric.fire({ metric: this.declaration, value });
  }

  protected fail(call: string, expected: string, value: unknown): never {
    throw new MetricError(
      `${metricClassName(this.declaration.kind)} "${this.name}": ${call} takes ${expected}, got ${describe(value)}`,
      "Pass a number (a Rate also takes true or false)",
    );
  }
}

function describe(value: unknown): string {
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  return value === null ? "null" : typeof value;
}

/** A count that only goes up (k6's Counter): `count` and `rate` (per second) in thresholds. */
export class Counter extends CustomMetric {
  constructor(name: string) {
    super("counter", name, {});
  }

  /** Adds `value` (default 1, at least 0). */
  add(value = 1): void {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      this.fail("add()", "a number ≥ 0", value);
    }
    this.emit(value);
  }
}

/**
 * The last value set (k6's Gauge): `value`, `min` and `max` in thresholds. A master keeps
 * each worker's last value and shows their sum or their maximum (`merge`, default "max").
 */
export class Gauge extends CustomMetric {
  constructor(name: string, options: { merge?: GaugeMerge } = {}) {
    super("gauge", name, options.merge === undefined ? {} : { merge: options.merge });
  }

  /** Sets the gauge to `value`. */
  set(value: number): void {
    if (typeof value !== "number" || !Number.isFinite(value)) this.fail("set()", "a finite number", value);
    this.emit(value);
  }
}

/** The share of true values (k6's Rate): `rate` in thresholds (`login_ok:rate>0.99`). */
export class Rate extends CustomMetric {
  constructor(name: string) {
    super("rate", name, {});
  }

  /** Adds one value: true (or a non-zero number) or false (0). */
  add(value: boolean | number): void {
    if (typeof value === "boolean") this.emit(value ? 1 : 0);
    else if (typeof value === "number" && !Number.isNaN(value)) this.emit(value !== 0 ? 1 : 0);
    else this.fail("add()", "true, false or a number", value);
  }
}

/**
 * Values in an HDR histogram (k6's Trend), exact to 3 significant digits: `p(N)`, `avg`,
 * `min`, `max`, `med`, `count` in thresholds. Values are ≥ 0 (a time, a size, a count).
 */
export class Trend extends CustomMetric {
  constructor(name: string, options: { unit?: string } = {}) {
    super("trend", name, options.unit === undefined ? {} : { unit: options.unit });
  }

  /** Adds one value (≥ 0). */
  add(value: number): void {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      this.fail("add()", "a number ≥ 0", value);
    }
    this.emit(value);
  }
}

/** The four classes, as a locustfile imports them. */
export interface MetricClasses {
  Counter: typeof Counter;
  Gauge: typeof Gauge;
  Rate: typeof Rate;
  Trend: typeof Trend;
}

/**
 * The metric classes of a run: subclasses that report to `events` (each run of the CLI
 * has its own events, as it has its own `events` export).
 */
export function metricClassesFor(events: Events): MetricClasses {
  return {
    Counter: class Counter_ extends Counter {
      static [kEvents] = events;
    },
    Gauge: class Gauge_ extends Gauge {
      static [kEvents] = events;
    },
    Rate: class Rate_ extends Rate {
      static [kEvents] = events;
    },
    Trend: class Trend_ extends Trend {
      static [kEvents] = events;
    },
  };
}

/** Makes the base classes report to `events` (the package's module-level `events`). */
export function bindMetricClasses(events: Events): void {
  for (const cls of [Counter, Gauge, Rate, Trend]) (cls as BoundClass)[kEvents] = events;
}
