// The process runtime's records on disk, so a restarted agent finds the sandboxes and containers
// an earlier one made: <stateDir>/sandboxes/<id>.json, and per container <stateDir>/containers/<id>/
// holding container.json (what was asked for, by the runtime), spec.json (what the supervisor
// runs), started.json and exit.json (what happened, written by the supervisor). Every file is
// written whole to a temporary name and renamed, so a reader never sees half a record. Processes
// are identified by pid plus their start time from /proc/<pid>/stat, which a reused pid does not share.

import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerConfig, PodSandboxConfig, PodSandboxStatus } from '../cri.ts';
import type { CriLogWriterOptions } from './cri-log-writer.ts';

export interface SandboxRecord {
  status: PodSandboxStatus;
  config: PodSandboxConfig;
}

export interface ContainerRecord {
  id: string;
  podSandboxId: string;
  config: ContainerConfig;
  createdAt: number;
  logPath: string;
  /** The container runs in its own PID, mount, UTS and IPC namespaces. */
  namespaces: boolean;
  /** cgroup.procs files the container's process joins ([] without cgroups). */
  cgroupProcs: string[];
  /** Host paths the runtime created as mount points (mounts.ts), removed with the container. */
  createdMountPoints?: string[];
}

/** What the supervisor runs. */
export interface SupervisorSpec {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  logPath: string;
  log: Omit<CriLogWriterOptions, 'nowNs'>;
  /** A FIFO that feeds the container's stdin, or '' for /dev/null. */
  stdinFifo: string;
  /** Where to look for OOM kills (undefined without cgroups). */
  cgroup?: { sandboxId: string; containerId: string };
}

export interface StartedRecord {
  pid: number;
  /** starttime from /proc/<pid>/stat (clock ticks since boot). */
  pidStart: number;
  supervisorPid: number;
  supervisorStart: number;
  startedAt: number;
}

export interface ExitRecord {
  exitCode: number;
  /** The signal that ended the process, if one did. */
  signal: string;
  finishedAt: number;
  reason: string;
  message: string;
}

export class StateStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
    mkdirSync(join(dir, 'sandboxes'), { recursive: true });
    mkdirSync(join(dir, 'containers'), { recursive: true });
  }

  containerDir(id: string): string {
    return join(this.dir, 'containers', id);
  }

  saveSandbox(rec: SandboxRecord): void {
    writeJson(join(this.dir, 'sandboxes', `${rec.status.id}.json`), rec);
  }

  removeSandbox(id: string): void {
    rmSync(join(this.dir, 'sandboxes', `${id}.json`), { force: true });
  }

  loadSandboxes(): SandboxRecord[] {
    const out: SandboxRecord[] = [];
    for (const name of readdirSync(join(this.dir, 'sandboxes'))) {
      if (!name.endsWith('.json')) continue;
      const rec = readJson<SandboxRecord>(join(this.dir, 'sandboxes', name));
      if (rec) out.push(rec);
    }
    return out;
  }

  saveContainer(rec: ContainerRecord): void {
    mkdirSync(this.containerDir(rec.id), { recursive: true });
    writeJson(join(this.containerDir(rec.id), 'container.json'), rec);
  }

  removeContainer(id: string): void {
    rmSync(this.containerDir(id), { recursive: true, force: true });
  }

  loadContainers(): ContainerRecord[] {
    const out: ContainerRecord[] = [];
    for (const id of readdirSync(join(this.dir, 'containers'))) {
      const rec = readJson<ContainerRecord>(join(this.containerDir(id), 'container.json'));
      if (rec) out.push(rec);
    }
    return out;
  }

  saveSpec(id: string, spec: SupervisorSpec): void {
    writeJson(join(this.containerDir(id), 'spec.json'), spec);
  }

  started(id: string): StartedRecord | undefined {
    return readJson<StartedRecord>(join(this.containerDir(id), 'started.json'));
  }

  exited(id: string): ExitRecord | undefined {
    return readJson<ExitRecord>(join(this.containerDir(id), 'exit.json'));
  }
}

export function writeJson(path: string, value: unknown): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value));
  renameSync(tmp, path);
}

export function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The start time (field 22 of /proc/<pid>/stat, clock ticks since boot) of a live, non-zombie process. */
export function processStartTime(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses; the fields after its last ')' are plain.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
  const start = Number(fields[19]);
  return Number.isFinite(start) ? start : undefined;
}

/** The process `pid` is alive and is the one that started at `start`. */
export const isSameProcess = (pid: number, start: number): boolean => pid > 0 && processStartTime(pid) === start;
