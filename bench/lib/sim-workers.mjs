// Simulated workers for the master-capacity scenario: N real ZeroMQ DEALER sockets in
// this one process (Cicada's own WorkerSocket), speaking Locust's protocol to a Cicada
// master. Each sends client_ready, answers spawns, and every second a heartbeat and a
// stats report of NAMES request names, built by Cicada's own worker reporter from
// synthetic requests (so the payload is what a real worker sends: Locust's dicts plus the
// HDR histogram). No HTTP load is generated. Prints "READY <n>" once every worker is
// acknowledged; exits by itself after --seconds (the bench may kill it sooner).
//
//   node bench/lib/sim-workers.mjs --port 5557 --workers 100 --names 50 --seconds 15
import { hostname } from "node:os";
import { parseArgs } from "node:util";
import { context } from "zeromq";
import { VERSION } from "../../dist/cli/version.js";
import {
  decodeMasterMessage,
  makeNodeId,
  WorkerSocket,
  WorkerStatsReporter,
  wireVersion,
} from "../../dist/distributed/index.js";
import { Environment } from "../../dist/runner/index.js";

const { values } = parseArgs({
  options: {
    port: { type: "string" },
    workers: { type: "string", default: "10" },
    names: { type: "string", default: "50" },
    requests: { type: "string", default: "20" },
    seconds: { type: "string", default: "15" },
  },
});
const port = Number(values.port);
const workers = Number(values.workers);
const names = Number(values.names);
const requestsPerName = Number(values.requests);
const seconds = Number(values.seconds);
// One ZeroMQ socket per simulated worker, all in this process: lift libzmq's default
// limit of 1023 sockets per context (before the first socket is created).
context.maxSockets = Math.max(context.maxSockets, workers + 64);

// One environment builds the report all workers send each second: its content is
// realistic (50 rows with histograms), and building it once keeps this process light.
const environment = new Environment({ userClasses: [] });
const reporter = new WorkerStatsReporter(environment);
function nextReport() {
  for (let n = 0; n < names; n++) {
    for (let r = 0; r < requestsPerName; r++) {
      environment.events.request.fire({
        requestType: "GET",
        name: `/api/item/${n}`,
        responseTimeMs: 5 + Math.random() * 200,
        responseLength: 512,
        exception: null,
      });
    }
  }
  return reporter.takeReport({ SimUser: 1 });
}

let acked = 0;
const sockets = [];
for (let i = 0; i < workers; i++) {
  const nodeId = makeNodeId(`${hostname()}-sim${i}`);
  let isAcked = false;
  const socket = new WorkerSocket(
    "127.0.0.1",
    port,
    nodeId,
    (frames) => {
      const decoded = decodeMasterMessage(frames[0]);
      if (!decoded.ok) return;
      const message = decoded.message;
      if (message.type === "ack" && !isAcked) {
        isAcked = true;
        if (++acked === workers) process.stdout.write(`READY ${workers}\n`);
      } else if (message.type === "spawn") {
        void socket.send("spawning", null);
        void socket.send("spawning_complete", {
          user_classes_count: message.data.user_classes_count,
          user_count: 1,
        });
      }
    },
    () => {},
  );
  sockets.push(socket);
  void socket.send("client_ready", wireVersion(VERSION));
}

const timer = setInterval(() => {
  const report = nextReport();
  for (const socket of sockets) {
    void socket.send("heartbeat", {
      state: "running",
      current_cpu_usage: 1,
      current_memory_usage: 50_000_000,
    });
    void socket.send("stats", report);
  }
}, 1000);

setTimeout(async () => {
  clearInterval(timer);
  for (const socket of sockets) void socket.send("quit", null);
  await Promise.all(sockets.map((s) => s.close()));
  process.exit(0);
}, seconds * 1000);
