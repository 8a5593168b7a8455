// What the machine the agent runs on has and how it is doing: CPUs, memory (/proc/meminfo),
// ephemeral storage (statfs of the data dir), PIDs (/proc/sys/kernel/pid_max and the running
// processes) and identity (/etc/machine-id, /etc/os-release, the kernel release). The parsers
// are pure so they are tested on fixture text; readMachine does the I/O.

import { readdir, readFile, statfs } from 'node:fs/promises';
import { arch, cpus, hostname, release } from 'node:os';

export interface MemoryInfo {
  totalBytes: number;
  availableBytes: number;
}

export interface DiskInfo {
  totalBytes: number;
  availableBytes: number;
}

export interface PidInfo {
  max: number;
  running: number;
}

export interface MachineSnapshot {
  cpus: number;
  memory: MemoryInfo;
  disk: DiskInfo;
  pids: PidInfo;
}

export interface MachineIdentity {
  hostname: string;
  machineID: string;
  bootID: string;
  kernelVersion: string;
  osImage: string;
  operatingSystem: string;
  /** GOARCH spelling (amd64, arm64), as kubernetes.io/arch wants. */
  architecture: string;
}

/** MemTotal and MemAvailable of /proc/meminfo in bytes (MemFree+Buffers+Cached on old kernels). */
export function parseMeminfo(text: string): MemoryInfo {
  const fields = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\w+(?:\(\w+\))?):\s+(\d+)(?:\s+kB)?\s*$/.exec(line);
    if (m) fields.set(m[1] ?? '', Number(m[2]) * (line.trimEnd().endsWith('kB') ? 1024 : 1));
  }
  const total = fields.get('MemTotal');
  if (total === undefined) throw new Error('/proc/meminfo has no MemTotal');
  const available = fields.get('MemAvailable') ?? (fields.get('MemFree') ?? 0) + (fields.get('Buffers') ?? 0) + (fields.get('Cached') ?? 0);
  return { totalBytes: total, availableBytes: available };
}

/** /etc/os-release's PRETTY_NAME (unquoted), or "Linux" when absent. */
export function parseOsRelease(text: string): string {
  for (const line of text.split('\n')) {
    const m = /^PRETTY_NAME=(.*)$/.exec(line.trim());
    if (m) return (m[1] ?? '').replace(/^(["'])(.*)\1$/, '$2').replace(/\\(.)/g, '$1');
  }
  return 'Linux';
}

/** Node's process.arch in Go's GOARCH spelling. */
export function goArch(nodeArch: string): string {
  return ({ x64: 'amd64', ia32: '386', arm: 'arm', arm64: 'arm64', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' } as Record<string, string>)[nodeArch] ?? nodeArch;
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Processes running now: the numeric entries of /proc (threads count against pid_max too, but kubelet counts processes). */
export async function countProcesses(procDir = '/proc'): Promise<number> {
  try {
    return (await readdir(procDir)).filter((name) => /^\d+$/.test(name)).length;
  } catch {
    return 0;
  }
}

export interface MachineReader {
  snapshot(): Promise<MachineSnapshot>;
  identity(): Promise<MachineIdentity>;
}

/** Reads the real machine; `procDir`/`etcDir` let tests point it at fixtures. */
export function machineReader(dataDir: string, roots: { procDir?: string; etcDir?: string } = {}): MachineReader {
  const proc = roots.procDir ?? '/proc';
  const etc = roots.etcDir ?? '/etc';
  return {
    async snapshot() {
      const meminfo = await readText(`${proc}/meminfo`);
      const fs = await statfs(dataDir);
      const pidMax = Number((await readText(`${proc}/sys/kernel/pid_max`))?.trim() ?? '32768');
      return {
        cpus: cpus().length,
        memory: meminfo ? parseMeminfo(meminfo) : { totalBytes: 0, availableBytes: 0 },
        disk: { totalBytes: fs.blocks * fs.bsize, availableBytes: fs.bavail * fs.bsize },
        pids: { max: Number.isFinite(pidMax) && pidMax > 0 ? pidMax : 32768, running: await countProcesses(proc) },
      };
    },
    async identity() {
      return {
        hostname: hostname().toLowerCase(),
        machineID: (await readText(`${etc}/machine-id`))?.trim() ?? '',
        bootID: (await readText(`${proc}/sys/kernel/random/boot_id`))?.trim() ?? '',
        kernelVersion: release(),
        osImage: parseOsRelease((await readText(`${etc}/os-release`)) ?? ''),
        operatingSystem: 'linux',
        architecture: goArch(arch()),
      };
    },
  };
}
