import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { checkOutputPaths, substituteHtmlPath, unwritableReason } from "../../../src/cli/output-paths.js";
import { renderJunitXml } from "../../../src/reports/junit.js";
import { evaluateThresholds } from "../../../src/reports/threshold-eval.js";
import { parseThresholds } from "../../../src/reports/thresholds.js";
import { EnvironmentError, ExitCode } from "../../../src/shared/errors.js";
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
});
