// The fault suite's cases that the test suite does not already cover: each tries one bad
// input, misbehaving target, signal, file or hostile request against the built CLI and
// returns undefined when Cicada behaved (a clean refusal, a finished run, an exact
// count), or a sentence saying what went wrong.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { cicada, cleanRefusal, cleanRun, locustfile, project, waitForOutput } from "./harness.mjs";
import { BEHAVIOURS, startBehaviour } from "./targets.mjs";
import { webCases } from "./web.mjs";

const RUN = ["--headless", "-u", "2", "-r", "10", "-t", "2s", "--only-summary"];

/** A project whose user requests `url`; runs `fn(dir)` and cleans up. */
async function withProject(url, fn, extra = "") {
  const { dir, cleanup } = project({ "locustfile.ts": locustfile(url, "/", extra) });
  try {
    return await fn(dir);
  } finally {
    cleanup();
  }
}

/** A plain target answering 200 to everything. */
async function okTarget() {
  const server = createServer((_req, res) => res.end("ok"));
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    stop: () =>
      new Promise((resolve) => server.close(() => resolve())).then(() => server.closeAllConnections()),
  };
}

async function withOkTarget(fn) {
  const target = await okTarget();
  try {
    return await withProject(target.url, fn);
  } finally {
    await target.stop();
  }
}

const report = (dir) => JSON.parse(readFileSync(join(dir, "out.json"), "utf8"));

const badInput = [
  ["-u -1", ["-u", "-1"], [2]],
  ["-u abc", ["-u", "abc"], [2]],
  ["-r 0", ["-r", "0"], [2]],
  ["-t -5s", ["-t", "-5s"], [2]],
  ["-t with 400 digits", ["-t", "9".repeat(400)], [2]],
  ["--stall-timeout soon", ["--stall-timeout", "soon"], [2]],
  ["--exit-code-on-error 300", ["--exit-code-on-error", "300"], [2]],
  ["-H ftp://x", ["-H", "ftp://x"], [2]],
  ["--master-bind-port 99999", ["--master", "--master-bind-port", "99999"], [2]],
  ["--processes 0", ["--processes", "0"], [2]],
  ["--processes 99999", ["--processes", "99999"], [2]],
  ["--cluster-secret ''", ["--master", "--cluster-secret", ""], [2]],
  ["an unknown flag", ["--no-such-flag"], [2]],
  ["-T a tag no task has", ["-T", "nope"], [2]],
  ["--csv in a missing folder", ["--csv", "missing/out"], [4]],
  ["--logfile in a missing folder", ["--logfile", "missing/log"], [4]],
  ["--html in a file, not a folder", ["--html", "locustfile.ts/r.html"], [4]],
  ["-u 5000000", ["-u", "5000000", "-r", "5000000"], [4]],
].map(([name, args, codes]) => ({
  group: "bad input",
  name,
  run: () =>
    withProject("http://127.0.0.1:1", async (dir) =>
      cleanRefusal(await cicada([...RUN, ...args], { cwd: dir }), codes),
    ),
}));

/** A locustfile that loops forever while loading: the watchdog ends it, naming the line. */
const loopsWhileLoading = (result) => {
  if (result.timedOut || result.code !== 6) return `exit ${result.code ?? "(hung)"} (expected 6)`;
  if (!/at .*locustfile\.ts:2:1/.test(result.stderr)) return "the loop's line is not named";
  return /node:internal|dist\/cli/.test(result.stderr) ? "Cicada's or Node's frames shown" : undefined;
};

const badLocustfiles = [
  ["an infinite loop while loading", "export class U {}\nfor (;;) {}\n", loopsWhileLoading],
  ["a top-level await that never settles", "await new Promise(() => {});\n", (r) => cleanRefusal(r, [3])],
  [
    "a user class whose constructor throws",
    'import { User, task } from "cicada-load";\nexport class U extends User { constructor(e: never) { super(e); throw new Error("no"); } @task a() {} }\n',
    (r) => cleanRefusal(r, [3]),
  ],
].map(([name, source, check]) => ({
  group: "bad locustfile",
  name,
  run: async () => {
    const { dir, cleanup } = project({ "locustfile.ts": source });
    try {
      const args = [...RUN, "-H", "http://127.0.0.1:1", "--stall-timeout", "1s"];
      return check(await cicada(args, { cwd: dir, timeoutMs: 15_000 }));
    } finally {
      cleanup();
    }
  },
}));

const targets = Object.entries(BEHAVIOURS).map(([name, behaviour]) => ({
  group: "misbehaving target",
  name,
  run: async () => {
    const target = await startBehaviour(behaviour);
    try {
      return await withProject(target.url, async (dir) => {
        const result = await cicada([...RUN, "--json-file", "out"], { cwd: dir, timeoutMs: 20_000 });
        const problem = cleanRun(result);
        if (problem) return problem;
        const total = report(dir).total;
        if (total.numRequests === 0) return "no request was counted";
        if (behaviour.expect === "failures" && total.numFailures !== total.numRequests) {
          return `${total.numFailures} of ${total.numRequests} requests counted as failures (expected all)`;
        }
        if (behaviour.expect === "success" && total.numFailures > 0)
          return `${total.numFailures} false failures`;
        return undefined;
      });
    } finally {
      await target.stop();
    }
  },
}));

/** Runs against a healthy target and acts on the process once users run. */
function signalCase(name, act, check) {
  return {
    group: "signals and processes",
    name,
    run: () =>
      withOkTarget(async (dir) => {
        const result = await cicada(
          ["--headless", "-u", "5", "-r", "100", "-t", "60s", "--json-file", "out"],
          {
            cwd: dir,
            during: async (child, output) => {
              if (await waitForOutput(output, /All users spawned/)) await act(child);
            },
          },
        );
        return check(result, dir);
      }),
  };
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const reportWritten = (result, dir) =>
  cleanRun(result, [0]) ?? (existsSync(join(dir, "out.json")) ? undefined : "no JSON report");

const signals = [
  signalCase("SIGINT", (child) => child.kill("SIGINT"), reportWritten),
  signalCase("SIGTERM", (child) => child.kill("SIGTERM"), reportWritten),
  signalCase("SIGHUP", (child) => child.kill("SIGHUP"), reportWritten),
  signalCase(
    "SIGINT twice, 300 ms apart",
    async (child) => {
      child.kill("SIGINT");
      await pause(300);
      child.kill("SIGINT");
    },
    reportWritten,
  ),
  signalCase(
    "SIGTERM then SIGINT at once",
    (child) => child.kill("SIGTERM") && child.kill("SIGINT"),
    reportWritten,
  ),
];

const files = [
  {
    group: "report files",
    name: "--html /dev/full (as root: a device, never replaced)",
    run: () =>
      withOkTarget(async (dir) => {
        const full = join(dir, "full");
        try {
          execFileSync("mknod", [full, "c", "1", "7"]);
        } catch {
          return undefined; // not root: nothing to replace
        }
        const result = await cicada([...RUN, "--html", full], { cwd: dir });
        if (!statSync(full).isCharacterDevice()) return "the device node was replaced";
        return result.code === 4 && /could not write the HTML report/.test(result.stderr)
          ? undefined
          : `exit ${result.code}`;
      }),
  },
  {
    group: "report files",
    name: "--json-file through a symlink",
    run: () =>
      withOkTarget(async (dir) => {
        mkdirSync(join(dir, "reports"));
        symlinkSync(join(dir, "reports", "real.json"), join(dir, "out.json"));
        const result = await cicada([...RUN, "--json-file", "out"], { cwd: dir });
        return (
          cleanRun(result, [0]) ??
          (existsSync(join(dir, "reports", "real.json")) ? undefined : "the link's file was not written")
        );
      }),
  },
  {
    group: "report files",
    name: "--junit /dev/stdout",
    run: () =>
      withOkTarget(async (dir) => {
        const result = await cicada([...RUN, "--threshold", "count>0", "--junit", "/dev/stdout"], {
          cwd: dir,
        });
        return (
          cleanRun(result, [0]) ?? (/<testsuites/.test(result.stdout) ? undefined : "no JUnit XML on stdout")
        );
      }),
  },
  {
    group: "report files",
    name: "--csv under a file, not a folder",
    run: () =>
      withOkTarget(async (dir) => {
        writeFileSync(join(dir, "ro"), "");
        return cleanRefusal(await cicada([...RUN, "--csv", "ro/out"], { cwd: dir }), [4]);
      }),
  },
];

export const CASES = [...badInput, ...badLocustfiles, ...targets, ...signals, ...files, ...webCases()];
