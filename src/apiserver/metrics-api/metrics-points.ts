// Turns kubelet Summaries into metrics points as metrics-server does: CPU is the summary's
// usageNanoCores, memory the working set; a pod counts only when every one of its containers has
// both (a partial pod would under-report and mislead the autoscaler).

import type { SummaryWire as Summary } from './summary-wire.ts';

export interface Usage {
  /** Nanocores. */
  cpu: number;
  /** Working set bytes. */
  memory: number;
}

export interface MetricsPoint {
  /** RFC 3339 time the sample was taken. */
  timestamp: string;
  /** The window the CPU rate covers, e.g. "10s". */
  window: string;
  usage: Usage;
}

export interface PodPoint {
  timestamp: string;
  window: string;
  containers: { name: string; usage: Usage }[];
}

/** The kubelet's housekeeping interval, over which usageNanoCores is averaged. */
const SUMMARY_WINDOW = '10s';

export function nodePoint(summary: Summary): MetricsPoint | undefined {
  const { cpu, memory } = summary.node;
  if (cpu?.usageNanoCores === undefined || memory?.workingSetBytes === undefined) return undefined;
  return { timestamp: cpu.time, window: SUMMARY_WINDOW, usage: { cpu: cpu.usageNanoCores, memory: memory.workingSetBytes } };
}

/** Points of the summary's pods, keyed `namespace/name`. */
export function podPoints(summary: Summary): Map<string, PodPoint> {
  const out = new Map<string, PodPoint>();
  for (const pod of summary.pods) {
    if (pod.containers.length === 0) continue;
    const containers: PodPoint['containers'] = [];
    let timestamp = '';
    for (const c of pod.containers) {
      if (c.cpu?.usageNanoCores === undefined || c.memory?.workingSetBytes === undefined) break;
      containers.push({ name: c.name, usage: { cpu: c.cpu.usageNanoCores, memory: c.memory.workingSetBytes } });
      if (c.cpu.time > timestamp) timestamp = c.cpu.time;
    }
    if (containers.length !== pod.containers.length) continue;
    out.set(`${pod.podRef.namespace}/${pod.podRef.name}`, { timestamp, window: SUMMARY_WINDOW, containers });
  }
  return out;
}

/** metrics-server's quantities: CPU in nanocores ("12345n"), memory in Ki when whole ("1024Ki"). */
export function cpuQuantity(nanoCores: number): string {
  return `${Math.max(0, Math.round(nanoCores))}n`;
}

export function memoryQuantity(bytes: number): string {
  const b = Math.max(0, Math.round(bytes));
  if (b === 0) return '0';
  for (const [suffix, size] of [['Gi', 1024 ** 3], ['Mi', 1024 ** 2], ['Ki', 1024]] as const) if (b % size === 0) return `${b / size}${suffix}`;
  return String(b);
}
