/**
 * `--monitor-metric NAME=EXPRESSION`: any series of an exporter, by metric name and label
 * matchers, in a small subset of PromQL that people already know:
 *
 *   pg_stat_activity_count{state="active"}                  a gauge (summed over matching series)
 *   rate(pg_stat_database_xact_commit{datname="app"}) a counter as a per-second rate
 *   max(redis_connected_clients)                            sum (default), max, min or avg over the series
 *
 * Label matchers are PromQL's: `=`, `!=`, `=~` and `!~` (regular expressions match the
 * whole value). Evaluation reads two consecutive scrapes (for rates) and is pure.
 */
import type { Exposition, Sample } from "./exposition.js";
import { counterRate, labelKey } from "./rates.js";

export type MatchOperator = "=" | "!=" | "=~" | "!~";
export type Aggregation = "sum" | "max" | "min" | "avg";

export interface LabelMatcher {
  label: string;
  operator: MatchOperator;
  value: string;
  /** For =~ and !~: the value as an anchored regular expression. */
  pattern?: RegExp;
}

/** A parsed expression. */
export interface MetricSelector {
  metric: string;
  matchers: LabelMatcher[];
  rate: boolean;
  aggregation: Aggregation;
}

const AGGREGATIONS = new Set<string>(["sum", "max", "min", "avg"]);

/** Reads an expression left to right; every method throws a message saying what was expected. */
class Reader {
  private at = 0;
  constructor(private readonly text: string) {}

  skipSpaces(): void {
    while (this.at < this.text.length && /\s/.test(this.text[this.at]!)) this.at++;
  }

  peek(): string {
    this.skipSpaces();
    return this.text[this.at] ?? "";
  }

  done(): boolean {
    return this.peek() === "";
  }

  expect(token: string): void {
    this.skipSpaces();
    if (!this.text.startsWith(token, this.at)) throw new Error(`expected '${token}' ${this.where()}`);
    this.at += token.length;
  }

  identifier(what: string, pattern = /^[a-zA-Z_:][a-zA-Z0-9_:]*/): string {
    this.skipSpaces();
    const match = pattern.exec(this.text.slice(this.at));
    if (!match) throw new Error(`expected ${what} ${this.where()}`);
    this.at += match[0].length;
    return match[0];
  }

  operator(): MatchOperator {
    this.skipSpaces();
    for (const op of ["=~", "!~", "!=", "="] as const) {
      if (this.text.startsWith(op, this.at)) {
        this.at += op.length;
        return op;
      }
    }
    throw new Error(`expected =, !=, =~ or !~ ${this.where()}`);
  }

  /** A double-quoted string with PromQL's escapes. */
  quoted(): string {
    this.expect('"');
    let out = "";
    while (this.at < this.text.length) {
      const c = this.text[this.at++]!;
      if (c === '"') return out;
      if (c === "\\") {
        const next = this.text[this.at++] ?? "";
        out += next === "n" ? "\n" : next;
      } else out += c;
    }
    throw new Error("a label value's closing quote is missing");
  }

  where(): string {
    return this.at >= this.text.length ? "at the end" : `at '${this.text.slice(this.at, this.at + 20)}'`;
  }
}

function readMatchers(reader: Reader): LabelMatcher[] {
  const matchers: LabelMatcher[] = [];
  if (reader.peek() !== "{") return matchers;
  reader.expect("{");
  while (reader.peek() !== "}") {
    const label = reader.identifier("a label name", /^[a-zA-Z_][a-zA-Z0-9_]*/);
    const operator = reader.operator();
    const value = reader.quoted();
    if (operator === "=~" || operator === "!~") {
      let pattern: RegExp;
      try {
        pattern = new RegExp(`^(?:${value})$`);
      } catch {
        throw new Error(`'${value}' is not a regular expression`);
      }
      matchers.push({ label, operator, value, pattern });
    } else {
      matchers.push({ label, operator, value });
    }
    if (reader.peek() === ",") reader.expect(",");
    else if (reader.peek() !== "}") throw new Error(`expected ',' or '}' ${reader.where()}`);
  }
  reader.expect("}");
  return matchers;
}

/**
 * Parses an expression.
 * @throws Error with a message saying what was expected where.
 */
export function parseSelector(text: string): MetricSelector {
  const reader = new Reader(text);
  let aggregation: Aggregation = "sum";
  let rate = false;
  let closing = 0;
  let name = reader.identifier("a metric name");
  if (AGGREGATIONS.has(name) && reader.peek() === "(") {
    aggregation = name as Aggregation;
    reader.expect("(");
    closing++;
    name = reader.identifier("a metric name");
  }
  if (name === "rate" && reader.peek() === "(") {
    rate = true;
    reader.expect("(");
    closing++;
    name = reader.identifier("a metric name");
  }
  const matchers = readMatchers(reader);
  for (; closing > 0; closing--) reader.expect(")");
  if (!reader.done()) throw new Error(`unexpected '${reader.peek()}' ${reader.where()}`);
  return { metric: name, matchers, rate, aggregation };
}

function matches(sample: Sample, matcher: LabelMatcher): boolean {
  const value = sample.labels[matcher.label] ?? "";
  switch (matcher.operator) {
    case "=":
      return value === matcher.value;
    case "!=":
      return value !== matcher.value;
    case "=~":
      return matcher.pattern!.test(value);
    case "!~":
      return !matcher.pattern!.test(value);
  }
}

/** The samples of the selector's metric that every matcher accepts. */
export function selectSamples(selector: MetricSelector, exposition: Exposition): Sample[] {
  return (exposition.get(selector.metric) ?? []).filter((sample) =>
    selector.matchers.every((matcher) => matches(sample, matcher)),
  );
}

function aggregate(values: number[], aggregation: Aggregation): number | null {
  if (values.length === 0) return null;
  switch (aggregation) {
    case "sum":
      return values.reduce((a, b) => a + b, 0);
    case "max":
      return Math.max(...values);
    case "min":
      return Math.min(...values);
    case "avg":
      return values.reduce((a, b) => a + b, 0) / values.length;
  }
}

/**
 * The selector's value now: the aggregated gauge values, or the aggregated per-second
 * rates since `previous` (series not in the previous scrape are left out). Null when no
 * series matches, or for a rate without a previous scrape.
 */
export function evaluateSelector(
  selector: MetricSelector,
  current: Exposition,
  previous: Exposition | undefined,
  seconds: number,
): number | null {
  const samples = selectSamples(selector, current);
  if (!selector.rate)
    return aggregate(samples.map((s) => s.value).filter(Number.isFinite), selector.aggregation);
  if (previous === undefined) return null;
  const before = new Map(selectSamples(selector, previous).map((s) => [labelKey(s.labels), s.value]));
  const rates: number[] = [];
  for (const sample of samples) {
    const old = before.get(labelKey(sample.labels));
    const rate = old === undefined ? null : counterRate(old, sample.value, seconds);
    if (rate !== null) rates.push(rate);
  }
  return aggregate(rates, selector.aggregation);
}
