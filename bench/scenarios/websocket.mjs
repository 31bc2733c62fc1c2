// Scenario 6 (websocket): WebSocket message rate. Cicada's WebSocketUser (send, then
// waitFor the echo, each echo a statistics row) against the same loop written directly
// on the `ws` package with nothing measured, same sockets, same echo server (pinned to
// the target core), same generator core, in the same run. No maintained load tool for
// WebSocket is installed here (k6 and Artillery are not); the raw loop is the ceiling.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixed, table } from "../lib/format.mjs";
import { median, roundOrder } from "../lib/measure.mjs";
import { runPinned, startPinned } from "../lib/processes.mjs";

const SOCKETS = 50;
const TOOLS = ["cicada", "raw-ws"];
const LABELS = { cicada: "Cicada WebSocketUser", "raw-ws": "raw ws loop" };

async function startEchoServer(ctx) {
  let resolvePort;
  const port = new Promise((resolve) => {
    resolvePort = resolve;
  });
  const server = startPinned({
    command: process.execPath,
    args: [join(ctx.root, "bench", "targets", "ws-echo-server.mjs"), "--max-seconds", "600"],
    core: ctx.cores.target,
    cwd: ctx.root,
    timeoutMs: 600_000,
    onStdoutLine: (line) => {
      const match = /^LISTENING (\d+)$/.exec(line);
      if (match) resolvePort(Number(match[1]));
    },
  });
  return { port: await port, stop: () => server.signal("SIGKILL"), done: server.done };
}

async function runTool(tool, ctx, port) {
  const seconds = ctx.durationS;
  const common = { core: ctx.cores.generator, cwd: ctx.root, timeoutMs: (seconds + 60) * 1000 };
  if (tool === "raw-ws") {
    const args = [join(ctx.root, "bench", "targets", "ws-raw-client.mjs"), "--url", `ws://127.0.0.1:${port}`];
    args.push("--sockets", String(SOCKETS), "--seconds", String(seconds));
    const result = await runPinned({ command: process.execPath, args, ...common });
    const figures = JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "{}");
    return { messages: figures.messages, seconds: figures.seconds, cpuMs: result.cpuMs };
  }
  const dir = mkdtempSync(join(tmpdir(), "cicada-bench-ws-"));
  const json = join(dir, "report");
  const args = [
    join(ctx.root, "bin", "cicada.js"),
    "-f",
    join(ctx.root, "bench", "locustfiles", "ws-echo.ts"),
  ];
  args.push(
    "--headless",
    "-u",
    String(SOCKETS),
    "-r",
    String(SOCKETS),
    "-t",
    `${seconds}s`,
    "--only-summary",
  );
  args.push("-H", `ws://127.0.0.1:${port}`, "--loglevel", "WARNING", "--json-file", json);
  const result = await runPinned({ command: process.execPath, args, ...common });
  let report;
  try {
    report = JSON.parse(readFileSync(`${json}.json`, "utf8"));
  } catch {
    throw new Error(`Cicada wrote no JSON report:\n${result.stderr.slice(-1500)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const echo = report.entries.find((entry) => entry.name === "echo");
  return { messages: echo?.numRequests ?? 0, seconds, failures: echo?.numFailures ?? 0, cpuMs: result.cpuMs };
}

export async function websocket(ctx) {
  const runs = [];
  for (let round = 0; round < ctx.rounds; round++) {
    for (const tool of roundOrder(TOOLS, round)) {
      ctx.log(`  websocket: round ${round + 1}/${ctx.rounds}, ${LABELS[tool]}`);
      const server = await startEchoServer(ctx);
      try {
        const run = await runTool(tool, ctx, server.port);
        const record = await (await fetch(`http://127.0.0.1:${server.port}/__record`)).json();
        runs.push({
          round: round + 1,
          tool,
          ...run,
          serverMessages: record.messages,
          rate: run.messages / run.seconds,
          cpuUsPerMessage: run.messages > 0 ? (run.cpuMs * 1000) / run.messages : null,
        });
      } catch (error) {
        runs.push({ round: round + 1, tool, error: error.message });
      } finally {
        server.stop();
        await server.done;
      }
      await ctx.pause();
    }
  }
  const medians = Object.fromEntries(
    TOOLS.map((tool) => {
      const mine = runs.filter((run) => run.tool === tool);
      return [
        tool,
        {
          rate: median(mine.map((r) => r.rate)),
          cpuUsPerMessage: median(mine.map((r) => r.cpuUsPerMessage)),
        },
      ];
    }),
  );
  const ratio = medians["raw-ws"].rate ? medians.cicada.rate / medians["raw-ws"].rate : null;
  return {
    id: "websocket",
    title: "WebSocket message rate",
    runs,
    medians,
    lines: [
      `Scenario 6, WebSocket: ${SOCKETS} sockets, send and wait for the echo, ${ctx.durationS} s, median of ${ctx.rounds} round(s)`,
      ...table(
        ["generator", "replies/s", "CPU µs per reply"],
        TOOLS.map((tool) => [
          LABELS[tool],
          fixed(medians[tool].rate, 0),
          fixed(medians[tool].cpuUsPerMessage, 1),
        ]),
      ),
      "",
      `  Cicada / raw ws loop: ${fixed(ratio, 2)}x the rate (Cicada also times and records every reply)`,
    ],
  };
}
