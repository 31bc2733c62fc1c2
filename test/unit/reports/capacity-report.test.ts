/**
 * The capacity search in the reports: --slo's grammar (the thresholds', narrowed), the
 * JSON report's `capacity` key and its check, the HTML section, and the console block
 * for every outcome, from the answers of searches against the simulated target.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import {
  assertJsonReport,
  buildJsonReport,
  formatCapacitySteps,
  formatCapacitySummary,
  parseSlos,
  renderHtmlReport,
  validateJsonReport,
} from "../../../src/reports/index.js";
import { reportInputFromStats } from "../../../src/reports/report-input.js";
import type { CapacityResult, CapacitySettings } from "../../../src/shared/capacity.js";
import { capacityHeadline, WEB_FORM_SETTING_NAMES } from "../../../src/shared/capacity-text.js";
import { UsageError } from "../../../src/shared/errors.js";
import { type SimulationSettings, simulatedSearch } from "../runner/capacity/simulated-target.js";
import { sampleMeta, sampleStats, T0 } from "./fixtures.js";

async function answer(
  simulation: SimulationSettings,
  overrides: Partial<CapacitySettings> = {},
): Promise<CapacityResult> {
  const slos = parseSlos(["p95<150ms", "failRate<1%"], simulation.model);
  const { result } = await simulatedSearch(simulation, { slos, ...overrides });
  return result!;
}

const results = {} as Record<"found" | "open" | "below" | "atLeast" | "generator", CapacityResult>;
before(async () => {
  results.found = await answer({ model: "users", slots: 40, serviceMs: 100 });
  results.open = await answer({ model: "arrival-rate", slots: 20, serviceMs: 100 }, { start: 10 });
  results.below = await answer({ model: "users", slots: 2, serviceMs: 100 });
  results.atLeast = await answer({ model: "users", slots: 100, serviceMs: 100 }, { max: 30 });
  results.generator = await answer({
    model: "users",
    slots: 40,
    serviceMs: 100,
    generatorMicrosPerRequest: 2500,
  });
});

describe("--slo: the thresholds' grammar, narrowed to upper bounds a step can meet", () => {
  it("reads ms, s and % units and comma lists", () => {
    const slos = parseSlos(
      ["p95<300ms,failRate<1%", "p(99.9) <= 1.5s", "avg<200", "med<100ms", "max<2s"],
      "users",
    );
    assert.deepEqual(
      slos.map((s) => [s.metric, s.operator, s.limit]),
      [
        [{ kind: "percentile", percentile: 95 }, "<", 300],
        [{ kind: "failRate" }, "<", 0.01],
        [{ kind: "percentile", percentile: 99.9 }, "<=", 1500],
        [{ kind: "avg" }, "<", 200],
        [{ kind: "med" }, "<", 100],
        [{ kind: "max" }, "<", 2000],
      ],
    );
  });

  it("lists every bad SLO in one usage error (CICADA_ERR_SLO) with a hint", () => {
    assert.throws(
      () => parseSlos(["nonsense", "count<5", "p95>=3"], "users"),
      (error: unknown) =>
        error instanceof UsageError &&
        error.code === "CICADA_ERR_SLO" &&
        /cannot parse 'nonsense'/.test(error.message) &&
        /count is not a service level/.test(error.message) &&
        /an SLO is an upper bound/.test(error.message) &&
        error.hint !== undefined,
    );
    assert.throws(() => parseSlos([], "users"), /give at least one SLO/);
  });
});

describe("the answer in the reports", () => {
  it("the JSON report carries it (headline, details, steps) and it validates; a wrong one does not", () => {
    const input = {
      ...reportInputFromStats(sampleStats(), sampleMeta(), T0 + 10_000),
      capacity: results.found,
    };
    const json = JSON.parse(JSON.stringify(buildJsonReport(input)));
    assertJsonReport(json);
    assert.equal(json.capacity?.capacity, results.found.capacity);
    assert.match(json.capacity!.headline, /^Capacity: \d+ users/);
    assert.ok(json.capacity!.details.length >= 2);
    assert.equal(json.capacity!.steps.length, results.found.steps.length);
    const broken = { ...json, capacity: { ...json.capacity, outcome: "maybe", steps: [{}] } };
    const problems = validateJsonReport(broken);
    assert.ok(
      problems.some((p) => /\$\.capacity\.outcome: expected one of/.test(p)),
      problems.join("\n"),
    );
    assert.ok(problems.some((p) => /\$\.capacity\.steps\[0\]: missing key 'load'/.test(p)));
    // Without a search: null; a report from before the key existed still validates.
    const plain = JSON.parse(
      JSON.stringify(buildJsonReport(reportInputFromStats(sampleStats(), sampleMeta(), T0 + 10_000))),
    );
    assert.equal(plain.capacity, null);
    delete plain.capacity;
    assert.deepEqual(validateJsonReport(plain), []);
  });

  it("meta.capacitySearch (what the search ran, instead of a users/spawn-rate pair) validates; a wrong one does not", () => {
    const capacitySearch = {
      model: "users" as const,
      start: 5,
      max: 10_000,
      highestLoad: 80,
      capacity: 50,
      outcome: "found" as const,
    };
    const meta = sampleMeta({ users: null, spawnRate: null, capacitySearch });
    const json = JSON.parse(
      JSON.stringify(buildJsonReport(reportInputFromStats(sampleStats(), meta, T0 + 10_000))),
    );
    assertJsonReport(json);
    assert.deepEqual(json.meta.capacitySearch, capacitySearch);
    const wrong = {
      ...json,
      meta: { ...json.meta, capacitySearch: { ...capacitySearch, outcome: "maybe" } },
    };
    assert.ok(
      validateJsonReport(wrong).some((p) => /\$\.meta\.capacitySearch\.outcome: expected one of/.test(p)),
    );
    const older: { meta: Record<string, unknown> } = JSON.parse(JSON.stringify(json));
    delete older.meta.capacitySearch;
    assert.deepEqual(validateJsonReport(older), [], "a report from before the key existed");
    const html = renderHtmlReport(reportInputFromStats(sampleStats(), meta, T0 + 10_000));
    assert.match(
      html,
      /<dt>Load<\/dt><dd>capacity search of users: from 5 users \(at most 10000 users\), the highest run 80 users; capacity 50 users \(found\)<\/dd>/,
    );
    assert.doesNotMatch(html, /<dt>Users<\/dt>/);
  });

  it("the HTML report has the Capacity section, its steps and its chart's data; none without a search", () => {
    const stats = sampleStats();
    const html = renderHtmlReport({
      ...reportInputFromStats(stats, sampleMeta(), T0 + 10_000),
      capacity: results.open,
    });
    assert.match(html, /<section id="capacity"/);
    assert.match(html, /data-outcome="found"/);
    assert.match(html, /<th>p95 from intended start<\/th>/);
    const data = JSON.parse(/id="cicada-capacity-data">([^<]*)</.exec(html)![1]!);
    assert.equal(data.unit, "iterations/s");
    assert.equal(data.p95Limit, 150);
    assert.equal(data.capacity, results.open.capacity);
    assert.ok(data.intendedP95.length === data.load.length);
    const plain = renderHtmlReport(reportInputFromStats(stats, sampleMeta(), T0 + 10_000));
    assert.doesNotMatch(plain, /id="capacity"/);
    assert.doesNotMatch(plain, /cicada-capacity-data/);
  });

  it("the console's steps table says what each step broke: its SLOs, or keep-up (the open model's target lagged)", () => {
    const open = structuredClone(results.open);
    const step = open.steps.find((s) => s.passed)!;
    step.passed = false;
    step.reason =
      "steady: broke keep-up: the target completed 200.0 req/s of 213/s asked, 6.1 % short (more than 5 %): a queue was growing";
    const rows = formatCapacitySteps(open).filter((line) => /^\s+\d+\s+(grow|refine)\s/.test(line));
    assert.match(rows[open.steps.indexOf(step)]!, /\sbroke keep-up$/);
    const sloBroken = open.steps.find((s) => s.checks.some((c) => !c.passed))!;
    assert.match(rows[open.steps.indexOf(sloBroken)]!, /\sbroke p95<150ms/);
  });

  it("a failure rate that broke a step gives its count, and says when it was too few to be sure", () => {
    const found = structuredClone(results.found);
    const breaking = found.breaking!;
    const setFailRate = (failures: number, requests: number) => {
      breaking.requests = requests;
      breaking.failRate = failures / requests;
      breaking.passed = false;
      breaking.checks = [
        { expression: "p95<150ms", measured: 100, limit: 150, passed: true },
        { expression: "failRate<1%", measured: failures / requests, limit: 0.01, passed: false },
      ];
    };
    const row = () =>
      formatCapacitySteps(found).filter((line) => /^\s+\d+\s+(grow|refine)\s/.test(line))[
        found.steps.indexOf(breaking)
      ]!;
    // 13 of 1181 (1.10 %): above 1 % as measured, not surely (Wilson's one-sided 95 % low end: 0.70 %).
    setFailRate(13, 1181);
    assert.match(
      capacityHeadline(found),
      /broke failRate<1% \(measured 1\.10 %: 13 of 1181 requests, too few to be sure\)\./,
    );
    assert.match(row(), /\sbroke failRate<1% \(13 of 1181 requests, too few to be sure\)$/);
    setFailRate(21, 469);
    assert.match(capacityHeadline(found), /broke failRate<1% \(measured 4\.48 %: 21 of 469 requests\)\./);
    assert.match(row(), /\sbroke failRate<1% \(21 of 469 requests\)$/);
    // A step met at the maximum hold on too few failures says so in its row.
    setFailRate(4, 398);
    breaking.passed = true;
    breaking.checks = breaking.checks.map((check) => ({ ...check, passed: true }));
    assert.match(row(), /\smet every SLO \(failRate<1%: 4 of 398 requests, too few to be sure\)$/);
  });

  it("the console says each outcome in words, with the steps", () => {
    const found = formatCapacitySummary(results.found).join("\n");
    assert.match(found, /Capacity search \(users; SLOs: p95<150ms, failRate<1%\)/);
    assert.match(
      found,
      /Capacity: \d+ users \([\d.]+ req\/s\) met every SLO; \d+ users broke p95<150ms \(measured \d+ ms\)/,
    );
    assert.match(found, /Target at the breaking step: sim slots/);
    assert.match(found, /^\s+#\s+phase\s+users\s+req\/s/m);
    assert.equal(
      found.split("\n").filter((line) => /^\s+\d+\s+(grow|refine)\s/.test(line)).length,
      results.found.steps.length,
    );
    assert.match(
      formatCapacitySummary(results.below).join("\n"),
      /No capacity found: even the first step, 5 users, broke p95<150ms \(measured 250 ms\)\. Start lower/,
    );
    assert.match(
      formatCapacitySummary(results.atLeast).join("\n"),
      /At least 30 users \([\d.]+ req\/s\): no step up to the upper bound broke an SLO; raise --capacity-max \(30 users\)/,
    );
    assert.match(
      formatCapacitySummary(results.generator).join("\n"),
      /The load generator was the limit, not the target: at \d+ users Cicada's CPU reached \d+ % of a core .*--processes N/,
    );
    assert.match(formatCapacitySummary(results.open).join("\n"), /p95 intended/);
    assert.deepEqual(formatCapacitySummary(undefined), []);
  });

  it("the web UI's headline names the start form's fields where the console names flags", () => {
    const below = capacityHeadline(results.below, WEB_FORM_SETTING_NAMES);
    assert.match(below, /Start lower \(a smaller First step in the form\), or look at the target\./);
    const atLeast = capacityHeadline(results.atLeast, WEB_FORM_SETTING_NAMES);
    assert.match(atLeast, /raise the form's Upper bound \(30 users\) to search further/);
    const timeLimit = capacityHeadline({ ...results.atLeast, ended: "time-limit" }, WEB_FORM_SETTING_NAMES);
    assert.match(timeLimit, /the run time of the search ran out before any step broke an SLO/);
    for (const text of [below, atLeast, timeLimit]) assert.doesNotMatch(text, /--capacity|\(-t\)/);
    assert.match(capacityHeadline(results.below), /Start lower \(--capacity-start\)/);
  });

  it("an arrival-rate search's steps show their dropped iterations (console, HTML); a users search's do not", () => {
    const open = structuredClone(results.open);
    open.steps.forEach((step, i) => {
      step.droppedIterations = i === 0 ? 0 : 1000 + i;
    });
    const [heading, ...rows] = formatCapacitySteps(open).map((line) => line.trim().split(/\s{2,}/));
    const column = heading!.indexOf("dropped");
    assert.equal(column, heading!.indexOf("p95 intended") + 1);
    assert.deepEqual(
      rows.map((row) => row[column]),
      open.steps.map((step) => String(step.droppedIterations)),
    );
    assert.doesNotMatch(formatCapacitySteps(results.found)[0]!, /dropped/);

    const stats = sampleStats();
    const html = renderHtmlReport({
      ...reportInputFromStats(stats, sampleMeta(), T0 + 10_000),
      capacity: open,
    });
    assert.match(html, /<th>p95 from intended start<\/th><th>Dropped<\/th>/);
    const cells = [...html.matchAll(/<tr class="(?:met|broke)">(.*?)<\/tr>/gs)].map((m) =>
      [...m[1]!.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((c) => c[1]),
    );
    assert.deepEqual(
      cells.map((row) => row[8]),
      open.steps.map((step) => String(step.droppedIterations)),
    );
    const users = renderHtmlReport({
      ...reportInputFromStats(stats, sampleMeta(), T0 + 10_000),
      capacity: results.found,
    });
    assert.doesNotMatch(users, /<th>Dropped<\/th>/);
  });
});
