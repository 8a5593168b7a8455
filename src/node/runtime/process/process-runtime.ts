// The `process` runtime: containers are host processes, each in its own process group and, with
// root, its own PID/mount/UTS/IPC namespaces and cgroup (memory limit, CPU quota and weight).
// Each container runs under a detached supervisor (supervisor.ts) that writes its CRI log and
// records its pid, start time and exit in the state dir; this class only reads those records,
// so a new ProcessRuntime on the same state dir re-adopts running containers and still learns
// the exit code of those that ended while no agent was watching.

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import {
  RuntimeNotFoundError,
  type ContainerConfig,
  type ContainerFilter,
  type ContainerStats,
  type ContainerStatus,
  type ExecSyncResult,
  type PodSandboxConfig,
  type PodSandboxStatus,
  type RuntimeService,
  type StreamingOptions,
  type StreamingProcess,
} from '../cri.ts';
import { startAttach } from './attach-stream.ts';
import { ptyArgv, startStreamingExec } from './exec-stream.ts';
import { dialHostPort } from './port-forward.ts';
import { detectCgroups, type CgroupDriver } from './cgroups.ts';
import { processGroupUsage } from './proc-stats.ts';
import { containerArgv, containerEnv, wrapArgv } from './container-spec.ts';
import { DEFAULT_LOG_OPTIONS, type CriLogWriterOptions } from './cri-log-writer.ts';
import { runExec } from './exec.ts';
import { createMountPoints, MountError, mountSteps, removeMountPoints, usesMountPoint } from './mounts.ts';
import { firstChild, removeCgroup, run, signalGroup, startSupervisor, waitFor } from './process-control.ts';
import { isSameProcess, StateStore, type ContainerRecord, type SandboxRecord, type StartedRecord } from './state-store.ts';

export const RUNTIME_NAME = 'process';
export const RUNTIME_VERSION = '1';

export interface ProcessRuntimeOptions {
  /** Where records, supervisors' files and (by default) logs live; survives agent restarts. */
  stateDir: string;
  /** Log rotation of each container's CRI log. */
  log?: Partial<Omit<CriLogWriterOptions, 'nowNs'>>;
  /** Entrypoints of images this runtime can run without a command (image name → argv). */
  imageEntrypoints?: Readonly<Record<string, readonly string[]>>;
  /** The IP reported for sandboxes (the process runtime has no pod network yet). */
  hostIp?: string;
  /** false: plain process groups even with root. Default: namespaces when root and unshare exist. */
  isolation?: boolean;
  /** The cgroup driver (tests); default detectCgroups(). null: none. */
  cgroups?: CgroupDriver | null;
  logger?: Logger;
}

/** What isolation this runtime gives containers on this machine, and why not more. */
export interface ProcessRuntimeCapabilities {
  namespaces: boolean;
  cgroups: 'v1' | 'v2' | 'none';
  notes: string[];
}

const UNSHARE_PATHS = ['/usr/bin/unshare', '/bin/unshare'];
const NSENTER_PATHS = ['/usr/bin/nsenter', '/bin/nsenter'];

export class ProcessRuntime implements RuntimeService {
  readonly #store: StateStore;
  readonly #opts: ProcessRuntimeOptions;
  readonly #log: CriLogWriterOptions;
  readonly #cgroups: CgroupDriver | undefined;
  readonly #unshare: string | undefined;
  readonly #nsenter: string | undefined;
  readonly #caps: ProcessRuntimeCapabilities;
  readonly #sandboxes = new Map<string, SandboxRecord>();
  readonly #containers = new Map<string, ContainerRecord>();

  constructor(opts: ProcessRuntimeOptions) {
    this.#opts = opts;
    this.#store = new StateStore(opts.stateDir);
    this.#log = { ...DEFAULT_LOG_OPTIONS, ...opts.log };
    const root = process.getuid?.() === 0;
    const unshare = UNSHARE_PATHS.find((p) => existsSync(p));
    const notes: string[] = [];
    if (!root) notes.push('not root: containers are plain process groups without namespaces or cgroup limits');
    else if (!unshare) notes.push('util-linux unshare not found: containers run without their own namespaces');
    else if (opts.isolation === false) notes.push('isolation disabled: containers are plain process groups');
    this.#unshare = root && opts.isolation !== false ? unshare : undefined;
    this.#nsenter = NSENTER_PATHS.find((p) => existsSync(p));
    this.#cgroups = opts.cgroups === null || opts.isolation === false ? undefined : (opts.cgroups ?? detectCgroups());
    if (root && !this.#cgroups && opts.isolation !== false) notes.push('no writable cgroup v2 (or v1 cpu+memory) hierarchy: resource limits are not enforced');
    this.#caps = { namespaces: this.#unshare !== undefined, cgroups: this.#cgroups?.version ?? 'none', notes };
    for (const s of this.#store.loadSandboxes()) this.#sandboxes.set(s.status.id, s);
    for (const c of this.#store.loadContainers()) this.#containers.set(c.id, c);
    opts.logger?.info({ ...this.#caps, sandboxes: this.#sandboxes.size, containers: this.#containers.size }, 'process runtime ready');
  }

  capabilities(): ProcessRuntimeCapabilities {
    return { ...this.#caps, notes: [...this.#caps.notes] };
  }

  async version(): Promise<{ runtimeName: string; runtimeVersion: string }> {
    const iso = this.#caps.namespaces ? `namespaces, cgroup ${this.#caps.cgroups}` : 'process groups only';
    return { runtimeName: RUNTIME_NAME, runtimeVersion: `${RUNTIME_VERSION} (${iso})` };
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    const id = randomBytes(32).toString('hex');
    const rec: SandboxRecord = {
      status: { id, metadata: { ...config.metadata }, state: 'SANDBOX_READY', createdAt: Date.now(), network: { ip: this.#opts.hostIp ?? '' } },
      config,
    };
    this.#store.saveSandbox(rec);
    this.#sandboxes.set(id, rec);
    return id;
  }

  async stopPodSandbox(podSandboxId: string): Promise<void> {
    const sandbox = this.#sandbox(podSandboxId);
    await Promise.all(this.#containersOf(podSandboxId).map((c) => this.stopContainer(c.id, 0)));
    sandbox.status.state = 'SANDBOX_NOTREADY';
    this.#store.saveSandbox(sandbox);
  }

  async removePodSandbox(podSandboxId: string): Promise<void> {
    if (!this.#sandboxes.has(podSandboxId)) return;
    await this.stopPodSandbox(podSandboxId);
    for (const c of this.#containersOf(podSandboxId)) await this.removeContainer(c.id);
    this.#cgroups?.removeSandbox(podSandboxId);
    this.#store.removeSandbox(podSandboxId);
    this.#sandboxes.delete(podSandboxId);
  }

  async podSandboxStatus(podSandboxId: string): Promise<PodSandboxStatus> {
    const s = this.#sandbox(podSandboxId).status;
    return { ...s, metadata: { ...s.metadata }, network: { ...s.network } };
  }

  async listPodSandbox(): Promise<PodSandboxStatus[]> {
    return Promise.all([...this.#sandboxes.keys()].map((id) => this.podSandboxStatus(id)));
  }

  async createContainer(podSandboxId: string, config: ContainerConfig, _sandboxConfig: PodSandboxConfig): Promise<string> {
    const sandbox = this.#sandbox(podSandboxId);
    if (sandbox.status.state !== 'SANDBOX_READY') throw new Error(`sandbox ${podSandboxId} is not ready`);
    containerArgv(config, this.#opts.imageEntrypoints ?? {}); // rejects an image it cannot run, now rather than at start
    if (config.mounts?.length) {
      // Without a mount namespace the container would see the host's paths, not its volumes.
      if (!this.#unshare) throw new MountError('the process runtime cannot mount volumes without mount namespaces (it needs root and util-linux unshare)');
      mountSteps(config.mounts);
    }
    const id = randomBytes(32).toString('hex');
    const dir = this.#store.containerDir(id);
    const rec: ContainerRecord = {
      id,
      podSandboxId,
      config,
      createdAt: Date.now(),
      logPath: config.logPath || join(dir, 'container.log'),
      namespaces: this.#unshare !== undefined,
      cgroupProcs: [],
    };
    this.#store.saveContainer(rec);
    this.#containers.set(id, rec);
    return id;
  }

  async startContainer(containerId: string): Promise<void> {
    const c = this.#container(containerId);
    if (this.#store.started(c.id) || this.#store.exited(c.id)) throw new Error(`container ${containerId} was already started`);
    const sandbox = this.#sandbox(c.podSandboxId);
    const hostname = sandbox.config.hostname || sandbox.config.metadata.name;
    const dir = this.#store.containerDir(c.id);
    if (this.#cgroups) {
      try {
        c.cgroupProcs = this.#cgroups.create(c.podSandboxId, c.id, c.config.linux?.resources ?? {});
      } catch (err) {
        throw new Error(`the process runtime could not create the cgroup (${this.#cgroups.version}) of container ${c.id}: ${(err as Error).message}`, { cause: err });
      }
      this.#store.saveContainer(c);
    }
    // As runc does, a missing working directory is created rather than failing the start.
    const mounts = c.namespaces ? mountSteps(c.config.mounts ?? []) : [];
    if (mounts.length > 0) {
      c.createdMountPoints = createMountPoints(mounts);
      this.#store.saveContainer(c);
    }
    // With mounts the mount step enters the working directory (it may be in a volume); the
    // process starts in / and nothing is made on the host for it here.
    const cwd = mounts.length > 0 ? '/' : c.config.workingDir || '/';
    mkdirSync(cwd, { recursive: true });
    // A TTY container runs on a terminal of its own (pty-helper.py), sized through a FIFO by attach.
    const own = containerArgv(c.config, this.#opts.imageEntrypoints ?? {});
    if (c.config.tty && !existsSync(join(dir, 'resize'))) await run('mkfifo', ['-m', '600', join(dir, 'resize')]);
    const argv = wrapArgv(c.config.tty ? ptyArgv(own, { resizeFifo: join(dir, 'resize') }) : own, {
      namespaces: c.namespaces,
      hostname,
      cgroupProcs: c.cgroupProcs,
      mounts,
      workingDir: c.config.workingDir || '/',
      unshare: this.#unshare ?? 'unshare',
      shell: '/bin/sh',
    });
    let stdinFifo = '';
    if (c.config.stdin) {
      stdinFifo = join(dir, 'stdin');
      if (!existsSync(stdinFifo)) await run('mkfifo', ['-m', '600', stdinFifo]);
    }
    mkdirSync(join(c.logPath, '..'), { recursive: true });
    this.#store.saveSpec(c.id, {
      argv,
      // As containerd: a terminal gets TERM=xterm unless the container sets its own.
      env: c.config.tty ? { TERM: 'xterm', ...containerEnv(c.config, hostname) } : containerEnv(c.config, hostname),
      cwd,
      logPath: c.logPath,
      log: { maxBytes: this.#log.maxBytes, maxFiles: this.#log.maxFiles, maxLineBytes: this.#log.maxLineBytes },
      stdinFifo,
      ...(this.#cgroups ? { cgroup: { sandboxId: c.podSandboxId, containerId: c.id } } : {}),
    });
    const answer = await startSupervisor(dir);
    if ('error' in answer) throw new Error(answer.error);
    this.#opts.logger?.debug({ container: c.id, pid: answer.pid }, 'container started');
  }

  async stopContainer(containerId: string, timeoutSeconds: number): Promise<void> {
    const c = this.#container(containerId);
    const started = this.#store.started(c.id);
    if (!started || this.#store.exited(c.id)) return;
    const alive = (): boolean => isSameProcess(started.pid, started.pidStart);
    // As containerd: a timeout of 0 kills at once, without SIGTERM.
    if (alive() && timeoutSeconds > 0) {
      signalGroup(started.pid, 'SIGTERM');
      await waitFor(() => !alive(), timeoutSeconds * 1000);
    }
    if (alive()) signalGroup(started.pid, 'SIGKILL');
    // The supervisor records the exit right after the process ends.
    const supervised = (): boolean => isSameProcess(started.supervisorPid, started.supervisorStart);
    await waitFor(() => this.#store.exited(c.id) !== undefined || !supervised(), 5000);
    if (this.#store.exited(c.id)) this.#releaseMountPoints(c);
  }

  /**
   * Removes the host mount points the container's start created, once it has ended (its mount
   * namespace went with it). Those a container that has not ended still uses pass to it, so the
   * last user removes them.
   */
  #releaseMountPoints(c: ContainerRecord): void {
    if (!c.createdMountPoints?.length) return;
    const others = [...this.#containers.values()].filter((o) => o.id !== c.id && !this.#store.exited(o.id));
    const inUse = new Set(others.flatMap((o) => (o.config.mounts ?? []).map((m) => m.containerPath)));
    const kept = removeMountPoints(c.createdMountPoints, inUse);
    c.createdMountPoints = [];
    if (this.#containers.has(c.id)) this.#store.saveContainer(c);
    for (const p of kept.reverse()) {
      const heir = others.find((o) => (o.config.mounts ?? []).some((m) => usesMountPoint(m.containerPath, p)));
      if (!heir) continue;
      heir.createdMountPoints = [p, ...(heir.createdMountPoints ?? []).filter((q) => q !== p)];
      this.#store.saveContainer(heir);
    }
  }

  async removeContainer(containerId: string): Promise<void> {
    const c = this.#containers.get(containerId);
    if (!c) return;
    await this.stopContainer(containerId, 0);
    if (this.#cgroups && c.cgroupProcs.length > 0) await removeCgroup(this.#cgroups, c.podSandboxId, c.id);
    this.#store.removeContainer(c.id);
    this.#containers.delete(c.id);
    this.#releaseMountPoints(c);
  }

  async containerStatus(containerId: string): Promise<ContainerStatus> {
    return this.#status(this.#container(containerId));
  }

  async listContainers(filter: ContainerFilter = {}): Promise<ContainerStatus[]> {
    const out: ContainerStatus[] = [];
    for (const c of this.#containers.values()) {
      if (filter.podSandboxId !== undefined && c.podSandboxId !== filter.podSandboxId) continue;
      const s = this.#status(c);
      if (filter.state === undefined || s.state === filter.state) out.push(s);
    }
    return out;
  }

  async execSync(containerId: string, cmd: readonly string[], timeoutMs: number): Promise<ExecSyncResult> {
    const c = this.#container(containerId);
    const started = this.#store.started(c.id);
    if (!started || this.#store.exited(c.id) || !isSameProcess(started.pid, started.pidStart)) throw new Error(`container ${containerId} is not running`);
    const sandbox = this.#sandbox(c.podSandboxId);
    const env = containerEnv(c.config, sandbox.config.hostname || sandbox.config.metadata.name);
    const cwd = c.config.workingDir || '/';
    if (!c.namespaces) return runExec(cmd, { env, cwd, timeoutMs });
    // The namespaces belong to the PID-namespace init, unshare's child (the container's PID 1).
    const init = firstChild(started.pid);
    if (init === undefined || !this.#nsenter) throw new Error(`container ${containerId}: cannot find its namespaces (no init process or no nsenter)`);
    return runExec([this.#nsenter, '-t', String(init), '-p', '-m', '-u', '-i', `--wd=${cwd}`, '--', ...cmd], { env, cwd: '/', timeoutMs });
  }

  async exec(containerId: string, cmd: readonly string[], opts: StreamingOptions): Promise<StreamingProcess> {
    if (cmd.length === 0) throw new Error('exec: empty command');
    const { c, started } = this.#running(containerId);
    const sandbox = this.#sandbox(c.podSandboxId);
    const env = containerEnv(c.config, sandbox.config.hostname || sandbox.config.metadata.name);
    const cwd = c.config.workingDir || '/';
    if (!c.namespaces) return startStreamingExec(cmd, { ...opts, env, cwd });
    const init = firstChild(started.pid);
    if (init === undefined || !this.#nsenter) throw new Error(`container ${containerId}: cannot find its namespaces (no init process or no nsenter)`);
    return startStreamingExec([this.#nsenter, '-t', String(init), '-p', '-m', '-u', '-i', `--wd=${cwd}`, '--', ...cmd], { ...opts, env, cwd: '/' });
  }

  async attach(containerId: string, opts: StreamingOptions): Promise<StreamingProcess> {
    const { c, started } = this.#running(containerId);
    const dir = this.#store.containerDir(c.id);
    return startAttach(
      {
        logPath: c.logPath,
        stdinFifo: c.config.stdin ? join(dir, 'stdin') : '',
        resizeFifo: c.config.tty ? join(dir, 'resize') : '',
        supervisorPid: started.supervisorPid,
        exitCode: () => this.#store.exited(c.id)?.exitCode,
        ...(c.config.stdinOnce ? { closeStdin: () => signalProcess(started.supervisorPid, started.supervisorStart, 'SIGUSR2') } : {}),
      },
      opts,
    );
  }

  async portForward(podSandboxId: string, port: number): Promise<Duplex> {
    const sandbox = this.#sandbox(podSandboxId);
    if (sandbox.status.state !== 'SANDBOX_READY') throw new Error(`sandbox ${podSandboxId} is not ready`);
    return dialHostPort(port);
  }

  #running(containerId: string): { c: ContainerRecord; started: StartedRecord } {
    const c = this.#container(containerId);
    const started = this.#store.started(c.id);
    if (!started || this.#store.exited(c.id) || !isSameProcess(started.pid, started.pidStart)) throw new Error(`container ${containerId} is not running`);
    return { c, started };
  }

  async reopenContainerLog(containerId: string): Promise<void> {
    const c = this.#container(containerId);
    const started = this.#store.started(c.id);
    if (!started || !isSameProcess(started.supervisorPid, started.supervisorStart)) throw new Error(`container ${containerId} is not running`);
    process.kill(started.supervisorPid, 'SIGHUP');
  }

  async containerStats(containerId: string): Promise<ContainerStats> {
    return this.#stats(this.#container(containerId));
  }

  async listContainerStats(): Promise<ContainerStats[]> {
    // As CRI: only running containers have stats worth reporting.
    return [...this.#containers.values()].filter((c) => this.#status(c).state === 'CONTAINER_RUNNING').map((c) => this.#stats(c));
  }

  #stats(c: ContainerRecord): ContainerStats {
    // Without a cgroup (not root), the container's process group is what there is to measure.
    const started = this.#store.started(c.id);
    const usage = this.#cgroups && c.cgroupProcs.length > 0 ? this.#cgroups.usage(c.podSandboxId, c.id) : started ? (processGroupUsage(started.pid) ?? {}) : {};
    return {
      id: c.id,
      podSandboxId: c.podSandboxId,
      metadata: { ...c.config.metadata },
      timestamp: Date.now(),
      ...(usage.cpuUsageNanoSeconds !== undefined ? { cpu: { usageCoreNanoSeconds: usage.cpuUsageNanoSeconds } } : {}),
      ...(usage.memory ? { memory: usage.memory } : {}),
    };
  }

  #status(c: ContainerRecord): ContainerStatus {
    const started = this.#store.started(c.id);
    const exited = this.#store.exited(c.id);
    const base: ContainerStatus = {
      id: c.id,
      podSandboxId: c.podSandboxId,
      metadata: { ...c.config.metadata },
      state: 'CONTAINER_CREATED',
      createdAt: c.createdAt,
      startedAt: started?.startedAt ?? 0,
      finishedAt: 0,
      exitCode: 0,
      reason: '',
      image: { image: c.config.image.image },
      // No image store: the reference is the name the container was created with.
      imageRef: c.config.image.image,
      labels: c.config.labels,
      annotations: c.config.annotations,
      logPath: c.logPath,
    };
    if (exited) {
      this.#releaseMountPoints(c);
      return { ...base, state: 'CONTAINER_EXITED', startedAt: base.startedAt || exited.finishedAt, finishedAt: exited.finishedAt, exitCode: exited.exitCode, reason: exited.reason, message: exited.message };
    }
    if (!started) return base;
    if (isSameProcess(started.pid, started.pidStart) || isSameProcess(started.supervisorPid, started.supervisorStart)) return { ...base, state: 'CONTAINER_RUNNING' };
    // Neither the process nor its supervisor is left, and no exit was recorded (e.g. a reboot).
    return {
      ...base,
      state: 'CONTAINER_EXITED',
      finishedAt: started.startedAt,
      exitCode: 255,
      reason: 'Unknown',
      message: 'the process runtime lost the container: its process and supervisor ended without recording an exit',
    };
  }

  #containersOf(podSandboxId: string): ContainerRecord[] {
    return [...this.#containers.values()].filter((c) => c.podSandboxId === podSandboxId);
  }

  #sandbox(id: string): SandboxRecord {
    const s = this.#sandboxes.get(id);
    if (!s) throw new RuntimeNotFoundError('sandbox', id);
    return s;
  }

  #container(id: string): ContainerRecord {
    const c = this.#containers.get(id);
    if (!c) throw new RuntimeNotFoundError('container', id);
    return c;
  }
}

/** Signals a process only if it is still the one recorded (pids are reused). */
function signalProcess(pid: number, start: number, signal: NodeJS.Signals): void {
  if (!isSameProcess(pid, start)) return;
  try {
    process.kill(pid, signal);
  } catch {
    // It ended meanwhile.
  }
}
