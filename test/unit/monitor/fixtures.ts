/** node_exporter-like expositions with exact numbers, for the derivation tests. */
import { type MonitorConfig, parseLevels } from "../../../src/monitor/index.js";

export interface NodeState {
  /** Seconds per cpu and mode. */
  cpu: Array<Record<string, number>>;
  memTotal?: number;
  memAvailable?: number;
  swapTotal?: number;
  swapFree?: number;
  disks?: Record<string, { read: number; written: number; ioTime: number }>;
  net?: Record<string, { rx: number; tx: number }>;
  load?: [number, number, number];
  tcp?: number;
  pswp?: [number, number];
}

/** The text node_exporter would serve for `state` (HELP/TYPE lines included, as it writes them). */
export function nodeText(state: NodeState): string {
  const lines: string[] = [];
  lines.push(
    "# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.",
    "# TYPE node_cpu_seconds_total counter",
  );
  state.cpu.forEach((modes, cpu) => {
    for (const [mode, seconds] of Object.entries(modes))
      lines.push(`node_cpu_seconds_total{cpu="${cpu}",mode="${mode}"} ${seconds}`);
  });
  const gauge = (name: string, value: number | undefined) => {
    if (value === undefined) return;
    lines.push(`# HELP ${name} x`, `# TYPE ${name} gauge`, `${name} ${value}`);
  };
  gauge("node_memory_MemTotal_bytes", state.memTotal);
  gauge("node_memory_MemAvailable_bytes", state.memAvailable);
  gauge("node_memory_SwapTotal_bytes", state.swapTotal);
  gauge("node_memory_SwapFree_bytes", state.swapFree);
  if (state.load) {
    gauge("node_load1", state.load[0]);
    gauge("node_load5", state.load[1]);
    gauge("node_load15", state.load[2]);
  }
  gauge("node_sockstat_TCP_inuse", state.tcp);
  if (state.pswp) {
    lines.push(`node_vmstat_pswpin ${state.pswp[0]}`, `node_vmstat_pswpout ${state.pswp[1]}`);
  }
  const counter = (name: string, label: string, values: Record<string, number>) => {
    lines.push(`# TYPE ${name} counter`);
    for (const [device, value] of Object.entries(values))
      lines.push(`${name}{${label}="${device}"} ${value}`);
  };
  const disks = state.disks ?? {};
  counter(
    "node_disk_read_bytes_total",
    "device",
    Object.fromEntries(Object.entries(disks).map(([d, v]) => [d, v.read])),
  );
  counter(
    "node_disk_written_bytes_total",
    "device",
    Object.fromEntries(Object.entries(disks).map(([d, v]) => [d, v.written])),
  );
  counter(
    "node_disk_io_time_seconds_total",
    "device",
    Object.fromEntries(Object.entries(disks).map(([d, v]) => [d, v.ioTime])),
  );
  const net = state.net ?? {};
  counter(
    "node_network_receive_bytes_total",
    "device",
    Object.fromEntries(Object.entries(net).map(([d, v]) => [d, v.rx])),
  );
  counter(
    "node_network_transmit_bytes_total",
    "device",
    Object.fromEntries(Object.entries(net).map(([d, v]) => [d, v.tx])),
  );
  // A summary, as node_exporter's Go runtime metrics have (the parser must not trip on it).
  lines.push(
    "# TYPE go_gc_duration_seconds summary",
    'go_gc_duration_seconds{quantile="0.5"} 0.0001',
    "go_gc_duration_seconds_sum 0.5",
    "go_gc_duration_seconds_count 12",
  );
  return `${lines.join("\n")}\n`;
}

const modes = (user: number, system: number, idle: number, iowait = 0) => ({
  user,
  system,
  idle,
  iowait,
  nice: 0,
  irq: 0,
  softirq: 0,
  steal: 0,
});

export { modes };

/** A monitor's configuration with nothing to scrape and default levels, `overrides` applied. */
export function bareMonitorConfig(overrides: Partial<MonitorConfig> = {}): MonitorConfig {
  return {
    endpoints: [],
    metrics: [],
    prometheus: undefined,
    queries: [],
    levels: parseLevels([]),
    intervalMs: 1000,
    ...overrides,
  };
}
