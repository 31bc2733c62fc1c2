import assert from "node:assert/strict";
import { test } from "node:test";
import snappy from "snappyjs";
import { counter, type HistogramFamily, LATENCY_BUCKETS_SECONDS } from "../../../src/metrics/families.js";
import {
  encodeWriteRequest,
  loadWriteRequestType,
  splitCredentials,
  timeSeriesOf,
} from "../../../src/metrics/remote-write.js";

interface Decoded {
  timeseries: Array<{
    labels: Array<{ name: string; value: string }>;
    samples: Array<{ value: number; timestamp: number }>;
  }>;
  metadata: Array<{ metric_family_name: string; type: number }>;
}

async function decode(body: Uint8Array): Promise<Decoded> {
  const type = (await loadWriteRequestType()) as unknown as {
    decode(b: Uint8Array): unknown;
    toObject(m: unknown, o: object): Decoded;
  };
  return type.toObject(type.decode(snappy.uncompress(body)), {
    longs: Number,
    enums: Number,
    defaults: true,
  });
}

function histogram(names: number): HistogramFamily {
  return {
    kind: "histogram",
    name: "cicada_response_time_seconds",
    help: "h",
    unit: "s",
    bounds: LATENCY_BUCKETS_SECONDS,
    samples: Array.from({ length: names }, (_, n) => ({
      labels: { name: `/n/${n}`, method: "GET" },
      cumulativeCounts: LATENCY_BUCKETS_SECONDS.map((_, i) => i),
      count: 99,
      sum: 1.5,
    })),
  };
}

test("series: __name__ first, labels sorted, le in its place, every bucket then _sum and _count", () => {
  const series = [...timeSeriesOf([histogram(1)], 1234, { job: "cicada", instance: "h:1" })];
  assert.equal(series.length, LATENCY_BUCKETS_SECONDS.length + 3);
  assert.deepEqual(
    series[0]!.labels.map((l) => l.name),
    ["__name__", "instance", "job", "le", "method", "name"],
  );
  assert.deepEqual(series[0]!.labels[3], { name: "le", value: "0.001" });
  assert.deepEqual(series.at(-3)!.labels[3], { name: "le", value: "+Inf" });
  assert.deepEqual(series.at(-3)!.samples, [{ value: 99, timestamp: 1234 }]);
  assert.deepEqual(
    series.at(-1)!.labels.map((l) => `${l.name}=${l.value}`),
    ["__name__=cicada_response_time_seconds_count", "instance=h:1", "job=cicada", "method=GET", "name=/n/0"],
  );
});

test("a large request encoded in slices decodes as one WriteRequest", async () => {
  const families = [
    counter("cicada_requests_total", "c", "{request}", [{ labels: { name: "/" }, value: 7 }]),
    histogram(400),
  ];
  const body = await encodeWriteRequest(families, 1_700_000_000_000, { job: "cicada" });
  const decoded = await decode(body);
  const expected = [...timeSeriesOf(families, 1_700_000_000_000, { job: "cicada" })];
  assert.equal(expected.length, 1 + 400 * (LATENCY_BUCKETS_SECONDS.length + 3));
  assert.deepEqual(decoded.timeseries, expected);
  assert.deepEqual(
    decoded.metadata.map((m) => [m.metric_family_name, m.type]),
    [
      ["cicada_requests_total", 1],
      ["cicada_response_time_seconds", 3],
    ],
  );
});

test("credentials in the URL become a Basic header", () => {
  assert.deepEqual(splitCredentials("https://u%40x:p%3Ass@host/api/prom/push"), {
    url: "https://host/api/prom/push",
    headers: { authorization: `Basic ${Buffer.from("u@x:p:ss").toString("base64")}` },
  });
  assert.deepEqual(splitCredentials("http://host/w"), { url: "http://host/w", headers: {} });
});
