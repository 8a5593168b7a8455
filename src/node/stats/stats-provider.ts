// The agent's stats provider: reads the machine and the runtime's container cgroups into a
// Summary. A housekeeping loop samples every ~10 s (as cadvisor does) so CPU rates exist when
// someone asks; summary() also samples on demand, so the answer is as fresh as the request.

import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { realClock, sleep, type Clock } from '../../client/index.ts';
import type { ContainerStats as RuntimeContainerStats, ContainerStatus, PodSandboxStatus, RuntimeService } from '../runtime/cri.ts';
import { CpuRates } from './cpu-rate.ts';
import type { HostFs, HostReader } from './host-stats.ts';
import type { ContainerStats, CPUStats, FsStats, MemoryStats, PodStats, Summary, SummarySource } from './summary-types.ts';

export const DEFAULT_HOUSEKEEPING_MS = 10_000;

export interface StatsProviderOptions {
  nodeName: string;
  runtime: RuntimeService;
  host: HostReader;
  clock?: Clock;
  housekeepingMs?: number;
  logger?: Logger;
}

const NODE_KEY = '/';
const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export class StatsProvider implements SummarySource {
  readonly #o: StatsProviderOptions;
  readonly #clock: Clock;
  readonly #rates = new CpuRates();

  constructor(options: StatsProviderOptions) {
    this.#o = options;
    this.#clock = options.clock ?? realClock;
  }

  /** Samples every housekeeping interval until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.summary();
      } catch (err) {
        this.#o.logger?.warn({ err }, 'stats housekeeping failed');
      }
      try {
        await sleep(this.#clock, this.#o.housekeepingMs ?? DEFAULT_HOUSEKEEPING_MS, signal);
      } catch {
        return;
      }
    }
  }

  async summary(): Promise<Summary> {
    const now = this.#clock.now();
    const time = rfc3339(now);
    const [cpu, mem, fs] = await Promise.all([this.#o.host.cpu(), this.#o.host.memory(), this.#o.host.fs()]);
    const nodeRate = this.#rates.observe(NODE_KEY, { usageNs: cpu.usageCoreNanoSeconds, at: now });
    const node = {
      nodeName: this.#o.nodeName,
      startTime: rfc3339(cpu.bootTime),
      cpu: { time, usageCoreNanoSeconds: cpu.usageCoreNanoSeconds, ...(nodeRate !== undefined ? { usageNanoCores: nodeRate } : {}) },
      memory: { time, availableBytes: mem.availableBytes, usageBytes: mem.usageBytes, workingSetBytes: mem.workingSetBytes, rssBytes: mem.rssBytes, pageFaults: 0, majorPageFaults: 0 },
      fs: { time, availableBytes: fs.availableBytes, capacityBytes: fs.capacityBytes, usedBytes: fs.usedBytes, inodes: fs.inodes, inodesFree: fs.inodesFree, inodesUsed: fs.inodes - fs.inodesFree },
    };
    return { node, pods: await this.#pods(fs) };
  }

  async #pods(fs: HostFs): Promise<PodStats[]> {
    const rt = this.#o.runtime;
    if (!rt.listPodSandbox || !rt.listContainerStats) return [];
    const [sandboxes, containers, stats] = await Promise.all([rt.listPodSandbox(), rt.listContainers(), rt.listContainerStats()]);
    const byId = new Map<string, ContainerStatus>(containers.map((c) => [c.id, c]));
    const live = new Set<string>([NODE_KEY]);
    const pods: PodStats[] = [];
    for (const sandbox of newestReadyPerPod(sandboxes)) {
      const mine = stats.filter((s) => s.podSandboxId === sandbox.id);
      const cs = await Promise.all(mine.map(async (s) => {
        live.add(s.id);
        const c = this.#container(s, byId.get(s.id));
        const logs = await logUsage(byId.get(s.id)?.logPath, fs, rfc3339(this.#clock.now()));
        return logs ? { ...c, logs } : c;
      }));
      const time = rfc3339(this.#clock.now());
      // The process runtime has no writable layer of its own: a pod's ephemeral storage is its logs.
      const logsUsed = cs.reduce((sum, c) => sum + (c.logs?.usedBytes ?? 0), 0);
      pods.push({
        podRef: { name: sandbox.metadata.name, namespace: sandbox.metadata.namespace, uid: sandbox.metadata.uid },
        startTime: rfc3339(sandbox.createdAt),
        containers: cs,
        ...podTotals(cs, time),
        'ephemeral-storage': { time, usedBytes: logsUsed, availableBytes: fs.availableBytes, capacityBytes: fs.capacityBytes },
      });
    }
    this.#rates.retain(live);
    return pods;
  }

  #container(s: RuntimeContainerStats, status: ContainerStatus | undefined): ContainerStats {
    const time = rfc3339(s.timestamp);
    const out: ContainerStats = { name: s.metadata.name, startTime: rfc3339(status?.startedAt || status?.createdAt || s.timestamp) };
    if (s.cpu) {
      const rate = this.#rates.observe(s.id, { usageNs: s.cpu.usageCoreNanoSeconds, at: s.timestamp });
      out.cpu = { time, usageCoreNanoSeconds: s.cpu.usageCoreNanoSeconds, ...(rate !== undefined ? { usageNanoCores: rate } : {}) };
    }
    if (s.memory) out.memory = { time, ...s.memory };
    return out;
  }
}

/** Bytes of a container's CRI log and its rotated files (log.1, log.2…) on the node filesystem. */
async function logUsage(logPath: string | undefined, fs: HostFs, time: string): Promise<FsStats | undefined> {
  if (!logPath) return undefined;
  let used = 0;
  try {
    const base = basename(logPath);
    for (const name of await readdir(dirname(logPath))) {
      const rotated = name.startsWith(`${base}.`) && /^\d+$/.test(name.slice(base.length + 1));
      if (name === base || rotated) used += (await stat(join(dirname(logPath), name))).size;
    }
  } catch {
    return undefined;
  }
  return { time, usedBytes: used, availableBytes: fs.availableBytes, capacityBytes: fs.capacityBytes };
}

/** One sandbox per pod uid: the newest ready one (an old sandbox of a restarted pod is history). */
function newestReadyPerPod(sandboxes: readonly PodSandboxStatus[]): PodSandboxStatus[] {
  const best = new Map<string, PodSandboxStatus>();
  for (const s of sandboxes) {
    if (s.state !== 'SANDBOX_READY') continue;
    const prev = best.get(s.metadata.uid);
    if (!prev || s.createdAt > prev.createdAt) best.set(s.metadata.uid, s);
  }
  return [...best.values()];
}

/** A pod's CPU and memory: the sum of its containers' (a rate only when every container has one). */
function podTotals(cs: readonly ContainerStats[], time: string): { cpu?: CPUStats; memory?: MemoryStats } {
  const out: { cpu?: CPUStats; memory?: MemoryStats } = {};
  const withCpu = cs.filter((c) => c.cpu);
  if (withCpu.length > 0) {
    const cpu: CPUStats = { time, usageCoreNanoSeconds: withCpu.reduce((a, c) => a + (c.cpu?.usageCoreNanoSeconds ?? 0), 0) };
    if (withCpu.every((c) => c.cpu?.usageNanoCores !== undefined)) cpu.usageNanoCores = withCpu.reduce((a, c) => a + (c.cpu?.usageNanoCores ?? 0), 0);
    out.cpu = cpu;
  }
  const withMem = cs.filter((c) => c.memory);
  if (withMem.length > 0) {
    const sum = (k: 'usageBytes' | 'workingSetBytes' | 'rssBytes' | 'pageFaults' | 'majorPageFaults'): number => withMem.reduce((a, c) => a + (c.memory?.[k] ?? 0), 0);
    out.memory = { time, usageBytes: sum('usageBytes'), workingSetBytes: sum('workingSetBytes'), rssBytes: sum('rssBytes'), pageFaults: sum('pageFaults'), majorPageFaults: sum('majorPageFaults') };
  }
  return out;
}
