// An in-memory RuntimeService for the pod worker's tests: sandboxes and containers change state
// only when the worker calls it or the test says so (exit(), setState()), every call is logged in
// order, and failures can be injected per method.

import type { Clock } from '../../../client/clock.ts';
import {
  RuntimeNotFoundError, type ContainerConfig, type ContainerFilter, type ContainerStatus, type PodSandboxConfig,
  type ExecSyncResult, type PodSandboxStatus, type RuntimeService,
} from '../../runtime/cri.ts';

export interface FakeExecResult {
  exitCode: number;
  output: string;
}

interface FakeContainer {
  status: ContainerStatus;
  config: ContainerConfig;
}

export class FakeRuntime implements RuntimeService {
  readonly #clock: Clock;
  readonly sandboxes = new Map<string, PodSandboxStatus & { labels: Readonly<Record<string, string>> }>();
  readonly containers = new Map<string, FakeContainer>();
  /** Every call, in order: `method arg…`. */
  readonly calls: string[] = [];
  /** Methods that throw once (or every time with `sticky`) on their next call. */
  readonly failures = new Map<string, { error: Error; sticky: boolean }>();
  /** Answers execSync (exec probes and hooks). */
  execHandler: (containerId: string, cmd: string[]) => FakeExecResult | Promise<FakeExecResult> = () => ({ exitCode: 0, output: '' });
  /** Exit code of a container stopped by stopContainer. */
  stopExitCode = 143;
  #seq = 0;
  #ip = 1;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  #call(method: string, ...args: unknown[]): void {
    this.calls.push([method, ...args.map(String)].join(' '));
    const f = this.failures.get(method);
    if (!f) return;
    if (!f.sticky) this.failures.delete(method);
    throw f.error;
  }

  fail(method: string, error = new Error(`${method} failed`), sticky = false): void {
    this.failures.set(method, { error, sticky });
  }

  async version(): Promise<{ runtimeName: string; runtimeVersion: string }> {
    return { runtimeName: 'fake', runtimeVersion: '0.1.0' };
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    this.#call('runPodSandbox', config.metadata.name, config.metadata.attempt);
    const id = `sb-${++this.#seq}`;
    this.sandboxes.set(id, {
      id, metadata: { ...config.metadata }, state: 'SANDBOX_READY', createdAt: this.#clock.now(),
      network: { ip: config.hostNetwork ? '' : `10.88.0.${this.#ip++}` }, labels: config.labels,
    });
    return id;
  }

  async stopPodSandbox(podSandboxId: string): Promise<void> {
    this.#call('stopPodSandbox', podSandboxId);
    const sb = this.sandboxes.get(podSandboxId);
    if (!sb) return;
    for (const c of this.containers.values()) if (c.status.podSandboxId === podSandboxId && c.status.state === 'CONTAINER_RUNNING') this.exit(c.status.id, 137);
    sb.state = 'SANDBOX_NOTREADY';
  }

  async removePodSandbox(podSandboxId: string): Promise<void> {
    this.#call('removePodSandbox', podSandboxId);
    for (const [id, c] of this.containers) if (c.status.podSandboxId === podSandboxId) this.containers.delete(id);
    this.sandboxes.delete(podSandboxId);
  }

  async podSandboxStatus(podSandboxId: string): Promise<PodSandboxStatus> {
    const sb = this.sandboxes.get(podSandboxId);
    if (!sb) throw new RuntimeNotFoundError('sandbox', podSandboxId);
    return { ...sb };
  }

  /** CRI's ListPodSandbox (the worker finds sandboxes without containers with it). */
  async listPodSandbox(): Promise<PodSandboxStatus[]> {
    return [...this.sandboxes.values()].map((s) => ({ ...s }));
  }

  async createContainer(podSandboxId: string, config: ContainerConfig, _sandboxConfig: PodSandboxConfig): Promise<string> {
    this.#call('createContainer', config.metadata.name, config.metadata.attempt);
    if (!this.sandboxes.has(podSandboxId)) throw new RuntimeNotFoundError('sandbox', podSandboxId);
    const id = `c-${++this.#seq}`;
    this.containers.set(id, {
      config,
      status: {
        id, podSandboxId, metadata: { ...config.metadata }, state: 'CONTAINER_CREATED', createdAt: this.#clock.now() + this.#seq / 1000,
        startedAt: 0, finishedAt: 0, exitCode: 0, reason: '', image: { ...config.image }, imageRef: `sha256:${config.image.image}`,
        labels: config.labels, annotations: config.annotations,
      },
    });
    return id;
  }

  #get(id: string): FakeContainer {
    const c = this.containers.get(id);
    if (!c) throw new RuntimeNotFoundError('container', id);
    return c;
  }

  async startContainer(containerId: string): Promise<void> {
    const c = this.#get(containerId);
    this.#call('startContainer', c.status.metadata.name);
    c.status = { ...c.status, state: 'CONTAINER_RUNNING', startedAt: this.#clock.now() };
  }

  async stopContainer(containerId: string, timeoutSeconds: number): Promise<void> {
    const c = this.#get(containerId);
    this.#call('stopContainer', c.status.metadata.name, timeoutSeconds);
    if (c.status.state === 'CONTAINER_RUNNING') this.exit(containerId, this.stopExitCode);
  }

  async removeContainer(containerId: string): Promise<void> {
    const c = this.#get(containerId);
    this.#call('removeContainer', c.status.metadata.name);
    this.containers.delete(containerId);
  }

  async containerStatus(containerId: string): Promise<ContainerStatus> {
    return { ...this.#get(containerId).status };
  }

  async listContainers(filter: ContainerFilter = {}): Promise<ContainerStatus[]> {
    return [...this.containers.values()]
      .map((c) => ({ ...c.status }))
      .filter((s) => (filter.podSandboxId === undefined || s.podSandboxId === filter.podSandboxId) && (filter.state === undefined || s.state === filter.state));
  }

  async execSync(containerId: string, cmd: readonly string[], _timeoutMs: number): Promise<ExecSyncResult> {
    this.#get(containerId);
    this.calls.push(`execSync ${this.#get(containerId).status.metadata.name} ${cmd.join(' ')}`);
    const r = await this.execHandler(containerId, [...cmd]);
    return { stdout: Buffer.from(r.output), stderr: Buffer.alloc(0), exitCode: r.exitCode };
  }

  /** The test's hand: the container's process exits. */
  exit(containerId: string, exitCode: number, reason = ''): void {
    const c = this.#get(containerId);
    c.status = { ...c.status, state: 'CONTAINER_EXITED', exitCode, reason, finishedAt: this.#clock.now() };
  }

  /** The latest container of this name. */
  latest(name: string): ContainerStatus | undefined {
    return [...this.containers.values()].map((c) => c.status).filter((s) => s.metadata.name === name).sort((a, b) => b.createdAt - a.createdAt)[0];
  }

  configOf(containerId: string): ContainerConfig {
    return this.#get(containerId).config;
  }
}
