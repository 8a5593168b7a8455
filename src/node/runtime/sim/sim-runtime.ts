// The simulated container runtime of one node: CRI-shaped sandboxes and containers that live only
// in memory. Nothing runs; a container's behaviour comes from its annotations — it exits with
// `sim.strata.dev/exit-code` (default 0) once `sim.strata.dev/run-ms` has passed since it
// started, and runs until stopped otherwise. States are computed when asked (no timer per
// container); nextTransitionAt() tells the agent when to look again, as an evented PLEG would.
// Sandboxes take pod IPs from the node's podCIDR. adopt*() rebuild the state of pods a previous
// simulator process started, so restarting the simulator leaves running pods running.

import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../../../client/index.ts';
import {
  RuntimeNotFoundError,
  type ContainerConfig,
  type ContainerFilter,
  type ContainerStatus,
  type PodSandboxConfig,
  type PodSandboxStatus,
  type RuntimeService,
} from '../cri.ts';
import { IpPool } from './ip-pool.ts';

export const RUN_MS_ANNOTATION = 'sim.strata.dev/run-ms';
export const EXIT_CODE_ANNOTATION = 'sim.strata.dev/exit-code';
export const RUNTIME_NAME = 'sim';
export const RUNTIME_VERSION = '1';

interface Sandbox {
  status: PodSandboxStatus;
  containers: string[];
}

interface Container {
  status: ContainerStatus;
  /** When a running container exits by itself (Infinity: it runs until stopped). */
  exitAt: number;
  exitCode: number;
}

/** What an adopted container was last seen doing (from the pod's status in the API). */
export interface AdoptedContainer {
  id: string;
  state: 'running' | 'exited';
  startedAt: number;
  finishedAt?: number;
  exitCode?: number;
}

export class SimRuntime implements RuntimeService {
  readonly #clock: Clock;
  readonly #pool: IpPool | undefined;
  readonly #sandboxes = new Map<string, Sandbox>();
  readonly #containers = new Map<string, Container>();

  /** `podCidr` is where pod IPs come from; without it only host-network pods get an address. */
  constructor(clock: Clock, podCidr?: string) {
    this.#clock = clock;
    this.#pool = podCidr ? new IpPool(podCidr) : undefined;
  }

  /** Sandboxes that exist (ready or stopped but not removed). */
  get sandboxCount(): number {
    return this.#sandboxes.size;
  }

  async version(): Promise<{ runtimeName: string; runtimeVersion: string }> {
    return { runtimeName: RUNTIME_NAME, runtimeVersion: RUNTIME_VERSION };
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    let ip = '';
    if (!config.hostNetwork) {
      const allocated = this.#pool?.allocate();
      if (allocated === undefined) throw new Error(`failed to allocate an IP for pod ${config.metadata.namespace}/${config.metadata.name}: ${this.#pool ? `range ${this.#pool.cidr} is full` : 'the node has no podCIDR'}`);
      ip = allocated;
    }
    return this.#addSandbox(config, ip, this.#clock.now());
  }

  async stopPodSandbox(podSandboxId: string): Promise<void> {
    const sandbox = this.#sandbox(podSandboxId);
    for (const id of sandbox.containers) this.#stop(id);
    if (sandbox.status.state === 'SANDBOX_READY' && sandbox.status.network.ip) this.#pool?.release(sandbox.status.network.ip);
    sandbox.status.state = 'SANDBOX_NOTREADY';
  }

  async removePodSandbox(podSandboxId: string): Promise<void> {
    const sandbox = this.#sandboxes.get(podSandboxId);
    if (!sandbox) return;
    if (sandbox.status.state === 'SANDBOX_READY') await this.stopPodSandbox(podSandboxId);
    for (const id of sandbox.containers) this.#containers.delete(id);
    this.#sandboxes.delete(podSandboxId);
  }

  async podSandboxStatus(podSandboxId: string): Promise<PodSandboxStatus> {
    return { ...this.#sandbox(podSandboxId).status };
  }

  async createContainer(podSandboxId: string, config: ContainerConfig, _sandboxConfig: PodSandboxConfig): Promise<string> {
    const sandbox = this.#sandbox(podSandboxId);
    if (sandbox.status.state !== 'SANDBOX_READY') throw new Error(`sandbox ${podSandboxId} is not ready`);
    const id = randomBytes(32).toString('hex');
    const status: ContainerStatus = {
      id,
      podSandboxId,
      metadata: { ...config.metadata },
      state: 'CONTAINER_CREATED',
      createdAt: this.#clock.now(),
      startedAt: 0,
      finishedAt: 0,
      exitCode: 0,
      reason: '',
      image: { image: config.image.image },
      imageRef: imageRef(config.image.image),
      labels: config.labels,
      annotations: config.annotations,
    };
    const exitCode = Number(config.annotations[EXIT_CODE_ANNOTATION] ?? 0);
    this.#containers.set(id, { status, exitAt: Infinity, exitCode: Number.isInteger(exitCode) ? exitCode : 1 });
    sandbox.containers.push(id);
    return id;
  }

  async startContainer(containerId: string): Promise<void> {
    const c = this.#container(containerId);
    if (c.status.state !== 'CONTAINER_CREATED') throw new Error(`container ${containerId} is ${c.status.state}, not created`);
    const now = this.#clock.now();
    c.status.state = 'CONTAINER_RUNNING';
    c.status.startedAt = now;
    c.exitAt = exitTime(c.status.annotations, now);
  }

  async stopContainer(containerId: string, _timeoutSeconds: number): Promise<void> {
    this.#container(containerId);
    this.#stop(containerId);
  }

  async removeContainer(containerId: string): Promise<void> {
    const c = this.#containers.get(containerId);
    if (!c) return;
    this.#stop(containerId);
    this.#containers.delete(containerId);
    const sandbox = this.#sandboxes.get(c.status.podSandboxId);
    if (sandbox) sandbox.containers = sandbox.containers.filter((id) => id !== containerId);
  }

  async containerStatus(containerId: string): Promise<ContainerStatus> {
    return this.#snapshot(this.#container(containerId));
  }

  async listContainers(filter: ContainerFilter = {}): Promise<ContainerStatus[]> {
    const ids = filter.podSandboxId !== undefined ? (this.#sandboxes.get(filter.podSandboxId)?.containers ?? []) : [...this.#containers.keys()];
    const out: ContainerStatus[] = [];
    for (const id of ids) {
      const c = this.#containers.get(id);
      if (!c) continue;
      const s = this.#snapshot(c);
      if (filter.state === undefined || s.state === filter.state) out.push(s);
    }
    return out;
  }

  /** The sandbox's pod IP ('' for host network or an unknown sandbox). */
  sandboxIp(podSandboxId: string): string {
    return this.#sandboxes.get(podSandboxId)?.status.network.ip ?? '';
  }

  /** When the next container of the sandbox exits by itself (undefined: none will). */
  nextTransitionAt(podSandboxId: string): number | undefined {
    let next = Infinity;
    for (const id of this.#sandboxes.get(podSandboxId)?.containers ?? []) {
      const c = this.#containers.get(id);
      if (c?.status.state === 'CONTAINER_RUNNING' && c.exitAt < next) next = c.exitAt;
    }
    return next === Infinity ? undefined : next;
  }

  /** Recreates the sandbox of a pod started by an earlier simulator, keeping its IP and start time. */
  adoptPodSandbox(config: PodSandboxConfig, ip: string, createdAt: number): string {
    if (ip && !config.hostNetwork) this.#pool?.reserve(ip);
    return this.#addSandbox(config, config.hostNetwork ? '' : ip, createdAt);
  }

  /** Recreates a container as it was last reported; a running one keeps its remaining run time. */
  adoptContainer(podSandboxId: string, config: ContainerConfig, seen: AdoptedContainer): string {
    const sandbox = this.#sandbox(podSandboxId);
    const exitCode = Number(config.annotations[EXIT_CODE_ANNOTATION] ?? 0);
    const exited = seen.state === 'exited';
    const id = seen.id || randomBytes(32).toString('hex');
    const status: ContainerStatus = {
      id,
      podSandboxId,
      metadata: { ...config.metadata },
      state: exited ? 'CONTAINER_EXITED' : 'CONTAINER_RUNNING',
      createdAt: seen.startedAt,
      startedAt: seen.startedAt,
      finishedAt: exited ? (seen.finishedAt ?? seen.startedAt) : 0,
      exitCode: exited ? (seen.exitCode ?? 0) : 0,
      reason: exited ? exitReason(seen.exitCode ?? 0) : '',
      image: { image: config.image.image },
      imageRef: imageRef(config.image.image),
      labels: config.labels,
      annotations: config.annotations,
    };
    this.#containers.set(id, { status, exitAt: exitTime(config.annotations, seen.startedAt), exitCode: Number.isInteger(exitCode) ? exitCode : 1 });
    sandbox.containers.push(id);
    return id;
  }

  #addSandbox(config: PodSandboxConfig, ip: string, createdAt: number): string {
    const id = randomBytes(32).toString('hex');
    this.#sandboxes.set(id, { status: { id, metadata: { ...config.metadata }, state: 'SANDBOX_READY', createdAt, network: { ip } }, containers: [] });
    return id;
  }

  #stop(containerId: string): void {
    const c = this.#containers.get(containerId);
    if (!c) return;
    this.#settle(c);
    if (c.status.state === 'CONTAINER_EXITED') return;
    const now = this.#clock.now();
    // A stopped container handles SIGTERM and exits cleanly; one never started just ends.
    c.status.state = 'CONTAINER_EXITED';
    c.status.finishedAt = now;
    if (!c.status.startedAt) c.status.startedAt = now;
    c.status.exitCode = 0;
    c.status.reason = exitReason(0);
  }

  /** Applies a self-exit that is due. */
  #settle(c: Container): void {
    if (c.status.state !== 'CONTAINER_RUNNING' || c.exitAt > this.#clock.now()) return;
    c.status.state = 'CONTAINER_EXITED';
    c.status.finishedAt = c.exitAt;
    c.status.exitCode = c.exitCode;
    c.status.reason = exitReason(c.exitCode);
  }

  #snapshot(c: Container): ContainerStatus {
    this.#settle(c);
    return { ...c.status, metadata: { ...c.status.metadata } };
  }

  #sandbox(id: string): Sandbox {
    const sandbox = this.#sandboxes.get(id);
    if (!sandbox) throw new RuntimeNotFoundError('sandbox', id);
    return sandbox;
  }

  #container(id: string): Container {
    const c = this.#containers.get(id);
    if (!c) throw new RuntimeNotFoundError('container', id);
    return c;
  }
}

/** When a container started at `startedAt` exits by itself: after run-ms, or never. */
function exitTime(annotations: Readonly<Record<string, string>>, startedAt: number): number {
  const raw = annotations[RUN_MS_ANNOTATION];
  const runMs = Number(raw);
  return raw !== undefined && raw !== '' && Number.isFinite(runMs) && runMs >= 0 ? startedAt + runMs : Infinity;
}

/** CRI's reason for an exit: Completed for 0, Error otherwise. */
export const exitReason = (exitCode: number): string => (exitCode === 0 ? 'Completed' : 'Error');

/** A digest reference like a registry's: the repository (docker.io/library/ for short names) @sha256 of the name. */
export function imageRef(image: string): string {
  let repo = image.split('@')[0] ?? image;
  const slash = repo.lastIndexOf('/');
  const colon = repo.lastIndexOf(':');
  if (colon > slash) repo = repo.slice(0, colon);
  const first = repo.split('/')[0] ?? '';
  if (!repo.includes('/')) repo = `docker.io/library/${repo}`;
  else if (!first.includes('.') && !first.includes(':') && first !== 'localhost') repo = `docker.io/${repo}`;
  return `${repo}@sha256:${createHash('sha256').update(image).digest('hex')}`;
}
