// Cgroups for process-runtime containers: one cgroup per container under strata/<sandbox>/, with
// the container's memory limit, CPU quota and CPU weight, and the OOM-kill counter that tells an
// OOMKilled exit from a plain SIGKILL. Unified hierarchy (v2) when the machine has one with the
// cpu and memory controllers; otherwise the cpu and memory hierarchies of cgroup v1, which hybrid
// hosts still mount. detectCgroups() answers undefined when neither is usable (no root, no mount).

import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LinuxContainerResources } from '../cri.ts';
import { readCgroupUsage, type CgroupUsage } from './cgroup-stats.ts';

export const STRATA_SLICE = 'strata';

export interface CgroupDriver {
  readonly version: 'v1' | 'v2';
  /** Creates the container's cgroup(s) with limits; answers the cgroup.procs files its process must join. */
  create(sandboxId: string, containerId: string, resources: LinuxContainerResources): string[];
  /** The kernel's OOM killer ended a process of this container. */
  oomKilled(sandboxId: string, containerId: string): boolean;
  /** Removes the container's cgroup(s); they must hold no process. */
  remove(sandboxId: string, containerId: string): void;
  /** Removes the sandbox's (empty) parent cgroup(s). */
  removeSandbox(sandboxId: string): void;
  /** The container's CPU and memory counters (for the stats summary). */
  usage(sandboxId: string, containerId: string): CgroupUsage;
}

/** The usable cgroup hierarchy under `root`, or undefined. */
export function detectCgroups(root = '/sys/fs/cgroup'): CgroupDriver | undefined {
  return process.getuid?.() === 0 ? probeCgroups(root) : undefined;
}

/** The hierarchy a cgroupfs-shaped tree under `root` offers, whoever asks. */
export function probeCgroups(root: string): CgroupDriver | undefined {
  const controllers = readOr(join(root, 'cgroup.controllers'), '').split(/\s+/);
  if (controllers.includes('memory') && controllers.includes('cpu') && writable(root)) return new CgroupV2(root);
  if (existsSync(join(root, 'memory', 'memory.limit_in_bytes')) && existsSync(join(root, 'cpu', 'cpu.shares')) && writable(join(root, 'memory')) && writable(join(root, 'cpu'))) {
    return new CgroupV1(root);
  }
  return undefined;
}

/** Upstream's conversion of CPU shares (2..262144) to a cgroup v2 cpu.weight (1..10000). */
export const cpuSharesToWeight = (shares: number): number => 1 + Math.floor(((Math.min(Math.max(shares, 2), 262144) - 2) * 9999) / 262142);

class CgroupV2 implements CgroupDriver {
  readonly version = 'v2';
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
  }

  create(sandboxId: string, containerId: string, r: LinuxContainerResources): string[] {
    // Each level must hand the controllers down to the next before a child can use them.
    const levels = [this.#root, join(this.#root, STRATA_SLICE), join(this.#root, STRATA_SLICE, sandboxId)];
    for (const dir of levels) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'cgroup.subtree_control'), '+cpu +memory');
    }
    const dir = this.#dir(sandboxId, containerId);
    mkdirSync(dir, { recursive: true });
    if (r.memoryLimitInBytes) {
      writeFileSync(join(dir, 'memory.max'), String(r.memoryLimitInBytes));
      // Without swap the limit ends in the OOM killer instead of a crawl through swap.
      if (existsSync(join(dir, 'memory.swap.max'))) writeFileSync(join(dir, 'memory.swap.max'), '0');
    }
    if (r.cpuQuota && r.cpuQuota > 0) writeFileSync(join(dir, 'cpu.max'), `${r.cpuQuota} ${r.cpuPeriod || 100000}`);
    if (r.cpuShares) writeFileSync(join(dir, 'cpu.weight'), String(cpuSharesToWeight(r.cpuShares)));
    return [join(dir, 'cgroup.procs')];
  }

  oomKilled(sandboxId: string, containerId: string): boolean {
    return counter(readOr(join(this.#dir(sandboxId, containerId), 'memory.events'), ''), 'oom_kill') > 0;
  }

  remove(sandboxId: string, containerId: string): void {
    rmdirIfExists(this.#dir(sandboxId, containerId));
  }

  removeSandbox(sandboxId: string): void {
    rmdirIfExists(join(this.#root, STRATA_SLICE, sandboxId));
  }

  usage(sandboxId: string, containerId: string): CgroupUsage {
    return readCgroupUsage({ version: 'v2', dir: this.#dir(sandboxId, containerId) });
  }

  #dir(sandboxId: string, containerId: string): string {
    return join(this.#root, STRATA_SLICE, sandboxId, containerId);
  }
}

class CgroupV1 implements CgroupDriver {
  readonly version = 'v1';
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
  }

  create(sandboxId: string, containerId: string, r: LinuxContainerResources): string[] {
    const mem = this.#dir('memory', sandboxId, containerId);
    const cpu = this.#dir('cpu', sandboxId, containerId);
    mkdirSync(mem, { recursive: true });
    mkdirSync(cpu, { recursive: true });
    if (r.memoryLimitInBytes) {
      writeFileSync(join(mem, 'memory.limit_in_bytes'), String(r.memoryLimitInBytes));
      // memsw (memory + swap) must not be below the memory limit, so it is written second.
      if (existsSync(join(mem, 'memory.memsw.limit_in_bytes'))) writeFileSync(join(mem, 'memory.memsw.limit_in_bytes'), String(r.memoryLimitInBytes));
      if (existsSync(join(mem, 'memory.swappiness'))) writeFileSync(join(mem, 'memory.swappiness'), '0');
    }
    if (r.cpuQuota && r.cpuQuota > 0) {
      writeFileSync(join(cpu, 'cpu.cfs_period_us'), String(r.cpuPeriod || 100000));
      writeFileSync(join(cpu, 'cpu.cfs_quota_us'), String(r.cpuQuota));
    }
    if (r.cpuShares) writeFileSync(join(cpu, 'cpu.shares'), String(Math.max(2, r.cpuShares)));
    const procs = [join(mem, 'cgroup.procs'), join(cpu, 'cgroup.procs')];
    // CPU time is accounted by cpuacct; when it is mounted apart from cpu the container joins it too.
    if (this.#cpuacct() === 'cpuacct') {
      const acct = this.#dir('cpuacct', sandboxId, containerId);
      mkdirSync(acct, { recursive: true });
      procs.push(join(acct, 'cgroup.procs'));
    }
    return procs;
  }

  usage(sandboxId: string, containerId: string): CgroupUsage {
    const acct = this.#cpuacct();
    return readCgroupUsage({ version: 'v1', memory: this.#dir('memory', sandboxId, containerId), ...(acct ? { cpuacct: this.#dir(acct, sandboxId, containerId) } : {}) });
  }

  /** The hierarchy that holds cpuacct.usage: co-mounted with cpu, on its own, or none. */
  #cpuacct(): 'cpu' | 'cpuacct' | undefined {
    if (existsSync(join(this.#root, 'cpu', 'cpuacct.usage'))) return 'cpu';
    if (existsSync(join(this.#root, 'cpuacct', 'cpuacct.usage'))) return 'cpuacct';
    return undefined;
  }

  oomKilled(sandboxId: string, containerId: string): boolean {
    return counter(readOr(join(this.#dir('memory', sandboxId, containerId), 'memory.oom_control'), ''), 'oom_kill') > 0;
  }

  remove(sandboxId: string, containerId: string): void {
    rmdirIfExists(this.#dir('memory', sandboxId, containerId));
    rmdirIfExists(this.#dir('cpu', sandboxId, containerId));
    rmdirIfExists(this.#dir('cpuacct', sandboxId, containerId));
  }

  removeSandbox(sandboxId: string): void {
    for (const c of ['memory', 'cpu', 'cpuacct']) rmdirIfExists(join(this.#root, c, STRATA_SLICE, sandboxId));
  }

  #dir(controller: string, sandboxId: string, containerId: string): string {
    return join(this.#root, controller, STRATA_SLICE, sandboxId, containerId);
  }
}

/** A `key value` line's value from a flat-keyed cgroup file (memory.events, memory.oom_control). */
function counter(text: string, key: string): number {
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k === key) return Number(v) || 0;
  }
  return 0;
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function rmdirIfExists(dir: string): void {
  try {
    rmdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
