import assert from "node:assert/strict";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { CliOptions } from "../../../src/cli/options.js";
import { reportOptionsOf } from "../../../src/cli/options-reports.js";
import {
  checkOutputPaths,
  resolveOutputPaths,
  substituteHtmlPath,
  unwritableReason,
} from "../../../src/cli/output-paths.js";
import { renderJunitXml } from "../../../src/reports/junit.js";
import { evaluateThresholds } from "../../../src/reports/threshold-eval.js";
import { parseThresholds } from "../../../src/reports/thresholds.js";
import { EnvironmentError, ExitCode, UsageError } from "../../../src/shared/errors.js";
import { sampleMeta, sampleStats, T0, unwritableFolder } from "./fixtures.js";

describe("JUnit XML", () => {
  it("has one test case per threshold and a failure element for each failed one", () => {
    const results = evaluateThresholds(
      parseThresholds({
        "GET /a": ["p(95) < 96", "avg < 1"],
        '/b?x="y",z': "count > 0",
        "/none": "count > 0",
      }),
      sampleStats(),
      T0 + 10_000,
    );
    const xml = renderJunitXml(results, sampleMeta());
    assert.match(
      xml,
      /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="cicada" tests="4" failures="2"/,
    );
    assert.equal(xml.match(/<testcase /g)?.length, 4);
    assert.equal(xml.match(/<failure /g)?.length, 2);
    assert.match(
      xml,
      /name="GET \/a: avg &lt; 1"[\s\S]*?<failure type="threshold" message="measured 50\.5 ms, expected avg &lt; 1">/,
    );
    assert.match(xml, /name="\/b\?x=&quot;y&quot;,z: count &gt; 0"/);
    assert.match(xml, /message="no data: no request with this name"/);
    assert.match(xml, /timestamp="2026-01-02T03:04:05"/);
    // Every tag opened is closed (a cheap well-formedness check).
    for (const tag of ["testsuites", "testsuite", "testcase", "properties"]) {
      assert.equal(
        xml.match(new RegExp(`<${tag}[ >]`, "g"))?.length,
        xml.match(new RegExp(`</${tag}>`, "g"))?.length,
        tag,
      );
    }
  });
});

describe("JUnit XML of a run with flags", () => {
  it("names the load and the run's flags in properties and the suite's output", () => {
    const meta = sampleMeta({
      loadModel: "arrival-rate",
      users: null,
      spawnRate: null,
      arrivalRate: { from: 100, to: 1000, rampMs: 60_000 },
      flags: [
        {
          code: "interrupted",
          message: "The run was interrupted (a signal); the statistics cover the time until then.",
        },
      ],
    });
    const xml = renderJunitXml([], meta);
    assert.match(xml, /<property name="loadModel" value="arrival-rate"\/>/);
    assert.match(xml, /<property name="arrivalRate" value="100:1000 over 60 s"\/>/);
    assert.match(xml, /<property name="flags" value="interrupted"\/>/);
    assert.match(
      xml,
      /<\/properties>\n {4}<system-out>⚠ The run was interrupted \(a signal\); the statistics cover the time until then\.<\/system-out>\n {2}<\/testsuite>/,
    );
    const plain = renderJunitXml([], sampleMeta({ arrivalRate: { from: 500, to: null, rampMs: null } }));
    assert.match(plain, /<property name="arrivalRate" value="500"\/>/);
    assert.match(plain, /<property name="flags" value=""\/>/);
    assert.doesNotMatch(plain, /system-out/, "no flag, no output");
  });
});

describe("report paths", () => {
  it("replaces Locust's {u}, {r} and {t} in --html", () => {
    assert.equal(
      substituteHtmlPath("report_{u}u_{r}r_{t}s.html", { users: 50, spawnRate: 2.5, runTimeMs: 90_000 }),
      "report_50u_2.5r_90s.html",
    );
    assert.equal(
      substituteHtmlPath("r_{t}.html", { users: undefined, spawnRate: undefined, runTimeMs: undefined }),
      "r_none.html",
    );
  });

  it("finds paths that cannot be written, with a reason, before anything runs", (t) => {
    const scratch = mkdtempSync(join(tmpdir(), "cicada-paths-"));
    t.after(() => rmSync(scratch, { recursive: true, force: true }));
    writeFileSync(join(scratch, "file"), "");
    assert.equal(unwritableReason(join(scratch, "ok.html")), undefined);
    assert.match(
      unwritableReason(join(scratch, "missing", "r.html"))!,
      /the folder .*missing does not exist/,
    );
    assert.match(unwritableReason(join(scratch, "file", "r.html"))!, /file is not a folder/);
    assert.match(unwritableReason(scratch)!, /is a folder/);
    assert.match(unwritableReason(join(unwritableFolder(scratch), "r.html"))!, /is not writable/);

    let error: unknown;
    try {
      checkOutputPaths({
        csv: {
          stats: join(scratch, "nope", "x_stats.csv"),
          history: join(scratch, "nope", "x_stats_history.csv"),
          failures: join(scratch, "nope", "x_failures.csv"),
          exceptions: join(scratch, "nope", "x_exceptions.csv"),
          iterations: join(scratch, "nope", "x_iterations.csv"),
          checks: join(scratch, "nope", "x_checks.csv"),
          metrics: join(scratch, "nope", "x_metrics.csv"),
        },
        html: join(scratch, "ok.html"),
        junit: scratch,
      });
    } catch (caught) {
      error = caught;
    }
    assert.ok(error instanceof EnvironmentError);
    assert.equal(error.exitCode, ExitCode.environment);
    const lines = error.message.split("\n").slice(1);
    assert.equal(lines.length, 2, `one line per mistake:\n${error.message}`);
    assert.match(lines[0]!, /^✖ --csv: cannot write .*nope.* does not exist$/);
    assert.match(lines[1]!, /^✖ --junit: cannot write .* is a folder$/);
  });

  const cliOptions = (csv: string): CliOptions => ({
    loglevel: "INFO",
    exitCodeOnError: 1,
    userClasses: [],
    csv,
  });

  it("writes --csv DIR/ into the folder, as Locust does, and --csv DIR/run beside nothing", () => {
    const none = { users: undefined, spawnRate: undefined, runTimeMs: undefined };
    const into = resolveOutputPaths(reportOptionsOf(cliOptions("out/d/")), "/work", none);
    assert.equal(into.csv?.stats, "/work/out/d/_stats.csv");
    assert.equal(into.csv?.history, "/work/out/d/_stats_history.csv");
    const prefixed = resolveOutputPaths(reportOptionsOf(cliOptions("out/d/run")), "/work", none);
    assert.equal(prefixed.csv?.stats, "/work/out/d/run_stats.csv");
  });

  it("refuses two reports to one file, or a report on the standard output --json prints to", (t) => {
    const scratch = mkdtempSync(join(tmpdir(), "cicada-paths-"));
    t.after(() => rmSync(scratch, { recursive: true, force: true }));
    const clash = (paths: Parameters<typeof checkOutputPaths>[0], json = false) => {
      try {
        checkOutputPaths(paths, json);
      } catch (error) {
        assert.ok(error instanceof UsageError, String(error));
        assert.equal(error.exitCode, ExitCode.usage);
        assert.equal(error.code, "CICADA_ERR_OUTPUT_CLASH");
        return error.message;
      }
      return undefined;
    };
    const same = join(scratch, "same.x");
    assert.equal(clash({ html: same, junit: same }), `--html and --junit would both write ${same}`);
    assert.equal(
      clash({ junit: "/dev/stdout" }, true),
      "--json and --junit would both write standard output",
    );
    assert.equal(
      clash({ html: "/dev/fd/1", junit: "/dev/stdout" }),
      "--html and --junit would both write standard output",
    );
    assert.equal(clash({ junit: "/dev/stdout" }), undefined, "alone on standard output is fine");
    writeFileSync(join(scratch, "real.xml"), "");
    symlinkSync("real.xml", join(scratch, "link.xml"));
    assert.equal(
      clash({ html: join(scratch, "link.xml"), junit: join(scratch, "real.xml") }),
      `--html and --junit would both write ${join(scratch, "real.xml")}`,
      "a symlink is the file it points to",
    );
    assert.equal(clash({ html: join(scratch, "r.html"), junit: join(scratch, "r.xml") }, true), undefined);
  });
});
