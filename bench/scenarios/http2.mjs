// Scenario 6 (http2): Cicada's HTTP/2 client (`http2 = true`, one node:http2 session per
// user) against the same nginx in cleartext HTTP/2, beside nghttp2's h2load: the same
// connections, one stream at a time each, the same duration, interleaved rounds.
import { fixed, millis, table } from "../lib/format.mjs";
import { HTTP2_TOOL_NAMES } from "../lib/generators.mjs";
import { runLoad, toolRows } from "./load.mjs";

const FIELDS = [
  "rps",
  "requests",
  "failures",
  "cpuPercent",
  "cpuUsPerRequest",
  "peakRssMb",
  "p50",
  "p99",
  "meanMs",
  "wallS",
];

export async function http2(ctx) {
  const users = ctx.smoke ? 10 : 50;
  const tools = HTTP2_TOOL_NAMES.filter((tool) => ctx.has[tool]);
  if (!ctx.has.nginx) {
    return { id: "http2", status: "skipped", lines: ["Scenario 6, http2: skipped (nginx is not installed)"] };
  }
  const result = await runLoad(ctx, {
    id: "http2",
    title: "HTTP/2",
    path: "/hello",
    users,
    tools,
    http2: true,
    fields: FIELDS,
  });
  result.target = "nginx (cleartext HTTP/2)";
  const cicada = result.medians.cicada;
  const h2load = result.medians.h2load;
  result.ratios = {
    cicadaOverH2loadRps: cicada?.rps && h2load?.rps ? cicada.rps / h2load.rps : null,
    cicadaOverH2loadCpuPerRequest:
      cicada?.cpuUsPerRequest && h2load?.cpuUsPerRequest
        ? cicada.cpuUsPerRequest / h2load.cpuUsPerRequest
        : null,
  };
  const header = [
    "tool",
    "req/s",
    "CPU %",
    "CPU µs/req",
    "peak RSS MB",
    "p50 ms",
    "p99 ms",
    "failures",
    "mean ms",
  ];
  const rows = toolRows(result, tools, (m) => [millis(m.meanMs)]);
  result.lines = [
    `Scenario 6, http2: ${users} users/connections, GET /hello over cleartext HTTP/2 on nginx, ` +
      `${ctx.durationS} s, median of ${ctx.rounds} round(s)`,
    ...table(header, rows),
    "",
    `  Cicada / h2load req/s:          ${fixed(result.ratios.cicadaOverH2loadRps, 2)}×`,
    `  Cicada / h2load CPU µs/request: ${fixed(result.ratios.cicadaOverH2loadCpuPerRequest, 2)}×`,
  ];
  return result;
}
