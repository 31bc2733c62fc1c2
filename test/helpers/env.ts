/** Test helpers: an Environment + LocalRunner for in-process user tests. */
import assert from "node:assert/strict";
import { afterEach } from "node:test";
import {
  Environment,
  type EnvironmentOptions,
  LocalRunner,
  type LocalRunnerOptions,
} from "../../src/runner/index.js";
import { Logger, type LogRecord } from "../../src/shared/logger.js";
import type { UserClass } from "../../src/user/index.js";

export interface TestRun {
  environment: Environment;
  runner: LocalRunner;
  logs: LogRecord[];
}

export function makeRun(
  userClasses: UserClass[],
  options: Partial<EnvironmentOptions> & { stopTimeoutMs?: number } = {},
  runnerOptions: LocalRunnerOptions = {},
): TestRun {
  const logs: LogRecord[] = [];
  const environment = new Environment({
    userClasses,
    logger: new Logger((r) => logs.push(r), "DEBUG"),
    ...options,
  });
  const runner = new LocalRunner(environment, {
    stopTimeoutMs: options.stopTimeoutMs ?? 0,
    ...runnerOptions,
  });
  runners.add(runner);
  return { environment, runner, logs };
}

/**
 * Every runner a test made is quit after the test, passed or failed: a failed assertion
 * before a test's own quitAndWait() would otherwise leave its timers running, and the
 * test file would hang instead of failing. (Registered in each test file importing this.)
 */
const runners = new Set<LocalRunner>();
afterEach(async () => {
  const open = [...runners];
  runners.clear();
  await Promise.all(open.map((runner) => runner.quitAndWait()));
});

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until `predicate` holds or `timeoutMs` passes; returns whether it held. */
export async function waitFor(predicate: () => boolean, timeoutMs = 5000, stepMs = 5): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (predicate()) return true;
    await sleep(stepMs);
  }
  return predicate();
}

/** Runs one user of `cls` until it stops itself (StopUser after its scenario), then quits. */
export async function runUntilStopped(
  cls: UserClass,
  options: Partial<EnvironmentOptions> = {},
): Promise<{ environment: Environment; logs: string[] }> {
  const { runner, environment, logs } = makeRun([cls], options);
  await runner.start(1, 10);
  assert.ok(await waitFor(() => runner.state === "stopped", 10_000), "the user stopped itself");
  await runner.quitAndWait();
  return { environment, logs: logs.map((l) => l.message) };
}

/** The stats row `method name` now (undefined when there is none). */
export function statsRow(environment: Environment, method: string, name: string) {
  return environment.stats
    .snapshot(environment.now())
    .entries.find((e) => e.method === method && e.name === name);
}
