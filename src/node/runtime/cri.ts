// The runtime contract the node agent drives, shaped like CRI's RuntimeService (sandboxes and
// containers, their states and statuses) with times in milliseconds instead of nanoseconds. Every
// runtime implements it: sim (no processes), process (host processes), cri (containerd).

import type { Duplex, Readable, Writable } from 'node:stream';

export interface PodSandboxMetadata {
  name: string;
  namespace: string;
  uid: string;
  attempt: number;
}

export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  hostname: string;
  /** The pod shares the node's network namespace (no pod IP of its own). */
  hostNetwork: boolean;
  labels: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
}

export type PodSandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';

export interface PodSandboxStatus {
  id: string;
  metadata: PodSandboxMetadata;
  state: PodSandboxState;
  createdAt: number;
  /** The pod IP ('' for host-network sandboxes). */
  network: { ip: string };
}

export interface ContainerMetadata {
  name: string;
  /** How many times this container was started before (the restart count). */
  attempt: number;
}

export interface ContainerConfig {
  metadata: ContainerMetadata;
  image: { image: string };
  labels: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
  /** The entrypoint (the pod's `command`); the image's when absent. */
  command?: readonly string[];
  /** Arguments to the entrypoint (the pod's `args`). */
  args?: readonly string[];
  envs?: readonly KeyValue[];
  workingDir?: string;
  /** Keep stdin open for attach. */
  stdin?: boolean;
  /** Close stdin after the first attach ends. */
  stdinOnce?: boolean;
  tty?: boolean;
  /** Where the container's CRI-format log goes; the runtime picks a path when absent. */
  logPath?: string;
  linux?: { resources?: LinuxContainerResources };
  /** Host paths that appear at containerPath inside the container (volumes, termination log). */
  mounts?: readonly Mount[];
}

/** CRI's Mount: a host file or directory bind-mounted into the container. */
export interface Mount {
  containerPath: string;
  hostPath: string;
  readonly?: boolean;
  /** CRI's MountPropagation; private when absent. */
  propagation?: 'PROPAGATION_PRIVATE' | 'PROPAGATION_HOST_TO_CONTAINER' | 'PROPAGATION_BIDIRECTIONAL';
}

export interface KeyValue {
  key: string;
  value: string;
}

/** CRI's LinuxContainerResources (the subset the runtimes here apply); 0 or absent: no limit. */
export interface LinuxContainerResources {
  /** Relative CPU weight, docker/cgroup v1 scale (2..262144, 1024 = one CPU's share). */
  cpuShares?: number;
  /** CFS quota in microseconds per period. */
  cpuQuota?: number;
  /** CFS period in microseconds (default 100000). */
  cpuPeriod?: number;
  memoryLimitInBytes?: number;
}

/** What a command run in a container (an exec probe, kubectl exec) produced. */
export interface ExecSyncResult {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number;
}

export type ContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';

export interface ContainerStatus {
  id: string;
  podSandboxId: string;
  metadata: ContainerMetadata;
  state: ContainerState;
  createdAt: number;
  /** 0 until started. */
  startedAt: number;
  /** 0 until exited. */
  finishedAt: number;
  exitCode: number;
  reason: string;
  /** Details of the reason, e.g. why a container could not start. */
  message?: string;
  /** The CRI-format log file of the container, when it has one. */
  logPath?: string;
  image: { image: string };
  imageRef: string;
  labels: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
}

export interface ContainerFilter {
  podSandboxId?: string;
  state?: ContainerState;
}

export interface RuntimeService {
  version(): Promise<{ runtimeName: string; runtimeVersion: string }>;
  runPodSandbox(config: PodSandboxConfig): Promise<string>;
  stopPodSandbox(podSandboxId: string): Promise<void>;
  removePodSandbox(podSandboxId: string): Promise<void>;
  podSandboxStatus(podSandboxId: string): Promise<PodSandboxStatus>;
  createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string>;
  startContainer(containerId: string): Promise<void>;
  /** Stops with SIGTERM, then SIGKILL after timeoutSeconds. */
  stopContainer(containerId: string, timeoutSeconds: number): Promise<void>;
  removeContainer(containerId: string): Promise<void>;
  containerStatus(containerId: string): Promise<ContainerStatus>;
  listContainers(filter?: ContainerFilter): Promise<ContainerStatus[]>;
  /** CRI's ListPodSandbox. */
  listPodSandbox?(): Promise<PodSandboxStatus[]>;
  /** Runs `cmd` in the running container and waits for it (timeoutMs 0: no limit). */
  execSync?(containerId: string, cmd: readonly string[], timeoutMs: number): Promise<ExecSyncResult>;
  /** Starts a new log file after the agent rotated the old one away. */
  reopenContainerLog?(containerId: string): Promise<void>;
  /** CRI's Exec, streaming: runs `cmd` in the running container wired to the caller (kubectl exec). */
  exec?(containerId: string, cmd: readonly string[], opts: StreamingOptions): Promise<StreamingProcess>;
  /** CRI's Attach: connects to the running container's own stdin and output (kubectl attach). */
  attach?(containerId: string, opts: StreamingOptions): Promise<StreamingProcess>;
  /** CRI's PortForward: a TCP connection to `port` in the sandbox's network (kubectl port-forward). */
  portForward?(podSandboxId: string, port: number): Promise<Duplex>;
  /** CRI's ContainerStats: the container's cumulative CPU and current memory use. */
  containerStats?(containerId: string): Promise<ContainerStats>;
  /** CRI's ListContainerStats: stats of every container that has a cgroup to read. */
  listContainerStats?(): Promise<ContainerStats[]>;
}

/** What a streaming exec or attach asks for. */
export interface StreamingOptions {
  /** The caller sends stdin. */
  stdin: boolean;
  /** Run under a pseudo-terminal (stdout and stderr merged, resizable). */
  tty: boolean;
  /** The client's terminal size (columns, rows) when it sent one before the start: set before the command runs. */
  size?: { width: number; height: number };
}

/** A running exec or attach session, as the runtime hands it to the streaming server. */
export interface StreamingProcess {
  /** Present when stdin was asked for (and, for attach, the container keeps stdin open). */
  stdin?: Writable;
  stdout: Readable;
  /** Absent with a TTY, which merges both streams into stdout. */
  stderr?: Readable;
  /** Sets the terminal size (columns, rows); a no-op without a TTY. */
  resize(width: number, height: number): void;
  /** Exec: the command's exit code once it ended and its output was read. Attach: the container's. */
  exited: Promise<number>;
  /** Ends the session early (the client went away): kills an exec, detaches an attach. */
  close(): void;
}

/** The CRI's NotFound answer. */
export class RuntimeNotFoundError extends Error {
  constructor(what: string, id: string) {
    super(`${what} "${id}" not found`);
    this.name = 'RuntimeNotFoundError';
  }
}

/** createContainer could not get the image (upstream's ErrImagePull): the agent reports that reason. */
export class ImagePullError extends Error {
  readonly reason = 'ErrImagePull';
  readonly image: string;
  constructor(image: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ImagePullError';
    this.image = image;
  }
}

/**
 * CRI's ContainerStats, with cumulative counters only: rates (usageNanoCores) need two samples,
 * which the agent's stats sampler keeps. Times in milliseconds.
 */
export interface ContainerStats {
  id: string;
  podSandboxId: string;
  metadata: ContainerMetadata;
  /** When the counters were read. */
  timestamp: number;
  cpu?: { usageCoreNanoSeconds: number };
  memory?: ContainerMemoryStats;
}

export interface ContainerMemoryStats {
  usageBytes: number;
  /** usage less inactive file cache: what the kubelet and the OOM killer count. */
  workingSetBytes: number;
  rssBytes: number;
  pageFaults: number;
  majorPageFaults: number;
}
