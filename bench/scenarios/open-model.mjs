// The open model's scenarios (issue 12), each on the recording node:http target pinned to
// the target core, Cicada pinned to the generator core:
//
//   open-rate             5,000 iterations/s of one GET /sleep50 for 60 s: the rate the target
//                         received overall and every second after the first 2 s, dropped
//                         iterations, and CPU and event-loop wake-ups per request against the
//                         closed model at the same throughput in the same run, twice: 250
//                         users with no wait (their requests synchronise into bursts), and
//                         500 users paced to 10 tasks/s each (constantThroughput: the closed
//                         model's way to hold a rate, its requests spread in time).
//   coordinated-omission  50 iterations/s of GET /stall with --max-users 5 for 60 s; the target
//                         holds every response during one second in ten, otherwise answers in
//                         5 ms. The latency from the intended start against what the schedule
//                         predicts (simulated), the service time against the closed model's,
//                         and wrk (closed, 5 connections) on the same target in the same run.
//   open-overload         1,000 iterations/s on 10 users against 50 ms responses (they carry
//                         ~200/s), for two durations: dropped == scheduled − started exactly,
//                         and the peak memory does not grow with the run's length.
import { count, fixed, millis, signedPercent, table } from "../lib/format.mjs";
import { measure, median } from "../lib/measure.mjs";
import { startLatencyServer } from "../lib/targets.mjs";
import { measureWakeCost, weighWakeUps } from "../lib/wake-cost.mjs";

/** Runs Cicada (or wrk) once against a fresh recording target; returns the run and the target's record. */
async function onFreshTarget(ctx, tool, spec) {
  const server = await startLatencyServer({ root: ctx.root, core: ctx.cores.target });
  try {
    const run = await measure(tool, { origin: server.origin, root: ctx.root, ...spec }, ctx.cores.generator);
    const record = await server.record();
    if (run.error) ctx.log(`    failed: ${run.error.split("\n")[0]}`);
    return { run, record };
  } finally {
    await server.stop();
  }
}

/** Relative error in %. */
const errorPercent = (value, truth) => (truth ? ((value - truth) / truth) * 100 : null);

/** Open-rate: the target's own count per second against the rate. */
export async function openRate(ctx) {
  const rate = ctx.smoke ? 500 : 5000;
  const durationS = ctx.smoke ? 1 : Math.max(60, ctx.durationS);
  const closedUsers = Math.round(rate * 0.05);
  const pacedUsers = Math.round(rate / 10);
  const rounds = [];
  for (let round = 0; round < ctx.rounds; round++) {
    ctx.log(
      `  open-rate: round ${round + 1}/${ctx.rounds}, Cicada --arrival-rate ${rate} for ${durationS} s`,
    );
    const open = await onFreshTarget(ctx, "cicada", {
      path: "/sleep50",
      arrivalRate: rate,
      durationS,
      users: 0,
    });
    // A smoke run only checks that the scenario works: the closed model's run is left out.
    let closed = { run: {} };
    if (!ctx.smoke) {
      ctx.log(
        `  open-rate: round ${round + 1}/${ctx.rounds}, Cicada -u ${closedUsers} (closed) for ${durationS} s`,
      );
      closed = await onFreshTarget(ctx, "cicada", { path: "/sleep50", users: closedUsers, durationS });
    }
    let paced = { run: {} };
    if (!ctx.smoke) {
      ctx.log(
        `  open-rate: round ${round + 1}/${ctx.rounds}, Cicada -u ${pacedUsers} paced to 10/s each (closed) for ${durationS} s`,
      );
      paced = await onFreshTarget(ctx, "cicada", {
        path: "/sleep50",
        locustfile: "bench/locustfiles/sleep50-paced.ts",
        users: pacedUsers,
        durationS,
      });
    }
    // What an idle wake-up costs on the generator core now, to weigh the models' wake-ups.
    const wakeCostUs = ctx.smoke ? null : await measureWakeCost(ctx.cores.generator);
    rounds.push({
      round: round + 1,
      open: summariseRate(open, rate, durationS),
      closed: closed.run,
      paced: paced.run,
      wakeCostUs,
    });
    await ctx.pause();
  }
  const med = (pick) => median(rounds.map(pick));
  const medians = {
    overallErrorPercent: med((r) => r.open.overallErrorPercent),
    worstSecondErrorPercent: med((r) => r.open.worstSecondErrorPercent),
    dropped: med((r) => r.open.dropped),
    openCpuUsPerRequest: med((r) => r.open.cpuUsPerRequest),
    closedCpuUsPerRequest: med((r) => r.closed.cpuUsPerRequest),
    pacedCpuUsPerRequest: med((r) => r.paced.cpuUsPerRequest),
    // Event-loop sleeps (and so wake-ups) per request: where the open model's extra CPU goes.
    openSleepsPerRequest: med((r) => r.open.sleepsPerRequest),
    closedSleepsPerRequest: med((r) => r.closed.sleepsPerRequest),
    pacedSleepsPerRequest: med((r) => r.paced.sleepsPerRequest),
    openRps: med((r) => r.open.rps),
    closedRps: med((r) => r.closed.rps),
    pacedRps: med((r) => r.paced.rps),
    openIntendedP99: med((r) => r.open.intendedP99),
    openP99: med((r) => r.open.p99),
    wakeCostUs: med((r) => r.wakeCostUs),
  };
  const ratioTo = (closedCpu) =>
    medians.openCpuUsPerRequest && closedCpu ? medians.openCpuUsPerRequest / closedCpu : null;
  const cpuRatio = ratioTo(medians.closedCpuUsPerRequest);
  const pacedCpuRatio = ratioTo(medians.pacedCpuUsPerRequest);
  const ratioText = (ratio) => (ratio === null ? "–" : `${ratio.toFixed(3)}×`);
  const wakeUps = weighWakeUps(medians);
  const met = (ok) => (ok ? "met" : "NOT met");
  // A closed model's row: its rate, CPU and wake-ups; the open model's own columns stay empty.
  const closedRow = (label, model) => [
    label,
    count(medians[`${model}Rps`]),
    fixed(medians[`${model}CpuUsPerRequest`], 1),
    fixed(medians[`${model}SleepsPerRequest`], 3),
    ...Array(5).fill(""),
  ];
  return {
    id: "open-rate",
    title: "Open model: rate accuracy",
    rate,
    durationS,
    closedUsers,
    pacedUsers,
    rounds,
    medians: { ...medians, cpuRatio, pacedCpuRatio, ...wakeUps },
    lines: [
      `Open model, rate accuracy: --arrival-rate ${rate} of GET /sleep50 (50 ms) for ${durationS} s against the recording ` +
        `node:http target; the closed model (${closedUsers} users with no wait, and ${pacedUsers} users paced to 10/s each) on the same target; ` +
        `median of ${ctx.rounds} round(s)`,
      ...table(
        [
          "model",
          "req/s",
          "CPU µs/req",
          "wake-ups/req",
          "p99 ms",
          "p99 from intended ms",
          "overall rate error",
          "worst second after 2 s",
          "dropped",
        ],
        [
          [
            "Cicada --arrival-rate",
            count(medians.openRps),
            fixed(medians.openCpuUsPerRequest, 1),
            fixed(medians.openSleepsPerRequest, 3),
            millis(medians.openP99),
            millis(medians.openIntendedP99),
            signedPercent(medians.overallErrorPercent, 2),
            signedPercent(medians.worstSecondErrorPercent, 2),
            count(medians.dropped),
          ],
          closedRow("Cicada -u (closed, no wait)", "closed"),
          closedRow("Cicada -u (closed, paced)", "paced"),
        ],
      ),
      "",
      `  overall within ±1 %: ${met(Math.abs(medians.overallErrorPercent ?? 99) <= 1)}; every second after 2 s within ±5 %: ` +
        `${met(Math.abs(medians.worstSecondErrorPercent ?? 99) <= 5)}; 0 dropped: ${met(medians.dropped === 0)}; ` +
        `CPU per request ${ratioText(cpuRatio)} the closed model's with no wait (within 10 %: ${met(cpuRatio !== null && cpuRatio <= 1.1)}), ` +
        `${ratioText(pacedCpuRatio)} the paced closed model's`,
      ...(wakeUps.extraWakeCpuUs === null
        ? []
        : [
            `  wake-ups: an idle wake-up of Node costs ${fixed(medians.wakeCostUs, 1)} µs of CPU on the generator core; ` +
              `the open model woke ${fixed(wakeUps.extraWakesPerRequest, 3)} more times per request than the closed model ` +
              `with no wait: ${fixed(wakeUps.extraWakeCpuUs, 1)} µs of the ${fixed(wakeUps.cpuDifferenceUs, 1)} µs difference; ` +
              `the rest of its CPU per request is ${ratioText(wakeUps.cpuRatioBesideWakeUps)} the closed model's; ` +
              `within 10 % where a wake-up costs under ${fixed(wakeUps.boundWakeCostUs, 1)} µs`,
          ]),
    ],
  };
}

/** The target's per-second counts against the rate, and Cicada's own figures. */
function summariseRate({ run, record }, rate, durationS) {
  const seconds = new Map(record.perSecond);
  const first = Math.min(...seconds.keys());
  const last = Math.max(...seconds.keys());
  // Whole seconds only: from 2 s after the first request, up to the second before the last.
  const checked = [];
  for (let second = first + 2; second < last; second++) checked.push(seconds.get(second) ?? 0);
  const worst = checked.reduce((w, c) => (Math.abs(c - rate) > Math.abs(w - rate) ? c : w), rate);
  // Overall: every request the target received over the run time (-t), against the rate.
  let received = 0;
  for (const c of seconds.values()) received += c;
  return {
    ...run,
    targetReceived: received,
    perSecondChecked: checked,
    overallErrorPercent: errorPercent(received / durationS, rate),
    // null when the run was too short to have a whole second after the first 2 s (--smoke).
    worstSecondErrorPercent: checked.length > 0 ? errorPercent(worst, rate) : null,
    dropped: run.iterations?.dropped ?? null,
    started: run.iterations?.started ?? null,
  };
}

/**
 * What the schedule predicts for the stalling target: iterations every 1/rate s from the
 * first request, `users` users, responses after 5 ms or at the end of a stall second
 * (epoch seconds ending in 9), at most `maxQueueMs` of waiting. Returns the intended-start
 * and service latencies (ms) of the iterations that ran.
 */
export function simulateStalls({ startEpochMs, rate, durationS, users, maxQueueMs = 1000, serviceMs = 5 }) {
  const free = new Array(users).fill(startEpochMs);
  const intended = [];
  const service = [];
  let dropped = 0;
  const n = Math.floor(durationS * rate);
  for (let i = 0; i < n; i++) {
    const due = startEpochMs + (i * 1000) / rate;
    // The user free first takes it (FIFO: iterations start in order).
    let u = 0;
    for (let k = 1; k < users; k++) if (free[k] < free[u]) u = k;
    const start = Math.max(due, free[u]);
    if (start - due > maxQueueMs) {
      dropped++;
      continue;
    }
    const second = Math.floor(start / 1000);
    const end = second % 10 === 9 ? (second + 1) * 1000 : start + serviceMs;
    free[u] = end;
    intended.push(end - due);
    service.push(end - start);
  }
  return { intended, service, dropped };
}

/** Nearest-rank percentile of `values` (p in 0..100). */
function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1] ?? null;
}

/** Coordinated omission: a target that stalls one second in ten. */
export async function coordinatedOmission(ctx) {
  const rate = 50;
  const users = 5;
  const durationS = ctx.smoke ? 1 : Math.max(60, ctx.durationS);
  // A smoke run only checks that the scenario works: the closed models are left out.
  const tools = ctx.smoke
    ? ["cicada-open"]
    : ["cicada-open", "cicada-closed", ...(ctx.tools.includes("wrk") ? ["wrk"] : [])];
  const runs = [];
  for (let round = 0; round < ctx.rounds; round++) {
    for (const tool of tools) {
      ctx.log(`  coordinated-omission: round ${round + 1}/${ctx.rounds}, ${tool}`);
      const spec =
        tool === "cicada-open"
          ? { path: "/stall", arrivalRate: rate, maxUsers: users, users: 0, durationS }
          : { path: "/stall", users, durationS };
      const { run, record } = await onFreshTarget(ctx, tool === "wrk" ? "wrk" : "cicada", spec);
      const entry = { round: round + 1, ...run, tool };
      if (tool === "cicada-open" && record.firstRequestEpochMs !== null) {
        const predicted = simulateStalls({
          startEpochMs: record.firstRequestEpochMs,
          rate,
          durationS,
          users,
        });
        entry.predicted = {
          intendedP99: percentile(predicted.intended, 99),
          intendedP999: percentile(predicted.intended, 99.9),
          serviceP99: percentile(predicted.service, 99),
          dropped: predicted.dropped,
        };
      }
      runs.push(entry);
      await ctx.pause();
    }
  }
  const pick = (tool, field) => median(runs.filter((r) => r.tool === tool && !r.error).map(field));
  const medians = Object.fromEntries(
    tools.map((tool) => [
      tool,
      {
        rps: pick(tool, (r) => r.rps),
        p50: pick(tool, (r) => r.p50),
        p99: pick(tool, (r) => r.p99),
        intendedP99: pick(tool, (r) => r.intendedP99),
        intendedP999: pick(tool, (r) => r.intendedP999),
        predictedIntendedP99: pick(tool, (r) => r.predicted?.intendedP99),
        predictedIntendedP999: pick(tool, (r) => r.predicted?.intendedP999),
        predictedServiceP99: pick(tool, (r) => r.predicted?.serviceP99),
        dropped: pick(tool, (r) => r.iterations?.dropped),
      },
    ]),
  );
  const open = medians["cicada-open"];
  const labels = {
    "cicada-open": "Cicada --arrival-rate 50 --max-users 5",
    "cicada-closed": "Cicada -u 5 (closed)",
    wrk: "wrk -c5 (closed)",
  };
  return {
    id: "coordinated-omission",
    title: "Open model: coordinated omission",
    rate,
    users,
    durationS,
    runs,
    medians,
    lines: [
      `Open model, coordinated omission: GET /stall (5 ms, but every response held during one second in ten) for ${durationS} s, ` +
        `median of ${ctx.rounds} round(s)`,
      ...table(
        [
          "tool",
          "req/s",
          "p50 ms",
          "p99 ms (service)",
          "p99 from intended ms",
          "predicted",
          "p99.9 from intended",
          "predicted",
          "dropped",
        ],
        tools.map((tool) => {
          const m = medians[tool];
          return [
            labels[tool],
            count(m.rps),
            millis(m.p50),
            millis(m.p99),
            millis(m.intendedP99),
            millis(m.predictedIntendedP99),
            millis(m.intendedP999),
            millis(m.predictedIntendedP999),
            m.dropped === null ? "" : count(m.dropped),
          ];
        }),
      ),
      "",
      `  the intended-start p99 shows the stall: ${millis(open.intendedP99)} ms measured, ${millis(open.predictedIntendedP99)} ms ` +
        `predicted by the schedule (${signedPercent(errorPercent(open.intendedP99 ?? 0, open.predictedIntendedP99), 1)}); ` +
        `the service-time p99 stays at ${millis(open.p99)} ms (predicted ${millis(open.predictedServiceP99)} ms), like the closed models'`,
    ],
  };
}

/** Overload: too few users for the rate; exact drop count, memory that does not grow. */
export async function openOverload(ctx) {
  const rate = ctx.smoke ? 200 : 1000;
  const maxUsers = ctx.smoke ? 2 : 10;
  const durations = ctx.smoke ? [1] : [20, 60];
  const runs = [];
  for (let round = 0; round < ctx.rounds; round++) {
    for (const durationS of durations) {
      ctx.log(`  open-overload: round ${round + 1}/${ctx.rounds}, ${durationS} s`);
      const { run } = await onFreshTarget(ctx, "cicada", {
        path: "/sleep50",
        arrivalRate: rate,
        maxUsers,
        users: 0,
        durationS,
      });
      const it = run.iterations;
      runs.push({
        round: round + 1,
        durationS,
        ...run,
        exact: it ? it.dropped === it.scheduled - it.started : false,
      });
      await ctx.pause();
    }
  }
  const byDuration = durations.map((durationS) => {
    const list = runs.filter((r) => r.durationS === durationS && !r.error);
    return {
      durationS,
      scheduled: median(list.map((r) => r.iterations?.scheduled)),
      started: median(list.map((r) => r.iterations?.started)),
      dropped: median(list.map((r) => r.iterations?.dropped)),
      peakRssMb: median(list.map((r) => r.peakRssMb)),
      exact: list.length > 0 && list.every((r) => r.exact),
    };
  });
  const [short, long = short] = byDuration;
  const growth = short.peakRssMb && long.peakRssMb ? long.peakRssMb / short.peakRssMb : null;
  return {
    id: "open-overload",
    title: "Open model: overload",
    rate,
    maxUsers,
    runs,
    medians: byDuration,
    lines: [
      `Open model, overload: --arrival-rate ${rate} --max-users ${maxUsers} of GET /sleep50 (the users carry ~${maxUsers * 20}/s), ` +
        `median of ${ctx.rounds} round(s)`,
      ...table(
        ["run time", "scheduled", "started", "dropped", "dropped == scheduled − started", "peak RSS MB"],
        byDuration.map((d) => [
          `${d.durationS} s`,
          count(d.scheduled),
          count(d.started),
          count(d.dropped),
          d.exact ? "yes, every round" : "NO",
          fixed(d.peakRssMb, 0),
        ]),
      ),
      "",
      `  memory ${growth === null ? "–" : `${growth.toFixed(2)}×`} from ${short.durationS} s to ${long.durationS} s ` +
        "(bounded: waiting iterations are two indices, not a queue)",
    ],
  };
}
