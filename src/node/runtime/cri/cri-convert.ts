// Translation between the agent's runtime contract (src/node/runtime/cri.ts: camelCase,
// milliseconds) and CRI runtime.v1 messages (snake_case, nanoseconds). Pure functions, so the
// mapping is tested without a runtime.

import { join } from 'node:path';
import type {
  ContainerConfig,
  ContainerMemoryStats,
  ContainerState,
  ContainerStats,
  ContainerStatus,
  PodSandboxConfig,
  PodSandboxMetadata,
  PodSandboxStatus,
} from '../cri.ts';
import type { Message } from './cri-client.ts';

/** CRI's NamespaceMode for the sandbox's network. */
export type NetworkNamespaceMode = 'POD' | 'NODE';

/**
 * Which network a sandbox gets. Until Strata has a pod network every sandbox shares the node's
 * (NODE: no CNI call, no pod IP); the pod network work plugs in here with POD for pods that are
 * not hostNetwork.
 */
export type SandboxNetworkPolicy = (config: PodSandboxConfig) => NetworkNamespaceMode;

export const nodeNetworkOnly: SandboxNetworkPolicy = () => 'NODE';

const NS_PER_MS = 1_000_000;

/** Nanoseconds (as protobufjs decodes an int64) to whole milliseconds; 0 stays 0. */
export function nsToMs(ns: unknown): number {
  const n = Number(ns ?? 0);
  return Number.isFinite(n) && n > 0 ? Math.floor(n / NS_PER_MS) : 0;
}

/** Upstream's log directory of a pod: `<root>/<namespace>_<name>_<uid>`. */
export function podLogDirectory(logRoot: string, meta: PodSandboxMetadata): string {
  return join(logRoot, `${meta.namespace}_${meta.name}_${meta.uid}`);
}

/** Upstream's log path of a container, relative to the pod's log directory: `<name>/<attempt>.log`. */
export function containerLogPath(name: string, attempt: number): string {
  return `${name}/${attempt}.log`;
}

export function sandboxConfigMessage(config: PodSandboxConfig, logRoot: string, network: NetworkNamespaceMode): Message {
  return {
    metadata: { name: config.metadata.name, uid: config.metadata.uid, namespace: config.metadata.namespace, attempt: config.metadata.attempt },
    // A NODE network namespace shares the node's UTS namespace too, where runc may not set a
    // hostname: CRI wants it empty then, and the pod sees the node's.
    hostname: network === 'NODE' ? '' : config.hostname,
    log_directory: podLogDirectory(logRoot, config.metadata),
    labels: { ...config.labels },
    annotations: { ...config.annotations },
    linux: {
      security_context: {
        // PID: each container its own (the v1 PodSpec default, shareProcessNamespace false).
        namespace_options: { network, pid: 'CONTAINER', ipc: 'POD' },
      },
    },
  };
}

export function containerConfigMessage(config: ContainerConfig, network: NetworkNamespaceMode): Message {
  const resources = config.linux?.resources;
  return {
    metadata: { name: config.metadata.name, attempt: config.metadata.attempt },
    image: { image: config.image.image },
    command: [...(config.command ?? [])],
    args: [...(config.args ?? [])],
    working_dir: config.workingDir ?? '',
    envs: (config.envs ?? []).map((e) => ({ key: e.key, value: e.value })),
    mounts: (config.mounts ?? []).map((m) => ({
      container_path: m.containerPath,
      host_path: m.hostPath,
      readonly: m.readonly ?? false,
      propagation: m.propagation ?? 'PROPAGATION_PRIVATE',
    })),
    labels: { ...config.labels },
    annotations: { ...config.annotations },
    log_path: containerLogPath(config.metadata.name, config.metadata.attempt),
    stdin: config.stdin ?? false,
    stdin_once: config.stdinOnce ?? false,
    tty: config.tty ?? false,
    linux: {
      resources: {
        cpu_period: resources?.cpuPeriod ?? 0,
        cpu_quota: resources?.cpuQuota ?? 0,
        cpu_shares: resources?.cpuShares ?? 0,
        memory_limit_in_bytes: resources?.memoryLimitInBytes ?? 0,
      },
      // The container joins its sandbox's namespaces, so it names the same modes.
      security_context: { namespace_options: { network, pid: 'CONTAINER', ipc: 'POD' } },
    },
  };
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => Number(v ?? 0) || 0;
const obj = (v: unknown): Message => (v && typeof v === 'object' ? (v as Message) : {});
const strMap = (v: unknown): Record<string, string> => ({ ...(obj(v) as Record<string, string>) });

function sandboxMetadata(m: unknown): PodSandboxMetadata {
  const meta = obj(m);
  return { name: str(meta['name']), namespace: str(meta['namespace']), uid: str(meta['uid']), attempt: num(meta['attempt']) };
}

/** A PodSandboxStatus or a ListPodSandbox item (which has no network). */
export function sandboxStatusFrom(s: Message): PodSandboxStatus {
  return {
    id: str(s['id']),
    metadata: sandboxMetadata(s['metadata']),
    state: str(s['state']) === 'SANDBOX_READY' ? 'SANDBOX_READY' : 'SANDBOX_NOTREADY',
    createdAt: nsToMs(s['created_at']),
    network: { ip: str(obj(s['network'])['ip']) },
  };
}

const STATES: readonly ContainerState[] = ['CONTAINER_CREATED', 'CONTAINER_RUNNING', 'CONTAINER_EXITED', 'CONTAINER_UNKNOWN'];

export function containerStatusFrom(s: Message, podSandboxId: string): ContainerStatus {
  const meta = obj(s['metadata']);
  const state = STATES.find((x) => x === s['state']) ?? 'CONTAINER_UNKNOWN';
  const message = str(s['message']);
  const logPath = str(s['log_path']);
  return {
    id: str(s['id']),
    podSandboxId,
    metadata: { name: str(meta['name']), attempt: num(meta['attempt']) },
    state,
    createdAt: nsToMs(s['created_at']),
    startedAt: nsToMs(s['started_at']),
    finishedAt: nsToMs(s['finished_at']),
    exitCode: num(s['exit_code']),
    reason: str(s['reason']),
    ...(message ? { message } : {}),
    ...(logPath ? { logPath } : {}),
    image: { image: str(obj(s['image'])['image']) },
    imageRef: str(s['image_ref']),
    labels: strMap(s['labels']),
    annotations: strMap(s['annotations']),
  };
}

const u64 = (v: unknown): number | undefined => {
  const inner = obj(v)['value'];
  return inner === undefined ? undefined : num(inner);
};

/** CRI's ContainerStats; cumulative counters only, as the contract wants. */
export function containerStatsFrom(s: Message, podSandboxId: string, now: number): ContainerStats {
  const attrs = obj(s['attributes']);
  const meta = obj(attrs['metadata']);
  const cpu = obj(s['cpu']);
  const mem = obj(s['memory']);
  const cpuNs = u64(cpu['usage_core_nano_seconds']);
  const usage = u64(mem['usage_bytes']);
  const memory: ContainerMemoryStats | undefined = usage === undefined && u64(mem['working_set_bytes']) === undefined ? undefined : {
    usageBytes: usage ?? 0,
    workingSetBytes: u64(mem['working_set_bytes']) ?? 0,
    rssBytes: u64(mem['rss_bytes']) ?? 0,
    pageFaults: u64(mem['page_faults']) ?? 0,
    majorPageFaults: u64(mem['major_page_faults']) ?? 0,
  };
  return {
    id: str(attrs['id']),
    podSandboxId,
    metadata: { name: str(meta['name']), attempt: num(meta['attempt']) },
    timestamp: nsToMs(cpu['timestamp']) || nsToMs(mem['timestamp']) || now,
    ...(cpuNs !== undefined ? { cpu: { usageCoreNanoSeconds: cpuNs } } : {}),
    ...(memory ? { memory } : {}),
  };
}
