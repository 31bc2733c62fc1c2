/**
 * Prometheus remote write 1.0: the exported series as a `prometheus.WriteRequest`
 * (protobuf, encoded by protobufjs from the message definitions of Prometheus's prompb),
 * compressed with Snappy's block format (snappyjs), POSTed with the protocol's headers.
 * Both packages are loaded with the first push.
 */
import type { Labels, MetricFamily } from "./families.js";
import type { PushOutcome } from "./push-loop.js";

/**
 * The messages of Prometheus's prompb (remote.proto and types.proto) that remote write
 * 1.0 uses; protobufjs parses this schema and does all the encoding.
 */
const PROMPB_SCHEMA = `
syntax = "proto3";
package prometheus;
message WriteRequest {
  repeated TimeSeries timeseries = 1;
  repeated MetricMetadata metadata = 3;
}
message MetricMetadata {
  enum MetricType {
    UNKNOWN = 0; COUNTER = 1; GAUGE = 2; HISTOGRAM = 3; GAUGEHISTOGRAM = 4; SUMMARY = 5; INFO = 6; STATESET = 7;
  }
  MetricType type = 1;
  string metric_family_name = 2;
  string help = 4;
  string unit = 5;
}
message Sample {
  double value = 1;
  int64 timestamp = 2;
}
message TimeSeries {
  repeated Label labels = 1;
  repeated Sample samples = 2;
}
message Label {
  string name = 1;
  string value = 2;
}
`;

const METADATA_TYPE = { counter: 1, gauge: 2, histogram: 3 } as const;

interface WriteRequestType {
  encode(message: object): { finish(): Uint8Array };
}

let writeRequestType: Promise<WriteRequestType> | undefined;

/** The WriteRequest message type (protobufjs), parsed once. */
export function loadWriteRequestType(): Promise<WriteRequestType> {
  writeRequestType ??= import("protobufjs").then((protobuf) =>
    protobuf.default.parse(PROMPB_SCHEMA, { keepCase: true }).root.lookupType("prometheus.WriteRequest"),
  );
  return writeRequestType;
}

interface Label {
  name: string;
  value: string;
}

interface TimeSeries {
  labels: Label[];
  samples: Array<{ value: number; timestamp: number }>;
}

/** A sample's labels with the extra ones, sorted by name as the protocol asks. */
function sortedLabels(labels: Labels, extraLabels: Labels): Label[] {
  return Object.entries({ ...extraLabels, ...labels })
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => ({ name, value }));
}

/**
 * The time series of `families` at `timeMs`, as protobufjs takes them: `__name__` first
 * (it sorts before lowercase names), a histogram's `le` in its sorted place.
 */
export function* timeSeriesOf(
  families: MetricFamily[],
  timeMs: number,
  extraLabels: Labels,
): Generator<TimeSeries> {
  const series = (name: string, labels: Label[], value: number): TimeSeries => ({
    labels: [{ name: "__name__", value: name }, ...labels],
    samples: [{ value, timestamp: timeMs }],
  });
  for (const family of families) {
    if (family.kind !== "histogram") {
      for (const sample of family.samples) {
        yield series(family.name, sortedLabels(sample.labels, extraLabels), sample.value);
      }
      continue;
    }
    for (const sample of family.samples) {
      const labels = sortedLabels(sample.labels, extraLabels);
      const at = labels.findIndex((l) => l.name > "le");
      const withLe = (le: string) => {
        const out = [...labels];
        out.splice(at < 0 ? out.length : at, 0, { name: "le", value: le });
        return out;
      };
      const bucket = `${family.name}_bucket`;
      for (let i = 0; i < family.bounds.length; i++) {
        yield series(bucket, withLe(String(family.bounds[i])), sample.cumulativeCounts[i]!);
      }
      yield series(bucket, withLe("+Inf"), sample.count);
      yield series(`${family.name}_sum`, labels, sample.sum);
      yield series(`${family.name}_count`, labels, sample.count);
    }
  }
}

/** Series encoded per slice, with a turn of the event loop between slices. */
const SERIES_PER_SLICE = 4000;

/**
 * The HTTP body of one push: the WriteRequest of `families` (protobuf), Snappy-compressed.
 * A large one (2,000 names make 60,000 series) is encoded a slice at a time, yielding
 * between slices so the users' timers are not held up; the slices are WriteRequests whose
 * concatenation is the whole one (protobuf appends repeated fields).
 */
export async function encodeWriteRequest(
  families: MetricFamily[],
  timeMs: number,
  extraLabels: Labels,
): Promise<Uint8Array<ArrayBuffer>> {
  const [type, snappy] = await Promise.all([loadWriteRequestType(), import("snappyjs")]);
  const metadata = families.map((family) => ({
    type: METADATA_TYPE[family.kind],
    metric_family_name: family.name,
    help: family.help,
    unit: "",
  }));
  const parts: Uint8Array[] = [type.encode({ metadata }).finish()];
  let slice: TimeSeries[] = [];
  for (const series of timeSeriesOf(families, timeMs, extraLabels)) {
    slice.push(series);
    if (slice.length === SERIES_PER_SLICE) {
      parts.push(type.encode({ timeseries: slice }).finish());
      slice = [];
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  parts.push(type.encode({ timeseries: slice }).finish());
  return new Uint8Array(snappy.compress(Buffer.concat(parts)));
}

/** The URL without credentials, and an Authorization header from them (fetch refuses user:password@ URLs). */
export function splitCredentials(url: string): { url: string; headers: Record<string, string> } {
  const parsed = new URL(url);
  if (parsed.username === "" && parsed.password === "") return { url, headers: {} };
  const user = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  parsed.username = "";
  parsed.password = "";
  const token = Buffer.from(`${user}:${password}`).toString("base64");
  return { url: parsed.toString(), headers: { authorization: `Basic ${token}` } };
}

/** POSTs one body to a remote-write endpoint; the outcome says whether to try it again. */
export async function postRemoteWrite(
  url: string,
  headers: Record<string, string>,
  body: Uint8Array<ArrayBuffer>,
  timeoutMs: number,
): Promise<PushOutcome> {
  return postProtobuf(url, body, timeoutMs, {
    ...headers,
    "content-type": "application/x-protobuf",
    "content-encoding": "snappy",
    "x-prometheus-remote-write-version": "0.1.0",
    "user-agent": "cicada",
  });
}

/** POSTs a body; 2xx is delivered, 429/5xx/network errors/timeouts may be retried, other answers not. */
async function postProtobuf(
  url: string,
  body: Uint8Array<ArrayBuffer>,
  timeoutMs: number,
  headers: Record<string, string>,
): Promise<PushOutcome> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers,
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = (await response.text()).trim().slice(0, 200);
    if (response.ok) return { delivered: true };
    const retryable = response.status === 429 || response.status >= 500;
    return {
      delivered: false,
      retryable,
      reason: `HTTP ${response.status} ${response.statusText}${text ? `: ${text}` : ""}`,
    };
  } catch (error) {
    return { delivered: false, retryable: true, reason: describeFetchError(error, timeoutMs) };
  }
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  if (err.name === "TimeoutError" || err.name === "AbortError") return `no answer within ${timeoutMs} ms`;
  const cause = err.cause;
  return cause?.code ?? cause?.message ?? err.message;
}
