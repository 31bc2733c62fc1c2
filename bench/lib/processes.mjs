// Child processes of the benchmark: every one is pinned to a core with `taskset`, bounded
// by a hard deadline, measured through /proc (CPU time and peak RSS, sampled while it
// runs) and remembered by PID so that `killAll()` can end it on every path (normal end,
// error, Ctrl-C). Nothing here kills by name.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on every Linux we know). */
const TICKS_PER_SECOND = 100;
const SAMPLE_INTERVAL_MS = 50;

/** PID -> ChildProcess of everything started and not yet reaped. */
const live = new Map();

/** Kills every child still running (SIGKILL, by PID). Safe to call more than once. */
export function killAll() {
  for (const [pid, child] of live) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
    live.delete(pid);
    child.unref?.();
  }
}

/** How many children are still running (tests check that nothing is left behind). */
export function liveCount() {
  return live.size;
}

/** The direct children of `pid` (Linux's /proc/PID/task/PID/children), or none. */
function childPids(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").split(" ").filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * One process: utime+stime plus the CPU of its reaped children, cutime+cstime (ticks);
 * its peak RSS (VmHWM) and its current anonymous (private) memory (RssAnon), in KiB; and
 * how often its main thread went to sleep (voluntary context switches: for a Node
 * process, each time its event loop found nothing to do and waited in epoll).
 */
function readOne(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Field 2 (comm) may contain spaces: count fields from the closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  const sleeps = Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { ticks, peakRssKb: kb("VmHWM"), anonKb: kb("RssAnon"), sleeps };
}

/**
 * CPU time (ms) and memory (KiB) of a running process and all its descendants (the
 * `cicada` command is a launcher and the Node process it starts; --processes adds
 * workers), or null once it is gone. CPU: every process's own time plus its reaped
 * children's (cutime/cstime), so an exited descendant is counted once, by its parent.
 * Memory: the largest process's peak RSS plus the private (anonymous) memory of the
 * others; summing their RSS would count the Node binary's pages, which they share, again
 * for each (about 36 MB for the launcher, whose own memory is about 8 MB).
 */
export function readProcUsage(pid) {
  try {
    const processes = [readOne(pid)];
    const pending = childPids(pid);
    while (pending.length > 0) {
      const child = pending.pop();
      try {
        processes.push(readOne(child));
        pending.push(...childPids(child));
      } catch {
        // Gone between the listing and the read.
      }
    }
    const largest = processes.reduce((a, b) => (b.peakRssKb > a.peakRssKb ? b : a));
    let ticks = 0;
    let sleeps = 0;
    let peakRssKb = largest.peakRssKb;
    for (const usage of processes) {
      ticks += usage.ticks;
      sleeps += usage.sleeps;
      if (usage !== largest) peakRssKb += usage.anonKb;
    }
    return { cpuMs: (ticks * 1000) / TICKS_PER_SECOND, peakRssKb, sleeps };
  } catch {
    return null;
  }
}

/**
 * Starts `command args` pinned to `core` and returns a handle. `done` resolves when the
 * process has exited (or was killed at `timeoutMs`) with its output and measurements.
 * `onStdoutLine` sees stdout line by line as it arrives (to react to a "ready" line).
 */
export function startPinned({ command, args, core, cwd, env, timeoutMs, onStdoutLine }) {
  const startedAt = performance.now();
  const startedAtEpochMs = Date.now();
  // Not NODE_TEST_CONTEXT (set when the smoke test runs this under `node --test`): the
  // tools measured are not part of that test run.
  const { NODE_TEST_CONTEXT: _, ...inherited } = process.env;
  const child = spawn("taskset", ["-c", String(core), command, ...args], {
    cwd,
    env: { ...inherited, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pid = child.pid;
  if (pid !== undefined) live.set(pid, child);
  let stdout = "";
  let stderr = "";
  let pendingLine = "";
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stdout.on("data", (text) => {
    stdout += text;
    if (!onStdoutLine) return;
    const lines = (pendingLine + text).split("\n");
    pendingLine = lines.pop() ?? "";
    for (const line of lines) onStdoutLine(line);
  });
  child.stderr.on("data", (text) => {
    // Keep the tail only: a misbehaving tool must not fill our memory.
    stderr = (stderr + text).slice(-200_000);
  });

  let usage = { cpuMs: 0, peakRssKb: 0, sleeps: 0 };
  let lastSampleAt = startedAt;
  const sample = () => {
    if (pid === undefined) return;
    const now = readProcUsage(pid);
    // A zombie (exited, not yet reaped) has no VmHWM and may read lower: keep the maxima.
    if (now !== null && now.cpuMs >= usage.cpuMs) {
      usage = {
        cpuMs: now.cpuMs,
        peakRssKb: Math.max(usage.peakRssKb, now.peakRssKb),
        sleeps: Math.max(usage.sleeps, now.sleeps),
      };
      lastSampleAt = performance.now();
    }
  };
  const sampler = setInterval(sample, SAMPLE_INTERVAL_MS);
  let timedOut = false;
  const deadline = setTimeout(() => {
    timedOut = true;
    if (pid !== undefined) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone
      }
    }
  }, timeoutMs);

  const done = new Promise((resolve) => {
    const finish = (code, signal, error) => {
      clearInterval(sampler);
      clearTimeout(deadline);
      if (pid !== undefined) live.delete(pid);
      const wallMs = performance.now() - startedAt;
      // CPU is known up to the last sample; measure the share over the same span.
      const sampledMs = Math.max(1, lastSampleAt - startedAt);
      resolve({
        code,
        signal,
        error: error?.message,
        timedOut,
        stdout,
        stderr,
        wallMs,
        startedAtEpochMs,
        cpuMs: usage.cpuMs,
        cpuPercent: (usage.cpuMs / sampledMs) * 100,
        peakRssKb: usage.peakRssKb,
        sleeps: usage.sleeps,
      });
    };
    child.on("error", (error) => finish(null, null, error));
    child.on("exit", (code, signal) => {
      // Let the pipes drain before reporting the output.
      let closed = 0;
      const onClose = () => {
        if (++closed === 2) finish(code, signal);
      };
      if (child.stdout.closed) onClose();
      else child.stdout.once("close", onClose);
      if (child.stderr.closed) onClose();
      else child.stderr.once("close", onClose);
    });
  });
  // The exit event fires after the last /proc read can succeed, so sample eagerly too.
  child.on("spawn", sample);

  return {
    pid,
    done,
    /** Sends `signal` to this child (by PID). */
    signal(name = "SIGTERM") {
      if (pid !== undefined && live.has(pid)) {
        try {
          process.kill(pid, name);
        } catch {
          // gone
        }
      }
    },
  };
}

/** Runs a pinned command to completion; see {@link startPinned}. */
export function runPinned(options) {
  return startPinned(options).done;
}

/** Runs `killAll()` when this process ends or is interrupted, then exits for signals. */
export function installCleanup() {
  process.on("exit", killAll);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.once(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}
