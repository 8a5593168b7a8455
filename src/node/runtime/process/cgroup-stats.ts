// Reads a container cgroup's CPU and memory counters the way cadvisor does: cumulative CPU time
// (cpuacct.usage on v1, cpu.stat usage_usec on v2), memory usage, and the working set (usage less
// inactive file pages, which the kernel can drop without pressure). The parsers take file text so
// tests run on fixtures; readCgroupUsage does the I/O.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerMemoryStats } from '../cri.ts';

export interface CgroupUsage {
  /** Cumulative CPU time in nanoseconds (undefined when no CPU accounting is available). */
  cpuUsageNanoSeconds?: number;
  memory?: ContainerMemoryStats;
}

/** Where a container's counters live: the v2 directory, or the v1 memory and cpuacct directories. */
export type CgroupDirs = { version: 'v2'; dir: string } | { version: 'v1'; memory: string; cpuacct?: string };

/** The flat `key value` lines of memory.stat / cpu.stat as numbers. */
export function parseFlatKeyed(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^\d+$/.test(v)) out.set(k, Number(v));
  }
  return out;
}

/** cgroup v2: memory.current and memory.stat (anon, inactive_file, pgfault, pgmajfault). */
export function memoryStatsV2(current: string, stat: string): ContainerMemoryStats {
  const usage = Number(current.trim()) || 0;
  const s = parseFlatKeyed(stat);
  return workingSet(usage, s.get('inactive_file') ?? 0, s.get('anon') ?? 0, s.get('pgfault') ?? 0, s.get('pgmajfault') ?? 0);
}

/** cgroup v1: memory.usage_in_bytes and memory.stat (hierarchical total_* keys when present). */
export function memoryStatsV1(usageInBytes: string, stat: string): ContainerMemoryStats {
  const usage = Number(usageInBytes.trim()) || 0;
  const s = parseFlatKeyed(stat);
  const key = (k: string): number => s.get(`total_${k}`) ?? s.get(k) ?? 0;
  return workingSet(usage, key('inactive_file'), key('rss'), key('pgfault'), key('pgmajfault'));
}

/** cgroup v2 cpu.stat usage_usec in nanoseconds. */
export function cpuUsageV2(cpuStat: string): number | undefined {
  const usec = parseFlatKeyed(cpuStat).get('usage_usec');
  return usec === undefined ? undefined : usec * 1000;
}

function workingSet(usage: number, inactiveFile: number, rss: number, pgfault: number, pgmajfault: number): ContainerMemoryStats {
  // As cadvisor: inactive file pages are reclaimable, so they do not count toward the working set.
  const ws = usage > inactiveFile ? usage - inactiveFile : 0;
  return { usageBytes: usage, workingSetBytes: ws, rssBytes: rss, pageFaults: pgfault, majorPageFaults: pgmajfault };
}

export function readCgroupUsage(dirs: CgroupDirs): CgroupUsage {
  const out: CgroupUsage = {};
  if (dirs.version === 'v2') {
    const cpu = readOr(join(dirs.dir, 'cpu.stat'));
    const ns = cpu === undefined ? undefined : cpuUsageV2(cpu);
    if (ns !== undefined) out.cpuUsageNanoSeconds = ns;
    const current = readOr(join(dirs.dir, 'memory.current'));
    if (current !== undefined) out.memory = memoryStatsV2(current, readOr(join(dirs.dir, 'memory.stat')) ?? '');
    return out;
  }
  if (dirs.cpuacct) {
    const usage = readOr(join(dirs.cpuacct, 'cpuacct.usage'));
    if (usage !== undefined && /^\d+$/.test(usage.trim())) out.cpuUsageNanoSeconds = Number(usage.trim());
  }
  const usage = readOr(join(dirs.memory, 'memory.usage_in_bytes'));
  if (usage !== undefined) out.memory = memoryStatsV1(usage, readOr(join(dirs.memory, 'memory.stat')) ?? '');
  return out;
}

function readOr(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
