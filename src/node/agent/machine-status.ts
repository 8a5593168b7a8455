// Turns a machine snapshot into the Node's resources and conditions as the kubelet does:
// capacity is what the machine has; allocatable is capacity less the system reserve and the hard
// eviction thresholds; MemoryPressure, DiskPressure and PIDPressure hold while available memory,
// disk or PIDs are under those thresholds.

import { formatQuantity, parseQuantity, quantityFromMilli, quantityToMilli, quantityValue } from '../../machinery/quantity.ts';
import type { MachineSnapshot } from './machine.ts';

export interface NodeCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastHeartbeatTime: string;
  lastTransitionTime: string;
}

export interface ResourceConfig {
  maxPods: number;
  /** --system-reserved: e.g. { cpu: '100m', memory: '256Mi' }. */
  systemReserved: Readonly<Record<string, string>>;
  /** memory.available hard eviction threshold (kubelet default 100Mi). */
  evictionMemoryBytes: number;
  /** nodefs.available hard eviction threshold as a fraction (kubelet default 10%). */
  evictionDiskFraction: number;
  /** pid.available threshold as a fraction of pid_max. */
  evictionPidFraction: number;
}

export const DEFAULT_RESOURCE_CONFIG: ResourceConfig = Object.freeze({
  maxPods: 110,
  systemReserved: Object.freeze({}),
  evictionMemoryBytes: 100 * 1024 * 1024,
  evictionDiskFraction: 0.1,
  evictionPidFraction: 0.05,
});

/** Parses `cpu=100m,memory=256Mi` (the --system-reserved flag); throws on a bad entry. */
export function parseResourceList(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of raw.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const [name, value] = item.split('=');
    if (!name || value === undefined) throw new Error(`invalid resource "${item}" (want name=quantity)`);
    parseQuantity(value);
    out[name.trim()] = value.trim();
  }
  return out;
}

const ki = (bytes: number): string => `${Math.floor(bytes / 1024)}Ki`;

export function nodeCapacity(machine: MachineSnapshot, config: ResourceConfig): Record<string, string> {
  return {
    cpu: String(machine.cpus),
    'ephemeral-storage': ki(machine.disk.totalBytes),
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: ki(machine.memory.totalBytes),
    pods: String(config.maxPods),
  };
}

/** capacity − system reserve − hard eviction threshold, never below zero. */
export function nodeAllocatable(capacity: Readonly<Record<string, string>>, machine: MachineSnapshot, config: ResourceConfig): Record<string, string> {
  const out: Record<string, string> = { ...capacity };
  const reserved = (name: string): bigint => (config.systemReserved[name] !== undefined ? quantityToMilli(config.systemReserved[name]) : 0n);
  const cpuMilli = quantityToMilli(capacity['cpu'] ?? '0') - reserved('cpu');
  out['cpu'] = formatQuantity(quantityFromMilli(cpuMilli > 0n ? cpuMilli : 0n));
  const bytes = (name: string, eviction: number): void => {
    const capacityBytes = quantityValue(capacity[name] ?? '0');
    const left = capacityBytes - reserved(name) / 1000n - BigInt(Math.floor(eviction));
    out[name] = ki(Number(left > 0n ? left : 0n));
  };
  bytes('memory', config.evictionMemoryBytes);
  bytes('ephemeral-storage', machine.disk.totalBytes * config.evictionDiskFraction);
  return out;
}

type Pressure = { under: boolean };

export interface Pressures {
  memory: Pressure;
  disk: Pressure;
  pid: Pressure;
}

export function pressures(machine: MachineSnapshot, config: ResourceConfig): Pressures {
  return {
    memory: { under: machine.memory.availableBytes < config.evictionMemoryBytes },
    disk: { under: machine.disk.totalBytes > 0 && machine.disk.availableBytes < machine.disk.totalBytes * config.evictionDiskFraction },
    pid: { under: machine.pids.max - machine.pids.running < machine.pids.max * config.evictionPidFraction },
  };
}

type ConditionFacts = Omit<NodeCondition, 'lastHeartbeatTime' | 'lastTransitionTime'>;

function conditionFacts(p: Pressures, ready: { ready: boolean; message?: string }): ConditionFacts[] {
  return [
    p.memory.under
      ? { type: 'MemoryPressure', status: 'True', reason: 'KubeletHasInsufficientMemory', message: 'kubelet has insufficient memory available' }
      : { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
    p.disk.under
      ? { type: 'DiskPressure', status: 'True', reason: 'KubeletHasDiskPressure', message: 'kubelet has disk pressure' }
      : { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
    p.pid.under
      ? { type: 'PIDPressure', status: 'True', reason: 'KubeletHasInsufficientPID', message: 'kubelet has insufficient PID available' }
      : { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
    ready.ready
      ? { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }
      : { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: ready.message ?? 'container runtime is not ready' },
  ];
}

/** Conditions with heartbeat `now`; lastTransitionTime is kept from `previous` while the status holds. */
export function nodeConditions(p: Pressures, ready: { ready: boolean; message?: string }, now: string, previous: readonly NodeCondition[] = []): NodeCondition[] {
  return conditionFacts(p, ready).map((c) => {
    const prev = previous.find((q) => q.type === c.type);
    return { ...c, lastHeartbeatTime: now, lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : now };
  });
}

/** Whether two condition lists differ in anything but heartbeat times. */
export function conditionsChanged(a: readonly NodeCondition[], b: readonly NodeCondition[]): boolean {
  if (a.length !== b.length) return true;
  return a.some((c) => {
    const other = b.find((d) => d.type === c.type);
    return !other || other.status !== c.status || other.reason !== c.reason || other.message !== c.message;
  });
}
