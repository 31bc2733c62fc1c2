// What one wake-up of an idle Node event loop costs on this machine: a Node process pinned
// to the generator core sleeps in epoll on a 1 ms timer and wakes, N times, doing nothing
// else; its CPU time over N is the price of a sleep and a wake-up (the kernel's context
// switch, and in a VM the interrupt that ends the sleep, plus the caches a sleeping core
// loses). The open-rate scenario multiplies it by how many more times per request the open
// model's event loop woke than the closed model's, to show how much of the difference in
// CPU per request the wake-ups account for, measured in the same run.
import { runPinned } from "./processes.mjs";

/** The probe: N one-millisecond timers in a row; prints the CPU µs per wake-up as JSON. */
const probe = (wakeUps) => `
const n = ${wakeUps};
let left = n;
const before = process.cpuUsage();
const tick = () => { if (--left > 0) setTimeout(tick, 1); else done(); };
const done = () => {
  const used = process.cpuUsage(before);
  console.log(JSON.stringify({ cpuUsPerWake: (used.user + used.system) / n }));
};
setTimeout(tick, 1);
`;

/**
 * CPU µs per idle wake-up of a Node process pinned to `core` (`wakeUps` of them: 5,000 take
 * about 5.5 s); null if the probe failed (the caller reports it as "–").
 */
export async function measureWakeCost(core, wakeUps = 5000) {
  const result = await runPinned({
    command: process.execPath,
    args: ["--input-type=module", "-e", probe(wakeUps)],
    core,
    timeoutMs: 60_000,
  });
  try {
    return JSON.parse(result.stdout.trim().split("\n").pop()).cpuUsPerWake;
  } catch {
    return null;
  }
}

/**
 * How much of the open model's extra CPU per request its extra wake-ups account for: the
 * wake-ups per request it has beyond the closed model's (no wait), at what one idle wake-up
 * of Node costs on the same core, the ratio of what is left to the closed model's, and
 * the price of a wake-up at which the open model's CPU per request would be 1.10× the
 * closed model's (the bound; cheaper wake-ups, on bare metal, bring it within).
 * Nulls when a figure is missing (a smoke run, a failed run).
 */
export function weighWakeUps({
  openCpuUsPerRequest,
  closedCpuUsPerRequest,
  openSleepsPerRequest,
  closedSleepsPerRequest,
  wakeCostUs,
}) {
  const known = [
    openCpuUsPerRequest,
    closedCpuUsPerRequest,
    openSleepsPerRequest,
    closedSleepsPerRequest,
    wakeCostUs,
  ];
  if (known.some((v) => typeof v !== "number" || !Number.isFinite(v)) || closedCpuUsPerRequest <= 0) {
    return {
      extraWakesPerRequest: null,
      extraWakeCpuUs: null,
      cpuDifferenceUs: null,
      cpuRatioBesideWakeUps: null,
      boundWakeCostUs: null,
    };
  }
  const extraWakesPerRequest = openSleepsPerRequest - closedSleepsPerRequest;
  const extraWakeCpuUs = extraWakesPerRequest * wakeCostUs;
  const cpuBesideWakeUpsUs = openCpuUsPerRequest - extraWakeCpuUs;
  return {
    extraWakesPerRequest,
    extraWakeCpuUs,
    cpuDifferenceUs: openCpuUsPerRequest - closedCpuUsPerRequest,
    cpuRatioBesideWakeUps: cpuBesideWakeUpsUs / closedCpuUsPerRequest,
    boundWakeCostUs:
      extraWakesPerRequest > 0
        ? (1.1 * closedCpuUsPerRequest - cpuBesideWakeUpsUs) / extraWakesPerRequest
        : null,
  };
}
