// The machine's own counters, as cadvisor reports them for the root container: cumulative CPU time
// from /proc/stat (every state but idle and iowait), memory from /proc/meminfo (working set = used
// less inactive file pages, available = total less working set, which is what the kubelet's
// memory.available signal is), and the node filesystem from statfs of the agent's data dir.

import { readFile, statfs } from 'node:fs/promises';

/** The kernel's USER_HZ: /proc/stat counts in 1/100 s on every Linux architecture Node runs on. */
const NS_PER_TICK = 10_000_000;

export interface HostCpu {
  usageCoreNanoSeconds: number;
  /** Boot time, ms since the epoch (the node's startTime). */
  bootTime: number;
}

export interface HostMemory {
  totalBytes: number;
  usageBytes: number;
  workingSetBytes: number;
  availableBytes: number;
  rssBytes: number;
}

export interface HostFs {
  capacityBytes: number;
  availableBytes: number;
  usedBytes: number;
  inodes: number;
  inodesFree: number;
}

/** The aggregate `cpu` line and btime of /proc/stat. */
export function parseProcStat(text: string): HostCpu {
  let usage: number | undefined;
  let bootTime = 0;
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] === 'cpu') {
      // user nice system idle iowait irq softirq steal (guest time is already inside user).
      const n = f.slice(1, 9).map((x) => Number(x) || 0);
      const busy = n.reduce((a, b) => a + b, 0) - (n[3] ?? 0) - (n[4] ?? 0);
      usage = busy * NS_PER_TICK;
    } else if (f[0] === 'btime') {
      bootTime = Number(f[1]) * 1000;
    }
  }
  if (usage === undefined) throw new Error('/proc/stat has no aggregate cpu line');
  return { usageCoreNanoSeconds: usage, bootTime };
}

/** /proc/meminfo in bytes, keyed by field name. */
function meminfoFields(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([\w()]+):\s+(\d+)(\s+kB)?/.exec(line);
    if (m) out.set(m[1] ?? '', Number(m[2]) * (m[3] ? 1024 : 1));
  }
  return out;
}

export function parseHostMemory(meminfo: string): HostMemory {
  const f = meminfoFields(meminfo);
  const total = f.get('MemTotal');
  if (total === undefined) throw new Error('/proc/meminfo has no MemTotal');
  const usage = total - (f.get('MemFree') ?? 0);
  const inactiveFile = f.get('Inactive(file)') ?? 0;
  const workingSet = Math.max(0, usage - inactiveFile);
  return { totalBytes: total, usageBytes: usage, workingSetBytes: workingSet, availableBytes: Math.max(0, total - workingSet), rssBytes: f.get('AnonPages') ?? 0 };
}

export interface HostReader {
  cpu(): Promise<HostCpu>;
  memory(): Promise<HostMemory>;
  fs(): Promise<HostFs>;
}

/** Reads the real machine (procDir lets tests use fixtures). */
export function hostReader(dataDir: string, procDir = '/proc'): HostReader {
  return {
    async cpu() {
      return parseProcStat(await readFile(`${procDir}/stat`, 'utf8'));
    },
    async memory() {
      return parseHostMemory(await readFile(`${procDir}/meminfo`, 'utf8'));
    },
    async fs() {
      const s = await statfs(dataDir);
      return {
        capacityBytes: s.blocks * s.bsize,
        availableBytes: s.bavail * s.bsize,
        usedBytes: (s.blocks - s.bfree) * s.bsize,
        inodes: s.files,
        inodesFree: s.ffree,
      };
    },
  };
}
