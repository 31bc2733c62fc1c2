// The target of the accuracy and start-up scenarios: a small node:http server on
// 127.0.0.1 that records every response it serves, so a tool's percentiles can be
// compared with the target's own record.
//
//   GET /latency   answered after a delay drawn from a log-normal distribution (median
//                  100 ms, sigma 0.5: p95 ≈ 228 ms, p99 ≈ 320 ms), from a fixed seed
//   GET /hello     answered at once
//   GET /sleep50   answered after 50 ms (a stand-in for nginx's echo_sleep in smoke runs)
//   GET /stall     answered after 5 ms, except during one second in ten (epoch seconds
//                  ending in 9): then every response is held until that second ends
//                  (the coordinated-omission scenario)
//   GET /__record  this server's record as JSON (not itself recorded): the count, exact
//                  nearest-rank p50/p95/p99 of the service times in µs, when the first
//                  request arrived (epoch ms), and the requests that arrived in each epoch
//                  second (`perSecond`: [second, count] pairs)
//
// The service time of a response runs from the request's arrival (its headers parsed)
// until the response was handed to the kernel. It prints "LISTENING <port>" when ready
// and exits by itself after --max-seconds (default 600), so it never outlives a run.
import { createServer } from "node:http";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : Number(args[i + 1]);
};
const maxSeconds = option("--max-seconds", 600);
const medianMs = option("--median-ms", 100);
const sigma = option("--sigma", 0.5);

/** mulberry32: a small seeded PRNG, so every run draws the same sequence of delays. */
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = seeded(42);
/** A log-normal delay in ms (Box-Muller), capped at 10 × the median. */
function nextDelayMs() {
  const u = 1 - random();
  const v = random();
  const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return Math.min(medianMs * 10, medianMs * Math.exp(sigma * normal));
}

let times = new Float64Array(1 << 16);
let count = 0;
let firstRequestEpochMs = null;
/** Requests by the epoch second they arrived in. */
const perSecond = new Map();

function record(us) {
  if (count === times.length) {
    const bigger = new Float64Array(times.length * 2);
    bigger.set(times);
    times = bigger;
  }
  times[count++] = us;
}

function nearestRank(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

function report() {
  const sorted = times.slice(0, count).sort();
  return {
    count,
    p50Us: nearestRank(sorted, 50),
    p95Us: nearestRank(sorted, 95),
    p99Us: nearestRank(sorted, 99),
    firstRequestEpochMs,
    perSecond: [...perSecond],
  };
}

/** The /stall delay: 5 ms, or until the end of the second when it ends in 9 (one second in ten). */
function stallDelayMs(nowMs) {
  const second = Math.floor(nowMs / 1000);
  return second % 10 === 9 ? (second + 1) * 1000 - nowMs : 5;
}

const server = createServer((req, res) => {
  if (req.url === "/__record") {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(report()));
    return;
  }
  const nowMs = Date.now();
  firstRequestEpochMs ??= nowMs;
  const second = Math.floor(nowMs / 1000);
  perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
  const arrived = performance.now();
  res.on("finish", () => record((performance.now() - arrived) * 1000));
  if (req.url === "/latency") {
    setTimeout(() => res.end("hello world\n"), nextDelayMs());
  } else if (req.url === "/sleep50") {
    setTimeout(() => res.end("hello world\n"), 50);
  } else if (req.url === "/stall") {
    setTimeout(() => res.end("hello world\n"), stallDelayMs(nowMs));
  } else {
    res.end("hello world\n");
  }
});
server.keepAliveTimeout = 300_000;
server.headersTimeout = 310_000;
server.requestTimeout = 0;
server.maxConnections = 20_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`LISTENING ${server.address().port}\n`);
});
setTimeout(() => process.exit(0), maxSeconds * 1000).unref();
process.on("SIGTERM", () => process.exit(0));
