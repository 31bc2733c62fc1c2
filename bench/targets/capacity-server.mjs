// A target whose capacity is known by construction, for the capacity search's tests and
// bench scenario: it serves at most K requests at a time (K "slots"), each for exactly S
// ms, admitting them through a turnstile that lets one request in every S / K ms (so a
// slot frees exactly every S / K: K in service, never more); the others wait in a FIFO
// queue (a queued request whose client went away is skipped). GET /metrics serves
// Prometheus text: capacity_busy_slots (a gauge: K once it is saturated),
// capacity_queue_length and capacity_requests_total.
//
// What a capacity search must find (trueCapacity below):
//
// - Closed model, U users without waits, an SLO "p95 < T" with T > S + S/K. Throughput
//   is min(U, K) / S. Up to U = K a request waits at most one turn of the turnstile
//   (S / K) and takes S more. Above K, K are in service and U − K queue; each waits for the
//   U − K ahead of it, one admitted every S / K, so every request takes (U − K)·S/K + S =
//   U·S / K (Little's law with no think time: U = X·R, X = K / S). p95 crosses T at
//   U = K·T / S users, at K / S requests per second. Measured, p95 runs a millisecond or
//   two above U·S / K (the network and the client), so the highest passing load is just
//   below K·T / S.
// - Open model, λ iterations per second of one request each, arriving evenly spaced.
//   Up to λ = K / S no request waits more than a turn; above it the queue grows by
//   λ − K/S every second, and so does every wait: p95 exceeds any SLO above S + S/K.
//   The capacity is K / S iterations per second.
//
// As a program: `node capacity-server.mjs --slots 20 --service-ms 100 [--max-seconds 600]`
// prints "LISTENING <port>" and exits by itself after --max-seconds.
import { createServer } from "node:http";

/**
 * The capacity a search with the SLO "p95 < p95LimitMs" must find against this target
 * (see the top of this file): { load (users or iterations/s), rps }.
 */
export function trueCapacity({ model, slots, serviceMs, p95LimitMs }) {
  const throughput = slots / (serviceMs / 1000);
  if (model === "arrival-rate") return { load: throughput, rps: throughput };
  return { load: (slots * p95LimitMs) / serviceMs, rps: throughput };
}

/**
 * Starts the target on 127.0.0.1 (port 0: a free one). Resolves to { url, port,
 * requests() (served), received(), close() }.
 */
export async function startCapacityServer({ slots, serviceMs, port = 0 }) {
  const turnMs = serviceMs / slots;
  const origin = performance.now();
  /**
   * The turns of the requests in service, oldest first: a request admitted at turn t holds
   * its slot over [t, t + S). The gauge counts them from these times, not from the timers
   * that end a service and admit the next request: those fire apart at the same instant,
   * so a gauge kept by them read K − 1 (or K + 1) at a third of the scrapes of a saturated
   * target.
   */
  const inService = [];
  const busySlots = (now) => {
    while (inService.length > 0 && inService[0] + serviceMs <= now) inService.shift();
    return inService.length;
  };
  let served = 0;
  /** Every request for "/" that arrived, served or not (a client may leave while it waits). */
  let received = 0;
  /** Waiting responses, oldest first; `head` is the next to admit (no shift() per request). */
  let queue = [];
  let head = 0;
  /** The turnstile's next turn (performance.now() ms), on the grid origin + n·turnMs. */
  let nextTurn = origin;
  let timer = null;
  // The service ends S after the turn it was admitted at, so a late timer does not shift the grid.
  const admit = (res, turn) => {
    busySlots(turn); // drops the services ended by this turn, scraped or not
    inService.push(turn);
    setTimeout(
      () => {
        served++;
        if (!res.destroyed) res.end("ok");
      },
      Math.max(0, turn + serviceMs - performance.now()),
    );
  };
  const pump = (now = performance.now()) => {
    timer = null;
    // A late timer admits every turn it missed, one request each.
    while (head < queue.length && nextTurn <= now) {
      const res = queue[head++];
      if (res.destroyed) continue;
      admit(res, nextTurn);
      nextTurn += turnMs;
    }
    if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
    if (head < queue.length) timer = setTimeout(pump, Math.max(0, nextTurn - now));
  };
  const server = createServer((req, res) => {
    if (req.url === "/metrics") {
      // Turns already due are taken first (a late timer must not show a free slot that is
      // not), at the same instant as the count.
      const now = performance.now();
      if (timer !== null) {
        clearTimeout(timer);
        pump(now);
      }
      res.setHeader("content-type", "text/plain; version=0.0.4");
      res.end(
        "# TYPE capacity_busy_slots gauge\n" +
          `capacity_busy_slots ${busySlots(now)}\n` +
          "# TYPE capacity_queue_length gauge\n" +
          `capacity_queue_length ${queue.length - head}\n` +
          "# TYPE capacity_requests_total counter\n" +
          `capacity_requests_total ${served}\n`,
      );
      return;
    }
    received++;
    const now = performance.now();
    // Turns that passed with nobody waiting are gone: admissions cannot be saved up.
    if (head >= queue.length && nextTurn < now)
      nextTurn = origin + Math.ceil((now - origin) / turnMs) * turnMs;
    queue.push(res);
    if (timer === null) pump();
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  const bound = server.address().port;
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    requests: () => served,
    received: () => received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const i = args.indexOf(name);
    return i === -1 ? fallback : Number(args[i + 1]);
  };
  const target = await startCapacityServer({
    slots: option("--slots", 20),
    serviceMs: option("--service-ms", 100),
    port: option("--port", 0),
  });
  console.log(`LISTENING ${target.port}`);
  setTimeout(() => process.exit(0), option("--max-seconds", 600) * 1000);
}
