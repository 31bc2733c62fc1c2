/**
 * Real monitoring components for the end-to-end tests: Debian's prometheus-node-exporter
 * and prometheus, started on 127.0.0.1 with a free port (port 0: each prints the port it
 * got) and stopped by their PID, and a locustfile that paces its users (a fixed request
 * rate, so two runs can be compared request for request).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Program {
  /** http://127.0.0.1:PORT */
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts `command` and resolves once its log says where it listens. */
function startListening(command: string, args: string[], cleanup: () => void = () => {}): Promise<Program> {
  const child: ChildProcess = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(killer);
    }
    cleanup();
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${command} did not start within 15 s:\n${log}`));
    }, 15_000);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.stderr!.on("data", (chunk: Buffer) => {
      log += chunk.toString();
      const port = /msg="Listening on" address=127\.0\.0\.1:(\d+)/.exec(log)?.[1];
      if (port === undefined) return;
      clearTimeout(timer);
      child.stderr!.removeAllListeners("data");
      child.stderr!.resume();
      resolve({ url: `http://127.0.0.1:${port}`, pid: child.pid!, stop });
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code}:\n${log}`));
    });
  });
}

/** Debian's node_exporter on 127.0.0.1, a free port. */
export function startNodeExporter(): Promise<Program> {
  return startListening("prometheus-node-exporter", ["--web.listen-address=127.0.0.1:0"]);
}

/** Debian's Prometheus scraping `targets` (job name → host:port) every `scrapeMs`, with its own temporary data folder. */
export async function startPrometheus(targets: Record<string, string>, scrapeMs = 200): Promise<Program> {
  const dir = mkdtempSync(join(tmpdir(), "cicada-prometheus-"));
  const jobs = Object.entries(targets)
    .map(([job, target]) => `  - job_name: ${job}\n    static_configs:\n      - targets: ["${target}"]`)
    .join("\n");
  writeFileSync(
    join(dir, "prometheus.yml"),
    `global:\n  scrape_interval: ${scrapeMs}ms\n  scrape_timeout: ${Math.round(scrapeMs * 0.9)}ms\nscrape_configs:\n${jobs}\n`,
  );
  const program = await startListening(
    "prometheus",
    [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      "--web.listen-address=127.0.0.1:0",
    ],
    () => rmSync(dir, { recursive: true, force: true }),
  );
  const deadline = performance.now() + 15_000;
  while (performance.now() < deadline) {
    const ready = await fetch(`${program.url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return program;
    await new Promise((r) => setTimeout(r, 50));
  }
  await program.stop();
  throw new Error("Prometheus did not become ready within 15 s");
}

/** An instant query over Prometheus's HTTP API: its vector, as [labels, value] pairs. */
export async function promInstant(
  prometheus: string,
  query: string,
  timeSec?: number,
): Promise<Array<[Record<string, string>, number]>> {
  const form = new URLSearchParams({ query, ...(timeSec === undefined ? {} : { time: timeSec.toFixed(3) }) });
  const response = await fetch(`${prometheus}/api/v1/query`, { method: "POST", body: form });
  const body = (await response.json()) as {
    status: string;
    error?: string;
    data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
  };
  if (body.status !== "success") throw new Error(`${query}: ${body.error}`);
  const number = (text: string) =>
    text === "+Inf" ? Number.POSITIVE_INFINITY : text === "-Inf" ? Number.NEGATIVE_INFINITY : Number(text);
  return body.data.result.map((r) => [r.metric, number(r.value[1])]);
}

/** Waits until `check` resolves true (bounded). */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs = 10_000,
  what = "condition",
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A locustfile whose users request "/" every 100 ms (constant pacing): a known rate. */
export const PACED_LOCUSTFILE = `
import { HttpUser, constantPacing, task } from "cicada-load";
export class Paced extends HttpUser {
  waitTime = constantPacing(0.1);
  @task async ping() {
    await this.client.get("/");
  }
}
`;
