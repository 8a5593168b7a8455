// Container usage without cgroups (an agent that is not root): the CPU time and resident memory of
// the container's process group, summed from /proc/<pid>/stat. Coarser than a cgroup — processes
// that left the group are not counted — but enough for `kubectl top` and the autoscaler.

import { readdirSync, readFileSync } from 'node:fs';
import type { ContainerMemoryStats } from '../cri.ts';

/** USER_HZ and the page size of every Linux platform Node runs on. */
const NS_PER_TICK = 10_000_000;
const PAGE_BYTES = 4096;

export interface ProcStat {
  pid: number;
  pgrp: number;
  /** utime + stime in clock ticks. */
  cpuTicks: number;
  rssPages: number;
  minflt: number;
  majflt: number;
}

/** One /proc/<pid>/stat line; the command name (field 2) may hold spaces and parentheses. */
export function parseProcStat(line: string): ProcStat | undefined {
  const close = line.lastIndexOf(')');
  if (close < 0) return undefined;
  const pid = Number(line.slice(0, line.indexOf('(')).trim());
  // Fields after the name, numbered from 3 (state) as in proc(5).
  const f = line.slice(close + 2).trim().split(/\s+/);
  const field = (n: number): number => Number(f[n - 3] ?? 0);
  return { pid, pgrp: field(5), cpuTicks: field(14) + field(15), rssPages: field(24), minflt: field(10), majflt: field(12) };
}

export interface GroupUsage {
  cpuUsageNanoSeconds: number;
  memory: ContainerMemoryStats;
}

/** The summed usage of every process in process group `pgid`, or undefined when none is left. */
export function processGroupUsage(pgid: number, procDir = '/proc'): GroupUsage | undefined {
  let ticks = 0;
  let rss = 0;
  let minflt = 0;
  let majflt = 0;
  let found = false;
  for (const name of readdirSync(procDir)) {
    if (!/^\d+$/.test(name)) continue;
    let s: ProcStat | undefined;
    try {
      s = parseProcStat(readFileSync(`${procDir}/${name}/stat`, 'utf8'));
    } catch {
      continue; // the process ended while we looked
    }
    if (!s || s.pgrp !== pgid) continue;
    found = true;
    ticks += s.cpuTicks;
    rss += s.rssPages * PAGE_BYTES;
    minflt += s.minflt;
    majflt += s.majflt;
  }
  if (!found) return undefined;
  return { cpuUsageNanoSeconds: ticks * NS_PER_TICK, memory: { usageBytes: rss, workingSetBytes: rss, rssBytes: rss, pageFaults: minflt + majflt, majorPageFaults: majflt } };
}
