/**
 * What an overloaded generator means and what to do about it, worded by its cause and by
 * the process's role. The two causes call for opposite advice:
 *
 * - "cpu": this process is busy (its CPU near a full core, or its event loop late while
 *   it works): fewer users per process, or more processes, help.
 * - "outside": the event loop is late while this process is nearly idle: something else
 *   takes the CPU (other programs on the machine, a throttled container or VM, a
 *   suspended laptop). Fewer users would not help; a quieter machine would.
 *
 * A master runs no users, so its overload never puts client-side queueing into latencies
 * (the workers measure them): it only delays the merged statistics and the web UI.
 */

/** Why the generator is overloaded. */
export type OverloadCause = "cpu" | "outside";

/** "generator" runs users (a local run, a worker); "master" only merges the workers' reports. */
export type GeneratorRole = "generator" | "master";

/**
 * Below this share of a core, a late event loop is not this process's doing (the flag
 * that flapped on a busy machine did so at 2 % CPU). Above it, the process's own work
 * blocks its loop: a synchronous task gets only part of a core on a crowded machine.
 */
const OWN_WORK_CPU_PERCENT = 20;

/** The cause of an overloaded sample. */
export function overloadCause(
  sample: { cpuPercent: number; lagMs: number },
  cpuThreshold: number,
): OverloadCause {
  return sample.cpuPercent > cpuThreshold || sample.cpuPercent >= OWN_WORK_CPU_PERCENT ? "cpu" : "outside";
}

const pct = (value: number) => value.toFixed(0);

/** GC share from which the overload warning suggests a bigger young generation. */
const GC_HINT_PERCENT = 15;

function gcHint(gcPercent: number): string {
  if (gcPercent < GC_HINT_PERCENT) return "";
  return (
    ` Garbage collection took ${pct(gcPercent)} % of that second: with thousands of users per ` +
    "process, use more processes (--processes) or a young generation larger than Cicada's 32 MB " +
    "(NODE_OPTIONS=--max-semi-space-size=64, see docs/performance.md)."
  );
}

/** The warning logged when the overload begins. */
export function overloadWarning(
  role: GeneratorRole,
  cause: OverloadCause,
  sample: { cpuPercent: number; lagMs: number; gcPercent: number },
): string {
  const figures = `CPU ${pct(sample.cpuPercent)} % of a core, event-loop lag ${pct(sample.lagMs)} ms`;
  if (role === "master") {
    return cause === "cpu"
      ? `The master is overloaded (${figures}): the merged statistics and the web UI may fall behind. ` +
          "The workers measure the response times, so they are not affected. Use fewer workers per master, or a faster machine for it."
      : `The master's event loop is late (${figures}) while the master itself is nearly idle: other programs ` +
          "on this machine (or a throttled container) take the CPU. The merged statistics may arrive late; the " +
          "response times, measured by the workers, are not affected.";
  }
  return cause === "cpu"
    ? `The load generator is overloaded (${figures}): response times now include time spent waiting ` +
        "inside Cicada. Use fewer users per process, or more processes (--processes) or machines." +
        gcHint(sample.gcPercent)
    : `The load generator's event loop is late (${figures}) while Cicada itself is nearly idle: something ` +
        "outside it takes the CPU (other programs on this machine, a throttled container or VM). Response " +
        "times now include that delay. Fewer users would not help: run Cicada where it has a core to itself.";
}

/** The few words the web UI's header shows while the generator is overloaded. */
export function overloadLabel(role: GeneratorRole, cause: OverloadCause): string {
  if (role === "master") return cause === "cpu" ? "Master overloaded" : "Master delayed";
  return cause === "cpu" ? "Generator overloaded" : "Generator delayed";
}

/** What the final summary and the reports say about the test's overloaded seconds. */
export interface OverloadFacts {
  role: GeneratorRole;
  cause: OverloadCause | null;
  overloadedSeconds: number;
  sampledSeconds: number;
  maxCpuPercent: number;
  maxLagMs: number;
}

/**
 * The note printed under the final summary of a test measured on an overloaded
 * generator; empty when the generator was fine throughout.
 */
export function overloadNote(load: OverloadFacts): string[] {
  if (load.overloadedSeconds === 0) return [];
  const during = `during ${load.overloadedSeconds} of ${load.sampledSeconds} s of the test`;
  const peaks = `CPU up to ${pct(load.maxCpuPercent)} % of a core, event-loop lag up to ${pct(load.maxLagMs)} ms`;
  if (load.role === "master") {
    return [
      `Note: the master was overloaded ${during} (${peaks}): the merged statistics may have arrived late.`,
      "The workers measured the response times, so they do not include it.",
      "",
    ];
  }
  if (load.cause === "outside") {
    return [
      `Note: the load generator's event loop was delayed from outside ${during} (${peaks}):`,
      "latencies include that delay (other programs took the CPU, or the machine was throttled).",
      "Run Cicada where it has a core to itself.",
      "",
    ];
  }
  return [
    `Note: the load generator was overloaded ${during} (${peaks}):`,
    "results measured on an overloaded generator: latencies include client-side queueing, and the",
    "request rate may be Cicada's limit rather than the server's. Use fewer users per process, or more processes.",
    "",
  ];
}
