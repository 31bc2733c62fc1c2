/**
 * node_exporter's figures for a host, derived from two consecutive scrapes: CPU busy
 * (all cores, and the busiest core), load average, memory and swap used, disk and network
 * throughput, the busiest disk's busy time and TCP connections in use. Pure: the same two
 * expositions always give the same figures, so they are tested against exact values.
 */
import type { Exposition, Sample } from "./exposition.js";
import { counterIncrease, counterRate, labelKey } from "./rates.js";
import type { HostInfo, SeriesDefinition } from "./types.js";

/** A scrape and when it was taken (epoch ms, the runner's clock). */
export interface TimedExposition {
  timeMs: number;
  exposition: Exposition;
}

const node = (
  name: string,
  label: string,
  unit: string,
  merge: SeriesDefinition["merge"],
): SeriesDefinition => ({ name, label, unit, merge, origin: "node" });

/** The series derived for a node_exporter host, in display order. */
export const NODE_SERIES: readonly SeriesDefinition[] = [
  node("cpu", "CPU busy", "%", "max"),
  node("cpuMax", "Busiest core", "%", "max"),
  node("load1", "Load average (1 min)", "", "max"),
  node("load5", "Load average (5 min)", "", "max"),
  node("load15", "Load average (15 min)", "", "max"),
  node("memory", "Memory used", "%", "max"),
  node("swap", "Swap used", "%", "max"),
  node("swapIo", "Swap in + out", "pages/s", "mean"),
  node("diskRead", "Disk read", "B/s", "mean"),
  node("diskWrite", "Disk write", "B/s", "mean"),
  node("diskBusy", "Busiest disk busy", "%", "max"),
  node("netRx", "Network received", "B/s", "mean"),
  node("netTx", "Network sent", "B/s", "mean"),
  node("tcp", "TCP connections in use", "", "max"),
];

/** CPU time that is not work: idle, and waiting for I/O (the CPU could run something else). */
const IDLE_MODES = new Set(["idle", "iowait"]);
/** Block devices whose I/O is also counted on the disks below them (LVM, software RAID). */
const STACKED_DISK = /^(dm-|md)\d/;
/** Interfaces whose traffic is also counted on a real interface (loopback aside). */
const VIRTUAL_NETDEV = /^(lo|veth|docker|br-|virbr|cni|cali|flannel|ifb)/;

/** True when the scrape looks like node_exporter's. */
export function isNodeExporter(exposition: Exposition): boolean {
  return exposition.has("node_cpu_seconds_total") || exposition.has("node_memory_MemTotal_bytes");
}

function gauge(exposition: Exposition, name: string): number | null {
  const value = exposition.get(name)?.[0]?.value;
  return value === undefined || !Number.isFinite(value) ? null : value;
}

/** The number of CPUs and the memory size, from one scrape. */
export function nodeInfo(exposition: Exposition): HostInfo | null {
  const cpus = new Set((exposition.get("node_cpu_seconds_total") ?? []).map((s) => s.labels.cpu));
  const memoryBytes = gauge(exposition, "node_memory_MemTotal_bytes");
  if (cpus.size === 0 && memoryBytes === null) return null;
  return { cpus: cpus.size, memoryBytes: memoryBytes ?? 0 };
}

function byKey(samples: readonly Sample[] | undefined): Map<string, number> {
  const map = new Map<string, number>();
  for (const sample of samples ?? []) map.set(labelKey(sample.labels), sample.value);
  return map;
}

/**
 * Sum of the increases of the samples of `name` kept by `include`, over the series
 * present in both scrapes (a series that just appeared has no increase yet); null when
 * no series is in both.
 */
function summedIncrease(
  previous: Exposition,
  current: Exposition,
  name: string,
  include: (sample: Sample) => boolean,
): number | null {
  const before = byKey(previous.get(name));
  let sum = 0;
  let paired = 0;
  for (const sample of current.get(name) ?? []) {
    if (!include(sample)) continue;
    const old = before.get(labelKey(sample.labels));
    if (old === undefined || !Number.isFinite(old) || !Number.isFinite(sample.value)) continue;
    sum += counterIncrease(old, sample.value);
    paired++;
  }
  return paired === 0 ? null : sum;
}

/** CPU busy % over all cores and of the busiest core. */
function cpuBusy(previous: Exposition, current: Exposition): { all: number | null; busiest: number | null } {
  const before = byKey(previous.get("node_cpu_seconds_total"));
  const perCpu = new Map<string, { total: number; idle: number }>();
  for (const sample of current.get("node_cpu_seconds_total") ?? []) {
    const old = before.get(labelKey(sample.labels));
    if (old === undefined) continue;
    const cpu = sample.labels.cpu ?? "";
    const entry = perCpu.get(cpu) ?? { total: 0, idle: 0 };
    const increase = counterIncrease(old, sample.value);
    entry.total += increase;
    if (IDLE_MODES.has(sample.labels.mode ?? "")) entry.idle += increase;
    perCpu.set(cpu, entry);
  }
  let total = 0;
  let idle = 0;
  let busiest: number | null = null;
  for (const entry of perCpu.values()) {
    if (!(entry.total > 0)) continue;
    total += entry.total;
    idle += entry.idle;
    const busy = (100 * (entry.total - entry.idle)) / entry.total;
    busiest = busiest === null ? busy : Math.max(busiest, busy);
  }
  return { all: total > 0 ? (100 * (total - idle)) / total : null, busiest };
}

function memoryUsed(current: Exposition): number | null {
  const total = gauge(current, "node_memory_MemTotal_bytes");
  const available =
    gauge(current, "node_memory_MemAvailable_bytes") ??
    sumOrNull([
      gauge(current, "node_memory_MemFree_bytes"),
      gauge(current, "node_memory_Buffers_bytes"),
      gauge(current, "node_memory_Cached_bytes"),
    ]);
  if (total === null || available === null || !(total > 0)) return null;
  return (100 * (total - available)) / total;
}

function swapUsed(current: Exposition): number | null {
  const total = gauge(current, "node_memory_SwapTotal_bytes");
  const free = gauge(current, "node_memory_SwapFree_bytes");
  // No swap configured: nothing to show (a flat 0 would suggest there is some).
  if (total === null || free === null || !(total > 0)) return null;
  return (100 * (total - free)) / total;
}

function sumOrNull(values: Array<number | null>): number | null {
  if (values.some((v) => v === null)) return null;
  return (values as number[]).reduce((a, b) => a + b, 0);
}

function perSecond(value: number | null, seconds: number): number | null {
  return value === null || !(seconds > 0) ? null : value / seconds;
}

/** The busiest device's busy time, % of the interval (at most 100). */
function busiestDisk(previous: Exposition, current: Exposition, seconds: number): number | null {
  const before = byKey(previous.get("node_disk_io_time_seconds_total"));
  let busiest: number | null = null;
  for (const sample of current.get("node_disk_io_time_seconds_total") ?? []) {
    const old = before.get(labelKey(sample.labels));
    const rate = old === undefined ? null : counterRate(old, sample.value, seconds);
    if (rate !== null) busiest = Math.max(busiest ?? 0, Math.min(100, rate * 100));
  }
  return busiest;
}

/**
 * The figures of one interval, from the previous scrape to this one. Gauges need only
 * the current scrape; rates are null for the first scrape (no previous one).
 */
export function deriveNodeResources(
  previous: TimedExposition | undefined,
  current: TimedExposition,
): Record<string, number | null> {
  const now = current.exposition;
  const values: Record<string, number | null> = {
    load1: gauge(now, "node_load1"),
    load5: gauge(now, "node_load5"),
    load15: gauge(now, "node_load15"),
    memory: memoryUsed(now),
    swap: swapUsed(now),
    tcp: gauge(now, "node_sockstat_TCP_inuse") ?? gauge(now, "node_netstat_Tcp_CurrEstab"),
    cpu: null,
    cpuMax: null,
    swapIo: null,
    diskRead: null,
    diskWrite: null,
    diskBusy: null,
    netRx: null,
    netTx: null,
  };
  if (previous === undefined) return values;
  const before = previous.exposition;
  const seconds = (current.timeMs - previous.timeMs) / 1000;
  const cpu = cpuBusy(before, now);
  values.cpu = cpu.all;
  values.cpuMax = cpu.busiest;
  const all = () => true;
  const swapIn = summedIncrease(before, now, "node_vmstat_pswpin", all);
  const swapOut = summedIncrease(before, now, "node_vmstat_pswpout", all);
  values.swapIo = perSecond(
    swapIn === null && swapOut === null ? null : (swapIn ?? 0) + (swapOut ?? 0),
    seconds,
  );
  const disk = (s: Sample) => !STACKED_DISK.test(s.labels.device ?? "");
  values.diskRead = perSecond(summedIncrease(before, now, "node_disk_read_bytes_total", disk), seconds);
  values.diskWrite = perSecond(summedIncrease(before, now, "node_disk_written_bytes_total", disk), seconds);
  values.diskBusy = busiestDisk(before, now, seconds);
  const netdev = (s: Sample) => !VIRTUAL_NETDEV.test(s.labels.device ?? "");
  values.netRx = perSecond(summedIncrease(before, now, "node_network_receive_bytes_total", netdev), seconds);
  values.netTx = perSecond(summedIncrease(before, now, "node_network_transmit_bytes_total", netdev), seconds);
  return values;
}
