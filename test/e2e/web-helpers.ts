/**
 * Helpers of the web UI end-to-end tests: the real CLI run in-process (`run(io)`), a
 * locustfile written to a temporary folder, and Debian's Chromium through playwright-core.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import type { CliIO, SignalName } from "../../src/cli/io.js";
import { run } from "../../src/cli/main.js";

export const ROOT = join(import.meta.dirname, "..", "..");

/** A CLI run in this process, with its output captured. */
export interface InProcessCli {
  stdout(): string;
  stderr(): string;
  /** Resolves with the web UI's URL once the CLI printed it. */
  url: Promise<string>;
  /** Delivers SIGINT/SIGTERM to the CLI's handler. */
  signal(name?: SignalName): void;
  /** The exit code. */
  done: Promise<number>;
}

export function startCliInProcess(
  argv: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): InProcessCli {
  let out = "";
  let err = "";
  let handler: ((signal: SignalName) => void) | undefined;
  let foundUrl: (url: string) => void = () => {};
  const url = new Promise<string>((resolve) => {
    foundUrl = resolve;
  });
  const io: CliIO = {
    argv,
    env: options.env ?? {},
    cwd: options.cwd ?? ROOT,
    stdout: {
      write(text: string) {
        out += text;
        const match = /Starting web interface at (\S+)/.exec(out);
        if (match) foundUrl(match[1]!);
      },
    },
    stderr: {
      write(text: string) {
        err += text;
      },
    },
    onSignal(h) {
      handler = h;
      return () => {
        handler = undefined;
      };
    },
    cpuUsageMicros: () => 0,
    memoryBytes: () => 0,
    cpuCount: () => 1,
  };
  const done = run(io);
  // A run that fails before serving never prints a URL: settle `url` so tests do not hang.
  done.then((code) => foundUrl(`(exited with ${code})`));
  return {
    stdout: () => out,
    stderr: () => err,
    url,
    signal: (name = "SIGINT") => handler?.(name),
    done,
  };
}

/** Writes `source` as locustfile.ts in a fresh temporary folder; returns its path. */
export function writeLocustfile(source: string): { path: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "cicada-web-e2e-"));
  const path = join(dir, "locustfile.ts");
  writeFileSync(path, source);
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Chromium flags: headless, no sandbox (root in CI), and no traffic of its own. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Debian's Chromium with a fresh profile; `close()` also removes the profile. */
export async function launchBrowser(
  viewport = { width: 1280, height: 800 },
): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), "cicada-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    acceptDownloads: true,
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const AXE_SOURCE = readFileSync(join(ROOT, "node_modules", "axe-core", "axe.min.js"), "utf8");

/** An axe-core violation, as much as the tests print. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[]; failureSummary?: string }>;
}

/**
 * Runs axe-core (from npm) in the page and returns its serious and critical violations.
 * The script is evaluated through the DevTools protocol, which the page's
 * Content-Security-Policy does not restrict.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run(context: Document, options: object): Promise<{ violations: AxeViolation[] }> };
      }
    ).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** Polls `read` until `check` holds; fails with the last value after `timeoutMs`. */
export async function pollUntil<T>(
  read: () => Promise<T>,
  check: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!check(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  if (!check(value)) throw new Error(`gave up waiting; last value: ${JSON.stringify(value)}`);
  return value;
}
