// The load generators being compared: how to start each one for a scenario (same
// target, users/connections and duration) and how to read its own figures back.
// Every figure is the tool's own: requests/s and percentiles as the tool reports them.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * What a scenario asks of a generator.
 * @typedef {object} LoadSpec
 * @property {string} origin   http://127.0.0.1:port
 * @property {string} path     e.g. /hello
 * @property {number} users    virtual users (Cicada, Locust) or connections (wrk, autocannon)
 * @property {number} durationS
 * @property {string} workDir  a fresh temporary directory for this run (cwd of the tool)
 * @property {string} root     the repository root
 * @property {number} [arrivalRate]  Cicada only: the open model at this many iterations/s (users then unused)
 * @property {number} [maxUsers]     with arrivalRate: --max-users
 * @property {boolean} [http2] cleartext HTTP/2 (prior knowledge) to `origin`
 * @property {string} [baseline] another Cicada checkout, built (the cicada-baseline tool)
 */

/** Tools in the order rounds run them (rotated each round). */
export const TOOL_NAMES = ["cicada", "wrk", "autocannon", "locust"];
/**
 * Extra tools, only when named in --tools: Cicada with a 64 MB young generation
 * (NODE_OPTIONS=--max-semi-space-size=64, one process), and Cicada in the one process
 * `node` started, with Node's default 16 MB young generation (CICADA_RELAUNCH=0; the
 * `cicada` command otherwise runs in a child with 32 MB, src/cli/launcher.ts). And
 * `cicada-baseline`: the same run with another built Cicada (`--baseline DIR`, e.g. main
 * in a temporary checkout), to compare two versions of the code in one interleaved run.
 */
export const EXTRA_TOOL_NAMES = ["cicada-tuned", "cicada-one-process", "cicada-baseline"];
/** The HTTP/2 scenario's tools: Cicada with `http2 = true`, and nghttp2's h2load. */
export const HTTP2_TOOL_NAMES = ["cicada", "h2load"];

/** Cicada's locustfile for each target path. */
const CICADA_LOCUSTFILES = {
  "/hello": "bench/locustfiles/hello.ts",
  "/sleep50": "bench/locustfiles/sleep50.ts",
  "/latency": "bench/locustfiles/latency.ts",
  "/stall": "bench/locustfiles/stall.ts",
};

const ms = (us) => (us === null || us === undefined ? null : us / 1000);

export const generators = {
  cicada: {
    label: "Cicada",
    command(spec) {
      // spec.locustfile: a scenario's own (the open-rate scenario's paced closed model).
      const locustfile =
        spec.locustfile ?? (spec.http2 ? "bench/locustfiles/hello-h2.ts" : CICADA_LOCUSTFILES[spec.path]);
      if (!locustfile) throw new Error(`no Cicada locustfile for ${spec.path}`);
      const file = join(spec.root, locustfile);
      const args = [join(spec.baselineRoot ?? spec.root, "bin", "cicada.js"), "-f", file, "--headless"];
      if (spec.arrivalRate !== undefined) {
        args.push("--arrival-rate", String(spec.arrivalRate), "-t", `${spec.durationS}s`);
        if (spec.maxUsers !== undefined) args.push("--max-users", String(spec.maxUsers));
      } else {
        args.push("-u", String(spec.users), "-r", String(spec.users), "-t", `${spec.durationS}s`);
      }
      args.push("--only-summary", "-H", spec.origin, "--loglevel", "WARNING");
      // The JSON report (issue #3) has the exact figures; the console rounds above 100 ms.
      args.push("--json-file", join(spec.workDir, "cicada-report"));
      return { command: process.execPath, args };
    },
    parse(result, spec) {
      const file = join(spec.workDir, "cicada-report.json");
      if (!existsSync(file)) throw new Error(`Cicada wrote no JSON report:\n${result.stderr.slice(-2000)}`);
      const report = JSON.parse(readFileSync(file, "utf8"));
      const total = report.total;
      return {
        requests: total.numRequests,
        failures: total.numFailures,
        rps: total.rps,
        p50: total.percentiles.p50,
        p95: total.percentiles.p95,
        p99: total.percentiles.p99,
        // The open model's: the latency from the intended start, and the iterations.
        intendedP50: total.intended?.percentiles.p50 ?? null,
        intendedP99: total.intended?.percentiles.p99 ?? null,
        intendedP999: total.intended?.percentiles["p99.9"] ?? null,
        iterations: report.iterations,
        // The console summary agrees (checked by the smoke test), to the rounding of its cells.
        console: parseSummaryTables(result.stdout),
      };
    },
  },

  "cicada-tuned": cicadaWithEnv("Cicada, semi-space 64 MB", { NODE_OPTIONS: "--max-semi-space-size=64" }),
  "cicada-one-process": cicadaWithEnv("Cicada, one process, default heap", { CICADA_RELAUNCH: "0" }),

  "cicada-baseline": {
    label: "Cicada, baseline (--baseline)",
    command(spec) {
      if (!spec.baseline) throw new Error("cicada-baseline needs --baseline DIR (a built Cicada checkout)");
      return generators.cicada.command({ ...spec, baselineRoot: spec.baseline });
    },
    parse: (result, spec) => generators.cicada.parse(result, spec),
  },

  h2load: {
    label: "h2load",
    command(spec) {
      // One thread, `users` connections, one stream at a time each (as a user with one
      // request in flight), for the duration after a one-second warm-up.
      const args = ["-t", "1", "-c", String(spec.users), "-m", "1", "-D", String(spec.durationS)];
      return { command: "h2load", args: [...args, "--warm-up-time", "1", `${spec.origin}${spec.path}`] };
    },
    parse(result) {
      const text = result.stdout;
      const finished = /finished in ([\d.]+)(m?s), ([\d.]+) req\/s/.exec(text);
      const counts =
        /requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(
          text,
        );
      if (!finished || !counts) throw new Error(`h2load printed no result:\n${text}${result.stderr}`);
      const mean = /time for request:\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)/.exec(text);
      const unit = { us: 0.001, ms: 1, s: 1000 };
      return {
        requests: Number(counts[3]),
        failures: Number(counts[4]) + Number(counts[5]) + Number(counts[6]),
        rps: Number(finished[3]),
        meanMs: mean ? Number(mean[1]) * unit[mean[2]] : null,
        p50: null, // h2load reports min, max, mean and sd, no percentiles
        p95: null,
        p99: null,
      };
    },
  },

  wrk: {
    label: "wrk",
    command(spec) {
      const script = join(spec.root, "bench", "wrk", "report.lua");
      const args = ["-t1", `-c${spec.users}`, `-d${spec.durationS}s`, "--timeout", "10s", "-s", script];
      return { command: "wrk", args: [...args, `${spec.origin}${spec.path}`] };
    },
    parse(result) {
      const line = result.stdout.split("\n").find((l) => l.startsWith("WRK_JSON "));
      if (!line) throw new Error(`wrk printed no result:\n${result.stdout}${result.stderr}`);
      const r = JSON.parse(line.slice("WRK_JSON ".length));
      const failures = Object.values(r.errors).reduce((a, b) => a + b, 0);
      return {
        requests: r.requests,
        failures,
        rps: r.requests / (r.durationUs / 1e6),
        p50: ms(r.p50Us),
        p95: ms(r.p95Us),
        p99: ms(r.p99Us),
      };
    },
  },

  autocannon: {
    label: "autocannon",
    command(spec) {
      const cli = join(spec.root, "node_modules", "autocannon", "autocannon.js");
      const args = [cli, "-c", String(spec.users), "-d", String(spec.durationS), "-j", "-t", "10"];
      return { command: process.execPath, args: [...args, `${spec.origin}${spec.path}`] };
    },
    parse(result) {
      const start = result.stdout.indexOf("{");
      if (start === -1) throw new Error(`autocannon printed no result:\n${result.stderr.slice(-2000)}`);
      const r = JSON.parse(result.stdout.slice(start));
      return {
        requests: r.requests.total,
        failures: (r.errors ?? 0) + (r.timeouts ?? 0) + (r.non2xx ?? 0),
        // Not `requests.average`: that is the mean of per-second counts read back from an
        // HDR histogram, quantized to its buckets (10,000 connections gave 49,136 in every
        // round of every run). Total over duration is the rate the others report.
        rps: r.duration > 0 ? r.requests.total / r.duration : r.requests.average,
        p50: r.latency.p50,
        p95: null, // autocannon reports p50, p90, p97.5, p99 but no p95
        p99: r.latency.p99,
      };
    },
  },

  locust: {
    label: "Locust FastHttpUser",
    command(spec) {
      const args = ["-f", join(spec.root, "bench", "locustfiles", "fasthttp.py"), "--headless"];
      args.push("-u", String(spec.users), "-r", String(spec.users), "-t", `${spec.durationS}s`);
      args.push("--only-summary", "-H", spec.origin);
      args.push("--loglevel", "WARNING", "--stop-timeout", "0");
      return { command: "locust", args, env: { BENCH_PATH: spec.path, PYTHONUNBUFFERED: "1" } };
    },
    parse(result) {
      // Locust's final summary has the same layout as Cicada's (Cicada copied it); its
      // CSV is only rewritten every second, so it can miss the end of a short run.
      return parseSummaryTables(`${result.stdout}\n${result.stderr}`);
    },
  },
};

/**
 * Reads the final console summary of Cicada or Locust (same layout): the Aggregated row
 * of the request table (`Aggregated  reqs  fails(x%) | avg min max med | req/s fail/s`)
 * and of the percentile table (50% 66% 75% 80% 90% 95% 98% 99% 99.9% 99.99% 100% # reqs).
 */
export function parseSummaryTables(stdout) {
  const rows = stdout.split("\n").filter((line) => /^\s+Aggregated\s/.test(line));
  const statsRow = rows.find((line) => line.includes("|"));
  const percentileRow = rows.find((line) => !line.includes("|"));
  if (!statsRow) throw new Error(`no final summary in the output:\n${stdout.slice(-2000)}`);
  const [left, , right] = statsRow.split("|");
  const [, requests, failures] = left.trim().split(/\s+/);
  const [rps] = right.trim().split(/\s+/);
  const percentiles = percentileRow ? percentileRow.trim().split(/\s+/).slice(1).map(Number) : [];
  return {
    requests: Number(requests),
    failures: Number.parseInt(failures, 10),
    rps: Number(rps),
    p50: percentiles[0] ?? null,
    p95: percentiles[5] ?? null,
    p99: percentiles[7] ?? null,
  };
}

/** Cicada run the same way, with extra environment variables (the extra tools above). */
function cicadaWithEnv(label, env) {
  return {
    label,
    command(spec) {
      const base = generators.cicada.command(spec);
      return { ...base, env: { ...base.env, ...env } };
    },
    parse: (result, spec) => generators.cicada.parse(result, spec),
  };
}
