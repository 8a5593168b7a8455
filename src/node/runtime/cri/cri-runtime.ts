// The cri runtime: pods run as containers in a CRI runtime (containerd) reached over its unix
// socket. The agent's RuntimeService calls map one to one onto runtime.v1 calls, as the kubelet's
// remote runtime does; what the agent's contract adds is done here: the image is pulled before
// CreateContainer when the runtime does not have it, container statuses carry their sandbox id,
// and gRPC's NotFound becomes RuntimeNotFoundError. Logs go where the kubelet puts them
// (`<logRoot>/<ns>_<name>_<uid>/<container>/<attempt>.log`, in the CRI log format the runtime
// writes), so the agent's log reader serves them as it serves the process runtime's.

import { mkdir, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import {
  ImagePullError,
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
import { CriCallError, CriClient, type Message } from './cri-client.ts';
import { openStreamSession } from './cri-streaming.ts';
import { CriLogRotator, type LogRotationLimits } from './log-rotation.ts';
import {
  containerConfigMessage,
  containerStatsFrom,
  containerStatusFrom,
  nodeNetworkOnly,
  podLogDirectory,
  sandboxConfigMessage,
  sandboxStatusFrom,
  type SandboxNetworkPolicy,
} from './cri-convert.ts';

export interface CriRuntimeOptions {
  /** `unix:///run/containerd/containerd.sock` (upstream's --container-runtime-endpoint). */
  endpoint: string;
  /** Root of the pods' log directories (the kubelet's /var/log/pods). */
  logRoot: string;
  logger: Logger;
  /** Which network namespace each sandbox gets; the node's for all until there is a pod network. */
  network?: SandboxNetworkPolicy;
  /** How long a PullImage may take (default 5 minutes). */
  pullTimeoutMs?: number;
  /** Rotation of running containers' logs (the kubelet's containerLogMaxSize/MaxFiles); none when absent. */
  logRotation?: LogRotationLimits & { everyMs?: number };
}

/** Extra time a call gets beyond the timeout the runtime itself enforces (stop, exec). */
const CALL_SLACK_MS = 30_000;

export class CriRuntime implements RuntimeService {
  readonly #client: CriClient;
  readonly #logRoot: string;
  readonly #log: Logger;
  readonly #network: SandboxNetworkPolicy;
  readonly #pullTimeoutMs: number;
  /** Container id → sandbox id: ContainerStatus does not carry it, ListContainers does. */
  readonly #sandboxOf = new Map<string, string>();
  readonly #rotator: CriLogRotator | undefined;

  constructor(options: CriRuntimeOptions) {
    this.#client = new CriClient(options.endpoint);
    this.#logRoot = options.logRoot;
    this.#log = options.logger;
    this.#network = options.network ?? nodeNetworkOnly;
    this.#pullTimeoutMs = options.pullTimeoutMs ?? 5 * 60_000;
    if (options.logRotation) {
      this.#rotator = new CriLogRotator(this, options.logRotation, options.logger);
      this.#rotator.start(options.logRotation.everyMs);
    }
  }

  get endpoint(): string {
    return this.#client.endpoint;
  }

  async version(): Promise<{ runtimeName: string; runtimeVersion: string }> {
    const res = await this.#call('Version', { version: 'v1' });
    return { runtimeName: String(res['runtime_name'] ?? ''), runtimeVersion: String(res['runtime_version'] ?? '') };
  }

  /** CRI's Status: whether the runtime says it is ready for (host-network) containers. */
  async ready(): Promise<{ ready: boolean; message?: string }> {
    // Short: a runtime that takes longer than this to say it is fine is not.
    const res = await this.#call('Status', { verbose: false }, 3_000);
    const conditions = ((res['status'] as Message | undefined)?.['conditions'] ?? []) as Message[];
    const runtimeReady = conditions.find((c) => c['type'] === 'RuntimeReady');
    if (runtimeReady?.['status'] === true) return { ready: true };
    return { ready: false, message: `container runtime is not ready: ${String(runtimeReady?.['reason'] ?? 'no RuntimeReady condition')} ${String(runtimeReady?.['message'] ?? '')}`.trim() };
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    // The kubelet makes the pod's log directory; the runtime only makes each container's below it.
    await mkdir(podLogDirectory(this.#logRoot, config.metadata), { recursive: true });
    const res = await this.#call('RunPodSandbox', { config: this.#sandboxMessage(config) });
    return String(res['pod_sandbox_id']);
  }

  async stopPodSandbox(podSandboxId: string): Promise<void> {
    await this.#call('StopPodSandbox', { pod_sandbox_id: podSandboxId }, 2 * CALL_SLACK_MS, ['sandbox', podSandboxId]);
  }

  async removePodSandbox(podSandboxId: string): Promise<void> {
    const gone = await this.podSandboxStatus(podSandboxId).catch(() => undefined);
    // Idempotent, as CRI wants it: a sandbox that is already gone is removed.
    await this.#call('RemovePodSandbox', { pod_sandbox_id: podSandboxId }, 2 * CALL_SLACK_MS, ['sandbox', podSandboxId]).catch(ignoreNotFound);
    for (const [id, sandbox] of this.#sandboxOf) if (sandbox === podSandboxId) this.#sandboxOf.delete(id);
    // The pod's logs go with its last sandbox (a pod that gets a new sandbox keeps them).
    if (gone && !(await this.listPodSandbox()).some((s) => s.metadata.uid === gone.metadata.uid)) {
      await rm(podLogDirectory(this.#logRoot, gone.metadata), { recursive: true, force: true });
    }
  }

  async podSandboxStatus(podSandboxId: string): Promise<PodSandboxStatus> {
    const res = await this.#call('PodSandboxStatus', { pod_sandbox_id: podSandboxId, verbose: false }, undefined, ['sandbox', podSandboxId]);
    return sandboxStatusFrom((res['status'] ?? {}) as Message);
  }

  async listPodSandbox(): Promise<PodSandboxStatus[]> {
    const res = await this.#call('ListPodSandbox', {});
    return ((res['items'] ?? []) as Message[]).map(sandboxStatusFrom);
  }

  async createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    const sandbox = this.#sandboxMessage(sandboxConfig);
    await this.#ensureImage(config.image.image, sandbox);
    const res = await this.#call('CreateContainer', {
      pod_sandbox_id: podSandboxId,
      config: containerConfigMessage(config, this.#network(sandboxConfig)),
      sandbox_config: sandbox,
    });
    const id = String(res['container_id']);
    this.#sandboxOf.set(id, podSandboxId);
    return id;
  }

  async startContainer(containerId: string): Promise<void> {
    await this.#call('StartContainer', { container_id: containerId }, undefined, ['container', containerId]);
  }

  async stopContainer(containerId: string, timeoutSeconds: number): Promise<void> {
    const timeout = Math.max(0, Math.ceil(timeoutSeconds));
    await this.#call('StopContainer', { container_id: containerId, timeout }, timeout * 1000 + CALL_SLACK_MS, ['container', containerId]);
  }

  async removeContainer(containerId: string): Promise<void> {
    await this.#call('RemoveContainer', { container_id: containerId }, 2 * CALL_SLACK_MS, ['container', containerId]).catch(ignoreNotFound);
    this.#sandboxOf.delete(containerId);
  }

  async containerStatus(containerId: string): Promise<ContainerStatus> {
    const [res, sandboxId] = await Promise.all([
      this.#call('ContainerStatus', { container_id: containerId, verbose: false }, undefined, ['container', containerId]),
      this.#sandboxIdOf(containerId),
    ]);
    return containerStatusFrom((res['status'] ?? {}) as Message, sandboxId);
  }

  async listContainers(filter: ContainerFilter = {}): Promise<ContainerStatus[]> {
    const res = await this.#call('ListContainers', {
      filter: {
        ...(filter.podSandboxId ? { pod_sandbox_id: filter.podSandboxId } : {}),
        ...(filter.state ? { state: { state: filter.state } } : {}),
      },
    });
    const items = (res['containers'] ?? []) as Message[];
    const out: ContainerStatus[] = [];
    // ListContainers has no exit codes, reasons or log paths: each container's status has them.
    await Promise.all(items.map(async (c) => {
      const id = String(c['id']);
      const sandboxId = String(c['pod_sandbox_id'] ?? '');
      this.#sandboxOf.set(id, sandboxId);
      try {
        const s = await this.#call('ContainerStatus', { container_id: id, verbose: false }, undefined, ['container', id]);
        out.push(containerStatusFrom((s['status'] ?? {}) as Message, sandboxId));
      } catch (err) {
        // Removed between the list and the status: it is simply gone.
        if (!(err instanceof RuntimeNotFoundError)) throw err;
      }
    }));
    return out.sort((a, b) => a.createdAt - b.createdAt);
  }

  async execSync(containerId: string, cmd: readonly string[], timeoutMs: number): Promise<ExecSyncResult> {
    const timeout = timeoutMs > 0 ? Math.max(1, Math.ceil(timeoutMs / 1000)) : 0;
    const res = await this.#call('ExecSync', { container_id: containerId, cmd: [...cmd], timeout }, timeout > 0 ? timeout * 1000 + CALL_SLACK_MS : 0, ['container', containerId]);
    return {
      stdout: Buffer.from((res['stdout'] as Uint8Array | undefined) ?? []),
      stderr: Buffer.from((res['stderr'] as Uint8Array | undefined) ?? []),
      exitCode: Number(res['exit_code'] ?? 0),
    };
  }

  /** CRI Exec: the runtime's streaming server runs the session (kubectl exec). */
  async exec(containerId: string, cmd: readonly string[], opts: StreamingOptions): Promise<StreamingProcess> {
    // containerd 1.6 loses a terminal's output when the session has no stdin: always ask for it
    // with a TTY (nothing is sent on it unless the caller asked for stdin).
    const res = await this.#call('Exec', { container_id: containerId, cmd: [...cmd], tty: opts.tty, stdin: opts.stdin || opts.tty, stdout: true, stderr: !opts.tty }, undefined, ['container', containerId]);
    return openStreamSession(String(res['url']), { stdin: opts.stdin, tty: opts.tty, ...(opts.size ? { size: opts.size } : {}) });
  }

  /** CRI Attach: the container's own stdin and output (kubectl attach); its exit code at the end. */
  async attach(containerId: string, opts: StreamingOptions): Promise<StreamingProcess> {
    const res = await this.#call('Attach', { container_id: containerId, stdin: opts.stdin || opts.tty, tty: opts.tty, stdout: true, stderr: !opts.tty }, undefined, ['container', containerId]);
    return openStreamSession(String(res['url']), {
      stdin: opts.stdin,
      tty: opts.tty,
      ...(opts.size ? { size: opts.size } : {}),
      exitCode: () => this.#exitCodeSoon(containerId),
    });
  }

  /**
   * A sandbox in the node's network namespace listens on the node's own ports: dial loopback, as
   * the process runtime does. A pod-network sandbox would go through CRI PortForward's URL.
   */
  async portForward(podSandboxId: string, port: number): Promise<Duplex> {
    const res = await this.#call('PodSandboxStatus', { pod_sandbox_id: podSandboxId, verbose: false }, undefined, ['sandbox', podSandboxId]);
    if (sandboxNetworkMode((res['status'] ?? {}) as Message) !== 'NODE') {
      throw new Error(`port-forward into sandbox ${podSandboxId}: only sandboxes in the node's network are supported by the cri runtime yet`);
    }
    return new Promise((resolve, reject) => {
      const sock = connect({ host: '127.0.0.1', port });
      sock.once('connect', () => {
        sock.off('error', reject);
        resolve(sock);
      });
      sock.once('error', reject);
    });
  }

  async reopenContainerLog(containerId: string): Promise<void> {
    await this.#call('ReopenContainerLog', { container_id: containerId }, undefined, ['container', containerId]);
  }

  async containerStats(containerId: string): Promise<ContainerStats> {
    const [res, sandboxId] = await Promise.all([
      this.#call('ContainerStats', { container_id: containerId }, undefined, ['container', containerId]),
      this.#sandboxIdOf(containerId),
    ]);
    return containerStatsFrom((res['stats'] ?? {}) as Message, sandboxId, Date.now());
  }

  async listContainerStats(): Promise<ContainerStats[]> {
    const res = await this.#call('ListContainerStats', { filter: {} });
    const stats = (res['stats'] ?? []) as Message[];
    const out: ContainerStats[] = [];
    for (const s of stats) {
      const id = String((s['attributes'] as Message | undefined)?.['id'] ?? '');
      out.push(containerStatsFrom(s, await this.#sandboxIdOf(id).catch(() => ''), Date.now()));
    }
    return out;
  }

  close(): void {
    this.#rotator?.stop();
    this.#client.close();
  }

  /** The container's exit code once the runtime has it (the attach stream may end a moment before); 0 if it keeps running. */
  async #exitCodeSoon(containerId: string): Promise<number> {
    for (let i = 0; i < 30; i++) {
      const s = await this.containerStatus(containerId);
      if (s.state === 'CONTAINER_EXITED') return s.exitCode;
      await new Promise((r) => setTimeout(r, 100));
    }
    return 0;
  }

  #sandboxMessage(config: PodSandboxConfig): Message {
    return sandboxConfigMessage(config, this.#logRoot, this.#network(config));
  }

  async #sandboxIdOf(containerId: string): Promise<string> {
    const known = this.#sandboxOf.get(containerId);
    if (known !== undefined) return known;
    const res = await this.#call('ListContainers', { filter: { id: containerId } });
    const found = ((res['containers'] ?? []) as Message[])[0];
    if (!found) throw new RuntimeNotFoundError('container', containerId);
    const sandboxId = String(found['pod_sandbox_id'] ?? '');
    this.#sandboxOf.set(containerId, sandboxId);
    return sandboxId;
  }

  /** The kubelet's image manager, policy IfNotPresent: pull only what the runtime lacks. */
  async #ensureImage(image: string, sandbox: Message): Promise<void> {
    const status = await this.#client.image('ImageStatus', { image: { image } });
    if (status['image']) return;
    this.#log.info({ image }, 'pulling image');
    try {
      await this.#client.image('PullImage', { image: { image }, sandbox_config: sandbox }, this.#pullTimeoutMs);
    } catch (err) {
      const detail = err instanceof CriCallError ? (err.cause as { details?: string }).details || err.message : String(err);
      throw new ImagePullError(image, `Failed to pull image "${image}": ${detail}`, { cause: err });
    }
  }

  /** One RuntimeService call; gRPC NotFound on a call about `what` becomes RuntimeNotFoundError. */
  async #call(method: string, request: Message, deadlineMs?: number, what?: [string, string]): Promise<Message> {
    try {
      return await this.#client.runtime(method, request, deadlineMs);
    } catch (err) {
      if (what && isNotFound(err)) throw new RuntimeNotFoundError(what[0], what[1]);
      throw err;
    }
  }
}

function ignoreNotFound(err: unknown): Message {
  if (err instanceof RuntimeNotFoundError) return {};
  throw err;
}

function sandboxNetworkMode(status: Message): string {
  const linux = (status['linux'] ?? {}) as Message;
  const options = (((linux['namespaces'] ?? {}) as Message)['options'] ?? {}) as Message;
  return String(options['network'] ?? 'POD');
}

/** containerd answers NotFound, or Unknown with "not found" in the text for some calls (1.6). */
function isNotFound(err: unknown): boolean {
  if (!(err instanceof CriCallError)) return false;
  return err.code === GrpcStatus.NOT_FOUND || /\bnot found\b/i.test(err.message);
}
