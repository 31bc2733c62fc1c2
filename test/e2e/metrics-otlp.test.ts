/**
 * --otlp against a receiver that decodes with OpenTelemetry's own protobuf code (the
 * ExportMetricsServiceRequest codec generated from opentelemetry-proto, shipped in
 * @opentelemetry/otlp-transformer), and the export faults: an endpoint that is down,
 * refuses or never answers costs one warning and never the test.
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { type TestContext, test } from "node:test";
import { counter } from "../../src/metrics/families.js";
import { createOtlpSender, loadOtel } from "../../src/metrics/otlp.js";
import { startTarget } from "../helpers/cli.js";
import { freePort, runSteadyHeadless, serve } from "./metrics-helpers.js";

interface Codec {
  decode(bytes: Uint8Array): unknown;
  toObject(message: unknown, options: object): ExportRequest;
}
interface DataPoint {
  attributes: Array<{ key: string; value: { stringValue?: string } }>;
  asDouble?: number;
  count?: number;
  sum?: number;
  min?: number;
  max?: number;
  bucketCounts?: number[];
  explicitBounds?: number[];
}
interface OtlpMetric {
  name: string;
  unit: string;
  sum?: { dataPoints: DataPoint[]; isMonotonic: boolean; aggregationTemporality: number };
  gauge?: { dataPoints: DataPoint[] };
  histogram?: { dataPoints: DataPoint[]; aggregationTemporality: number };
}
interface ExportRequest {
  resourceMetrics: Array<{
    resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
    scopeMetrics: Array<{ scope: { name: string }; metrics: OtlpMetric[] }>;
  }>;
}

const require = createRequire(import.meta.url);
const generated = require("@opentelemetry/otlp-transformer/build/src/generated/root.js");
const ExportMetricsServiceRequest: Codec =
  generated.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;

type Answer = "ok" | "bad" | "hang";

/** An OTLP/HTTP receiver on 127.0.0.1 that keeps every decoded request. */
async function receiver(t: TestContext, answer: Answer) {
  const requests: ExportRequest[] = [];
  const paths: string[] = [];
  const url = await serve(t, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      paths.push(`${req.method} ${req.url} ${req.headers["content-type"]}`);
      if (answer === "hang") return;
      if (answer === "bad") return void res.writeHead(400).end("bad request");
      const message = ExportMetricsServiceRequest.decode(Buffer.concat(chunks));
      requests.push(ExportMetricsServiceRequest.toObject(message, { longs: Number, defaults: true }));
      res.writeHead(200, { "content-type": "application/x-protobuf" }).end();
    });
  });
  return { url, requests, paths };
}

const attrs = (p: DataPoint) => Object.fromEntries(p.attributes.map((a) => [a.key, a.value.stringValue]));

test("--otlp pushes the same series over OTLP/HTTP protobuf, the last push with the final counts", async (t) => {
  const otlp = await receiver(t, "ok");
  const target = await startTarget((_req, res) => res.writeHead(200).end("ok"));
  t.after(() => target.close());
  const { cli, totalRequests } = runSteadyHeadless(t, target.url, [
    "--otlp",
    otlp.url,
    "--metrics-push-interval",
    "1s",
  ]);
  assert.equal(await cli.done, 0, cli.stderr());
  const total = totalRequests();
  assert.ok(otlp.requests.length >= 2, `${otlp.requests.length} pushes`);
  assert.equal(otlp.paths[0], "POST /v1/metrics application/x-protobuf");
  const last = otlp.requests.at(-1)!.resourceMetrics[0]!;
  const resource = Object.fromEntries(last.resource.attributes.map((a) => [a.key, a.value.stringValue]));
  assert.equal(resource["service.name"], "cicada");
  const metrics = new Map(last.scopeMetrics[0]!.metrics.map((m) => [m.name, m]));
  assert.equal(last.scopeMetrics[0]!.scope.name, "cicada");

  const requests = metrics.get("cicada_requests")!;
  assert.equal(requests.sum!.isMonotonic, true);
  assert.equal(requests.sum!.aggregationTemporality, 2, "cumulative");
  const point = requests.sum!.dataPoints.find((p) => attrs(p).name === "/x")!;
  assert.deepEqual(attrs(point), { method: "GET", name: "/x" });
  assert.equal(point.asDouble, total);

  const times = metrics.get("cicada_response_time_seconds")!;
  assert.equal(times.unit, "s");
  const h = times.histogram!.dataPoints[0]!;
  assert.equal(h.count, total);
  assert.equal(h.bucketCounts!.length, h.explicitBounds!.length + 1);
  assert.equal(
    h.bucketCounts!.reduce((a, b) => a + b, 0),
    total,
  );
  assert.ok(h.min! > 0 && h.min! <= h.max! && h.sum! > 0);
  assert.equal(metrics.get("cicada_users")!.gauge!.dataPoints[0]!.asDouble, 0, "the run has ended");
});

test("a down remote-write endpoint and a refusing OTLP one: one warning each, the test runs and passes", async (t) => {
  const refusing = await receiver(t, "bad");
  const target = await startTarget((_req, res) => res.writeHead(200).end("ok"));
  t.after(() => target.close());
  const down = `http://127.0.0.1:${await freePort()}/api/v1/write`;
  const { cli } = runSteadyHeadless(t, target.url, [
    "--prometheus-remote-write",
    down,
    "--otlp",
    refusing.url,
    "--metrics-push-interval",
    "1s",
  ]);
  assert.equal(await cli.done, 0, cli.stderr());
  assert.ok(target.requests > 20, `${target.requests} requests`);
  assert.ok(refusing.paths.length >= 2, "OTLP kept trying");
  const warnings = cli
    .stderr()
    .split("\n")
    .filter((line) => line.includes("WARNING/"));
  const remoteWrite = warnings.filter((w) => w.includes("Prometheus remote write to"));
  const otlpWarnings = warnings.filter((w) => w.includes("OTLP export to"));
  assert.equal(remoteWrite.length, 1, cli.stderr());
  assert.equal(otlpWarnings.length, 1, cli.stderr());
  assert.match(remoteWrite[0]!, /failed: ECONNREFUSED\. The test goes on/);
  assert.match(cli.stderr(), /OTLP export to .*: 0 of \d+ pushes delivered/);
});

test("an OTLP endpoint that never answers: the push gives up at its timeout", async (t) => {
  const hanging = await receiver(t, "hang");
  const sender = createOtlpSender(await loadOtel(), hanging.url, { "service.name": "cicada" }, "test", 300);
  t.after(() => sender.shutdown());
  const families = [counter("cicada_requests_total", "h", "{request}", [{ labels: {}, value: 1 }])];
  const started = Date.now();
  const outcome = await sender.payload(families, started, started + 1000).send(300);
  assert.equal(outcome.delivered, false);
  assert.ok(Date.now() - started < 2000, `${Date.now() - started} ms`);
});
