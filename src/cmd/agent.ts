// `strata agent`: a worker machine joins the cluster. It gets its own credential (a node client
// certificate through a CSR, with the join token used once), registers its Node with the
// machine's real capacity and conditions, and keeps its Lease and status fresh. Pods are the pod
// manager's business: startAgent takes a `podManager` hook, which `strata agent` fills with the
// pod manager on the --runtime it names. `strata up` runs an agent in the server's own process:
// it hands startAgent an in-process client with the node's identity instead of a join.

import { statfs } from 'node:fs/promises';
import { hostname, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { EventRecorder, realClock, RestClient } from '../client/index.ts';
import { ensureCredential, nodeUser, type Credential } from '../node/agent/bootstrap.ts';
import { NodeHeartbeat } from '../node/agent/heartbeat.ts';
import { machineReader } from '../node/agent/machine.ts';
import { DEFAULT_RESOURCE_CONFIG, parseResourceList, type ResourceConfig } from '../node/agent/machine-status.ts';
import { startPodManager, type PodManagerOptions } from '../node/agent/pod-manager.ts';
import { machineAddresses, registerNode, type NodeFacts } from '../node/agent/registration.ts';
import type { RuntimeService } from '../node/runtime/cri.ts';
import { ProcessRuntime } from '../node/runtime/process/index.ts';
import { CriRuntime, DEFAULT_CRI_ENDPOINT, RuntimeHealth } from '../node/runtime/cri/index.ts';
import { startAgentEndpoint, type AgentEndpointOptions, type AgentServer } from '../node/server/index.ts';
import { SimRuntime } from '../node/runtime/sim/index.ts';
import { DEFAULT_EVICTION_HARD, EvictionManager, observedMachine, parseEvictionHard, pressureConfig, type EvictionCondition, type Threshold } from '../node/eviction/index.ts';
import { hostReader, StatsProvider, statsRoute } from '../node/stats/index.ts';
import { quantityValue, tryParseQuantity } from '../machinery/quantity.ts';
import { parseDuration } from './duration-flag.ts';
import { createLogger } from './logger.ts';
import { exitOnSignals } from './shutdown.ts';
import { VERSION } from './version.ts';

export const RUNTIMES = ['process', 'cri', 'sim'] as const;
export type RuntimeKind = (typeof RUNTIMES)[number];

/** What a pod manager gets: the agent's own client and identity. */
export interface PodManagerContext {
  client: RestClient;
  nodeName: string;
  runtime: RuntimeKind;
  dataDir: string;
  logger: Logger;
  signal: AbortSignal;
}

/** The pod side of the agent (another component): its readiness feeds the Node's Ready condition. */
export interface PodManager {
  /** Whether the runtime is ready for pods; undefined counts as ready. */
  ready?(): { ready: boolean; message?: string };
  /** The runtime the pods run on: the agent's HTTPS endpoint serves their logs, exec and stats from it. */
  runtimeService?: RuntimeService;
  /** The eviction manager's kill of the pod with this uid; false when no worker runs it. */
  evict?(uid: string, message: string, condition: EvictionCondition): boolean;
  stop(): Promise<void>;
}

export type PodManagerFactory = (ctx: PodManagerContext) => PodManager | Promise<PodManager>;

export interface AgentOptions {
  server: string;
  /** An authenticated client with the node's identity (strata up, in-process): no join, no credential; the agent closes it on stop. */
  client?: RestClient;
  token?: string;
  caCertHash?: string;
  unsafeSkipCaVerification?: boolean;
  nodeName: string;
  dataDir: string;
  runtime: RuntimeKind;
  resources?: ResourceConfig;
  labels?: Record<string, string>;
  leaseDurationSeconds?: number;
  renewIntervalMs?: number;
  statusReportIntervalMs?: number;
  logger: Logger;
  podManager?: PodManagerFactory;
  /** Port of the agent's HTTPS endpoint (10250 for `strata agent` and `strata up`; 0: any free one); no endpoint when absent. */
  kubeletPort?: number;
  /** Routes the endpoint serves besides the defaults (src/node/server/default-routes.ts). */
  extraRoutes?: AgentEndpointOptions['extraRoutes'];
  /** Hard eviction thresholds (--eviction-hard); the kubelet's defaults when absent. */
  evictionHard?: readonly Threshold[];
}

export interface RunningAgent {
  readonly nodeName: string;
  /** The node's credential; undefined when the agent was given its client. */
  readonly credential: Credential | undefined;
  readonly client: RestClient;
  /** The port the agent's HTTPS endpoint listens on, when it runs one. */
  readonly kubeletPort: number | undefined;
  stop(): Promise<void>;
}

/** Joins (or reuses the credential), registers the Node and starts the heartbeats. */
export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const log = options.logger.child({ component: 'agent', node: options.nodeName });
  const ac = new AbortController();
  const credential = options.client ? undefined : await ensureCredential({
    server: options.server,
    nodeName: options.nodeName,
    dataDir: options.dataDir,
    ...(options.token !== undefined ? { token: options.token } : {}),
    ...(options.caCertHash !== undefined ? { caCertHash: options.caCertHash } : {}),
    ...(options.unsafeSkipCaVerification ? { unsafeSkipCaVerification: true } : {}),
    logger: log,
    signal: ac.signal,
  });
  const client = options.client ?? new RestClient({ ...credential!.config, userAgent: `strata-agent/${VERSION}` });
  const machine = machineReader(options.dataDir);
  const identity = await machine.identity();
  const addresses = machineAddresses(options.nodeName);
  let pods: PodManager | undefined;
  let endpoint: AgentServer | undefined;
  let stats: StatsProvider | undefined;
  let eviction: EvictionManager | undefined;
  const facts = async (): Promise<NodeFacts> => ({
    name: options.nodeName,
    identity,
    machine: observedMachine(await machine.snapshot(), eviction?.observations()),
    resources: options.resources ?? DEFAULT_RESOURCE_CONFIG,
    containerRuntimeVersion,
    addresses,
    ...(options.labels ? { labels: options.labels } : {}),
    ready: pods?.ready?.() ?? { ready: true },
    ...(options.kubeletPort !== undefined ? { kubeletPort: endpoint?.port ?? 0 } : {}),
    now: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
  });
  // A CRI runtime names itself (containerd://1.6.20), as the kubelet reports it; the built-in ones are Strata's.
  let containerRuntimeVersion = `${options.runtime}://${VERSION}`;
  let node;
  try {
    // The pod manager starts first so that the Node is registered with its real readiness.
    if (options.podManager) {
      pods = await options.podManager({ client, nodeName: options.nodeName, runtime: options.runtime, dataDir: options.dataDir, logger: log, signal: ac.signal });
    }
    if (options.runtime === 'cri' && pods?.runtimeService) {
      const v = await pods.runtimeService.version();
      containerRuntimeVersion = `${v.runtimeName}://${v.runtimeVersion}`;
    }
    if (pods?.runtimeService) stats = new StatsProvider({ nodeName: options.nodeName, runtime: pods.runtimeService, host: hostReader(options.dataDir), logger: log.child({ component: 'stats' }) });
    // The endpoint listens before the Node is registered, so that the Node names its real port.
    // Without it the node still runs pods (only logs, exec and stats are unavailable), so a busy
    // port or a certificate that is not signed is reported rather than fatal, and the Node says port 0.
    if (options.kubeletPort !== undefined && pods?.runtimeService) {
      endpoint = await startAgentEndpoint({
        client,
        nodeName: options.nodeName,
        dataDir: options.dataDir,
        caPem: client.config.caPem ?? '',
        port: options.kubeletPort,
        names: [options.nodeName, ...addresses.map((a) => a.address), '127.0.0.1'],
        runtime: pods.runtimeService,
        logger: log,
        signal: ac.signal,
        // /stats/summary from the same provider the eviction manager reads, so CPU rates are warm.
        extraRoutes: (deps) => [...(stats ? [statsRoute(stats)] : []), ...(typeof options.extraRoutes === 'function' ? options.extraRoutes(deps) : (options.extraRoutes ?? []))],
      }).catch((err: unknown) => {
        log.error({ err, port: options.kubeletPort }, 'the agent HTTPS endpoint could not start: logs, exec and stats of this node are unavailable');
        return undefined;
      });
    }
    node = await registerNode(client, await facts(), ac.signal);
  } catch (err) {
    ac.abort();
    await endpoint?.close();
    await pods?.stop();
    client.close();
    throw err;
  }
  log.info({ uid: node.metadata.uid, user: nodeUser(options.nodeName) }, 'node registered');
  const heartbeat = new NodeHeartbeat({
    client,
    nodeName: options.nodeName,
    facts,
    logger: log,
    ...(options.leaseDurationSeconds !== undefined ? { leaseDurationSeconds: options.leaseDurationSeconds } : {}),
    ...(options.renewIntervalMs !== undefined ? { renewIntervalMs: options.renewIntervalMs } : {}),
    ...(options.statusReportIntervalMs !== undefined ? { statusReportIntervalMs: options.statusReportIntervalMs } : {}),
  });
  heartbeat.registered(node);
  const beating = heartbeat.run(ac.signal);
  const housekeeping = stats?.run(ac.signal);
  // Only pods that are real processes on this machine (process or cri) can relieve its pressure, not simulated ones.
  eviction = stats && options.runtime !== 'sim'
    ? new EvictionManager({
      nodeName: options.nodeName,
      client,
      stats,
      thresholds: options.evictionHard ?? parseEvictionHard(DEFAULT_EVICTION_HARD),
      recorder: new EventRecorder(client, { source: { component: 'kubelet', host: options.nodeName }, reportingController: 'kubelet', reportingInstance: options.nodeName, logger: log }),
      logger: log.child({ component: 'eviction-manager' }),
      ...(pods?.evict ? { evictPod: pods.evict.bind(pods) } : {}),
    })
    : undefined;
  const evicting = eviction?.run(ac.signal);
  return {
    nodeName: options.nodeName,
    credential,
    client,
    kubeletPort: endpoint?.port,
    async stop() {
      ac.abort();
      await endpoint?.close();
      await pods?.stop();
      await beating;
      await housekeeping;
      await evicting;
      client.close();
    },
  };
}

/** The container runtime a --runtime flag names, with its state under the data dir. */
export function createRuntime(kind: RuntimeKind, dataDir: string, hostIP: string, logger: Logger, logs?: ContainerLogRotation, criEndpoint = DEFAULT_CRI_ENDPOINT): RuntimeService {
  switch (kind) {
    case 'process':
      return new ProcessRuntime({
        stateDir: join(dataDir, 'runtime', 'process'),
        hostIp: hostIP,
        logger: logger.child({ component: 'process-runtime' }),
        ...(logs ? { log: logs } : {}),
      });
    case 'sim':
      return new SimRuntime(realClock);
    case 'cri':
      // containerd only writes the logs: rotating them is the node's job, as it is the kubelet's.
      return new CriRuntime({
        endpoint: criEndpoint,
        logRoot: join(dataDir, 'pod-logs'),
        logger: logger.child({ component: 'cri-runtime' }),
        logRotation: logs ?? { maxBytes: 10 * 1024 * 1024, maxFiles: 5 },
      });
  }
}

/** The pod manager for startAgent: pods bound to the node run on the runtime ctx.runtime names. */
export function podManagerFor(extra: Pick<PodManagerOptions, 'stopContainersOnStop'> & { logs?: ContainerLogRotation; criEndpoint?: string } = {}): PodManagerFactory {
  const { logs, criEndpoint, ...managerExtra } = extra;
  return async (ctx) => {
    const hostIP = machineAddresses(ctx.nodeName).find((a) => a.type === 'InternalIP')?.address ?? '127.0.0.1';
    const runtime = createRuntime(ctx.runtime, ctx.dataDir, hostIP, ctx.logger, logs, criEndpoint);
    // Container ids are `<runtime name>://<id>` in pod statuses: `containerd://…` on the cri runtime, as upstream.
    let runtimeName: string = ctx.runtime;
    if (runtime instanceof CriRuntime) {
      // Fail the start clearly rather than register a node whose pods can never run.
      runtimeName = (await runtime.version().catch((err: unknown) => {
        runtime.close();
        throw new Error(`the cri runtime cannot reach ${runtime.endpoint}: ${err instanceof Error ? err.message : String(err)} (is containerd running? see --container-runtime-endpoint)`, { cause: err });
      })).runtimeName;
    }
    const manager = await startPodManager({
      client: ctx.client,
      nodeName: ctx.nodeName,
      runtime,
      runtimeName,
      hostIP,
      logger: ctx.logger,
      // Simulated pods have no processes to give volumes to.
      ...(ctx.runtime !== 'sim' ? { podsDir: join(ctx.dataDir, 'pods') } : {}),
      // Only a runtime that bind-mounts into its own mount namespaces can give containers that file.
      terminationLogs: (runtime instanceof ProcessRuntime && runtime.capabilities().namespaces) || runtime instanceof CriRuntime,
      ...managerExtra,
    });
    const evict = (uid: string, message: string, condition: EvictionCondition): boolean => {
      const worker = manager.workers.get(uid);
      worker?.evict(message, condition);
      return worker !== undefined;
    };
    // A CRI runtime can go away under the agent: the Node's Ready condition follows its health.
    const health = runtime instanceof CriRuntime ? new RuntimeHealth(runtime, ctx.logger.child({ component: 'cri-runtime' })) : undefined;
    health?.start();
    const ready = (): { ready: boolean; message?: string } => {
      const h = health?.current();
      return h && !h.ready ? h : manager.ready();
    };
    const stop = async (): Promise<void> => {
      health?.stop();
      await manager.stop();
      if (runtime instanceof CriRuntime) runtime.close();
    };
    return { ...manager, runtimeService: runtime, evict, ready, stop };
  };
}

export interface AgentFlags {
  server: string;
  token?: string;
  discoveryTokenCaCertHash?: string;
  discoveryTokenUnsafeSkipCaVerification?: boolean;
  nodeName?: string;
  dataDir: string;
  runtime: string;
  maxPods: string;
  systemReserved?: string;
  nodeLabels?: string;
  nodeStatusUpdateFrequency: string;
  kubeletPort: string;
  evictionHard?: string;
  nodeLeaseDurationSeconds?: string;
  containerLogMaxSize: string;
  containerLogMaxFiles: string;
  /** The cri runtime's socket (upstream's --container-runtime-endpoint). */
  containerRuntimeEndpoint?: string;
  logLevel: string;
}

/** How each container's log is rotated (the kubelet's containerLogMaxSize and containerLogMaxFiles). */
export interface ContainerLogRotation {
  maxBytes: number;
  maxFiles: number;
}

/** `--container-log-max-size 10Mi --container-log-max-files 5`: a quantity of bytes and a count of at least 2, as the kubelet wants. */
export function parseContainerLogRotation(maxSize: string, maxFiles: string): ContainerLogRotation {
  const size = tryParseQuantity(maxSize);
  const bytes = size ? Number(quantityValue(size)) : NaN;
  if (!Number.isFinite(bytes) || bytes <= 0) throw new Error(`invalid --container-log-max-size "${maxSize}" (want a positive quantity such as 10Mi)`);
  const files = Number(maxFiles);
  if (!Number.isInteger(files) || files < 2) throw new Error(`invalid --container-log-max-files "${maxFiles}" (want an integer of at least 2)`);
  return { maxBytes: bytes, maxFiles: files };
}

/** Upstream's nodeLeaseDurationSeconds: the Lease is renewed every quarter of it. */
export function leaseTimings(raw: string | undefined): { leaseDurationSeconds: number; renewIntervalMs: number } | undefined {
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds <= 0) throw new Error(`invalid --node-lease-duration-seconds "${raw}" (want a positive whole number)`);
  return { leaseDurationSeconds: seconds, renewIntervalMs: seconds * 250 };
}

/** The --kubelet-port flag: the agent's HTTPS endpoint (0: any free port). */
export function parseKubeletPort(raw: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --kubelet-port "${raw}"`);
  return port;
}

/** The --eviction-hard flag: the thresholds, and the Node's pressure settings they imply. */
export async function evictionSettings(raw: string | undefined, dataDir: string): Promise<{ evictionHard: Threshold[]; pressure: Pick<ResourceConfig, 'evictionMemoryBytes' | 'evictionDiskFraction'> }> {
  const evictionHard = parseEvictionHard(raw ?? DEFAULT_EVICTION_HARD);
  return { evictionHard, pressure: pressureConfig(evictionHard, totalmem(), await diskTotal(dataDir), DEFAULT_RESOURCE_CONFIG) };
}

/** Size of the filesystem that holds `dir` (or would: its nearest existing parent), for --eviction-hard nodefs quantities. */
async function diskTotal(dir: string): Promise<number> {
  for (let d = dir; ; d = dirname(d)) {
    try {
      const s = await statfs(d);
      return s.blocks * s.bsize;
    } catch {
      if (dirname(d) === d) return 0;
    }
  }
}

/** `k=v,k2=v2` (the --node-labels flag). */
function parseLabelList(raw: string | undefined): Record<string, string> | undefined {
  if (raw === undefined || raw === '') return undefined;
  const out: Record<string, string> = {};
  for (const item of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const at = item.indexOf('=');
    if (at <= 0) throw new Error(`invalid label "${item}" (want key=value)`);
    out[item.slice(0, at)] = item.slice(at + 1);
  }
  return out;
}

export async function runAgent(flags: AgentFlags): Promise<void> {
  if (!(RUNTIMES as readonly string[]).includes(flags.runtime)) throw new Error(`invalid --runtime "${flags.runtime}" (want ${RUNTIMES.join(', ')})`);
  let server: URL;
  try {
    server = new URL(flags.server);
  } catch {
    throw new Error(`invalid --server "${flags.server}" (want https://HOST:PORT)`);
  }
  if (server.protocol !== 'https:') throw new Error(`--server must be an https URL, not ${flags.server}`);
  const maxPods = Number(flags.maxPods);
  if (!Number.isInteger(maxPods) || maxPods < 0) throw new Error(`invalid --max-pods "${flags.maxPods}"`);
  const logger = createLogger(flags.logLevel);
  const nodeName = (flags.nodeName ?? hostname()).toLowerCase();
  const labels = parseLabelList(flags.nodeLabels);
  const { evictionHard, pressure } = await evictionSettings(flags.evictionHard, resolve(flags.dataDir));
  const agent = await startAgent({
    server: server.origin,
    nodeName,
    dataDir: resolve(flags.dataDir),
    runtime: flags.runtime as RuntimeKind,
    resources: {
      ...DEFAULT_RESOURCE_CONFIG,
      maxPods,
      systemReserved: flags.systemReserved ? parseResourceList(flags.systemReserved) : {},
      ...pressure,
    },
    evictionHard,
    statusReportIntervalMs: parseDuration(flags.nodeStatusUpdateFrequency, '--node-status-update-frequency'),
    kubeletPort: parseKubeletPort(flags.kubeletPort),
    ...leaseTimings(flags.nodeLeaseDurationSeconds),
    logger,
    podManager: podManagerFor({ logs: parseContainerLogRotation(flags.containerLogMaxSize, flags.containerLogMaxFiles), ...(flags.containerRuntimeEndpoint ? { criEndpoint: flags.containerRuntimeEndpoint } : {}) }),
    ...(labels ? { labels } : {}),
    ...(flags.token !== undefined ? { token: flags.token } : {}),
    ...(flags.discoveryTokenCaCertHash !== undefined ? { caCertHash: flags.discoveryTokenCaCertHash } : {}),
    ...(flags.discoveryTokenUnsafeSkipCaVerification ? { unsafeSkipCaVerification: true } : {}),
  });
  const credential = agent.credential!;
  process.stdout.write(`node ${nodeName} joined ${server.origin} as ${nodeUser(nodeName)} (kubeconfig: ${credential.kubeconfigPath}${credential.reused ? ', reused' : ''})\n`);
  exitOnSignals(logger, () => agent.stop());
}
