// `strata up`: a whole cluster on this machine in one process — the API server on the embedded
// SQLite store, the controller manager, the scheduler and a node agent for this machine. The
// agent talks to the API in-process with the node's identity, so no join is needed. Ctrl-C stops
// everything, pods included; `strata up` on the same data dir brings the cluster back and its
// pods with it (their containers are restarted by the agent).

import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startControlPlane } from '../apiserver/index.ts';
import type { KubeObject } from '../api/types.ts';
import type { RestClient } from '../client/index.ts';
import { nodeUser } from '../node/agent/bootstrap.ts';
import { SqliteStore } from '../store/index.ts';
import { evictionSettings, leaseTimings, parseContainerLogRotation, parseKubeletPort, podManagerFor, startAgent, type RunningAgent, type RuntimeKind } from './agent.ts';
import { DEFAULT_RESOURCE_CONFIG } from '../node/agent/machine-status.ts';
import { criEndpointAnswers, DEFAULT_CRI_ENDPOINT } from '../node/runtime/cri/index.ts';
import { startControllerManager, type RunningControllerManager } from './controllers.ts';
import { createLogger } from './logger.ts';
import { startScheduler, type RunningScheduler } from './scheduler.ts';
import { exitOnSignals } from './shutdown.ts';
import { VERSION } from './version.ts';

export const UP_RUNTIMES = ['auto', 'process', 'cri'] as const;

export interface UpFlags {
  dataDir: string;
  port: string;
  bind: string;
  runtime: string;
  /** The cri runtime's socket (upstream's --container-runtime-endpoint); `auto` probes it. */
  containerRuntimeEndpoint?: string;
  nodeName?: string;
  logLevel: string;
  /** Node lifecycle timings of the controllers (upstream's kube-controller-manager flags). */
  nodeMonitorPeriod?: string;
  nodeMonitorGracePeriod?: string;
  nodeLeaseDurationSeconds?: string;
  /** HTTPS port of the node agent (10250). */
  kubeletPort?: string;
  /** Hard eviction thresholds of this machine's node (--eviction-hard). */
  evictionHard?: string;
  /** Rotation of container logs (--container-log-max-size, --container-log-max-files). */
  containerLogMaxSize?: string;
  containerLogMaxFiles?: string;
  horizontalPodAutoscalerSyncPeriod?: string;
  horizontalPodAutoscalerDownscaleStabilization?: string;
  horizontalPodAutoscalerTolerance?: string;
  horizontalPodAutoscalerCpuInitializationPeriod?: string;
  horizontalPodAutoscalerInitialReadinessDelay?: string;
}

/** How long `up` waits for a component before reporting it as still starting. */
const READY_WAIT_MS = 20_000;
/**
 * How long the final message waits for controllers and scheduler. After an unclean stop their
 * Leases stay held by the previous run until they expire (15 s): the cluster is usable meanwhile.
 */
const LEADER_WAIT_MS = 3_000;
/** Pods get their grace period on Ctrl-C, but no more than this. */
const STOP_GRACE_SECONDS = 10;

const seconds = (): string => `${(performance.now() / 1000).toFixed(1)} s`;
const say = (line: string): boolean => process.stdout.write(`${line}\n`);

/** The runtime `auto` stands for on this machine: cri when a CRI runtime answers on the endpoint, else process. */
export async function resolveUpRuntime(raw: string, criEndpoint: string = DEFAULT_CRI_ENDPOINT): Promise<RuntimeKind> {
  if (!(UP_RUNTIMES as readonly string[]).includes(raw)) throw new Error(`invalid --runtime "${raw}" (want ${UP_RUNTIMES.join(', ')})`);
  if (raw === 'auto') return (await criEndpointAnswers(criEndpoint)) ? 'cri' : 'process';
  return raw as RuntimeKind;
}

async function within<T>(ms: number, what: Promise<T>): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([what, new Promise<undefined>((r) => (timer = setTimeout(r, ms, undefined)))]);
  } finally {
    clearTimeout(timer);
  }
}

async function poll<T>(ms: number, probe: () => Promise<T | undefined>): Promise<T | undefined> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The Node's Ready condition, once it is True (or the last one seen when the wait ends). */
async function nodeReady(client: RestClient, name: string): Promise<{ status: string; message?: string } | undefined> {
  let last: { status: string; message?: string } | undefined;
  const ready = await poll(READY_WAIT_MS, async () => {
    const node = await client.get<KubeObject>({ group: '', version: 'v1', resource: 'nodes', name });
    const conditions = ((node['status'] as { conditions?: { type: string; status: string; message?: string }[] } | undefined)?.conditions) ?? [];
    last = conditions.find((c) => c.type === 'Ready');
    return last?.status === 'True' ? last : undefined;
  });
  return ready ?? last;
}

export async function runUp(flags: UpFlags): Promise<void> {
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port "${flags.port}"`);
  const criEndpoint = flags.containerRuntimeEndpoint ?? DEFAULT_CRI_ENDPOINT;
  const runtime = await resolveUpRuntime(flags.runtime, criEndpoint);
  // Said before anything starts: a cluster whose node can never run a pod is of no use.
  if (runtime === 'cri' && !(await criEndpointAnswers(criEndpoint))) {
    throw new Error(`--runtime cri: no CRI runtime answers on ${criEndpoint} (is containerd running? see --container-runtime-endpoint)`);
  }
  const dataDir = resolve(flags.dataDir);
  const eviction = await evictionSettings(flags.evictionHard, join(dataDir, 'agent'));
  const logs = parseContainerLogRotation(flags.containerLogMaxSize ?? '10Mi', flags.containerLogMaxFiles ?? '5');
  const nodeName = (flags.nodeName ?? hostname()).toLowerCase();
  const logger = createLogger(flags.logLevel);
  const firstStart = !existsSync(join(dataDir, 'state.db'));

  let controllers: RunningControllerManager | undefined;
  let scheduler: RunningScheduler | undefined;
  let agent: RunningAgent | undefined;
  let closeApi: (() => Promise<void>) | undefined;
  // Stopping tears down in reverse: the node (its pods stop), then controllers and scheduler
  // (their Leases are released), then the API server and its store.
  const stop = async (): Promise<void> => {
    await agent?.stop();
    await Promise.all([controllers?.stop(), scheduler?.stop()]);
    await closeApi?.();
  };
  const signals = exitOnSignals(logger, async () => {
    say('stopping…');
    await stop();
    say('stopped');
  });

  say(`Strata ${VERSION}: ${firstStart ? 'creating a cluster' : 'starting the cluster'} in ${dataDir}`);
  const cp = await startControlPlane({
    dataDir,
    bind: flags.bind,
    port,
    tlsSans: [],
    serviceCidr: '10.43.0.0/16',
    nodePortRange: [30000, 32767],
    maxInflight: 600,
    version: VERSION,
    logger,
    openStore: () => SqliteStore.open({ path: join(dataDir, 'state.db') }),
  });
  closeApi = () => cp.close();
  say(`✔ API server ready at ${cp.url} (${seconds()})`);
  if (signals.stopping) return;

  const nodeMonitor = {
    ...(flags.nodeMonitorPeriod !== undefined ? { nodeMonitorPeriod: flags.nodeMonitorPeriod } : {}),
    ...(flags.nodeMonitorGracePeriod !== undefined ? { nodeMonitorGracePeriod: flags.nodeMonitorGracePeriod } : {}),
    ...Object.fromEntries(Object.entries(flags).filter(([k, v]) => k.startsWith('horizontalPodAutoscaler') && v !== undefined)),
  };
  controllers = startControllerManager(cp.localClient(undefined, 'strata-controller-manager'), logger, nodeMonitor, { caKeyPem: cp.pki.caKeyPem });
  scheduler = await startScheduler(cp.localClient(undefined, 'strata-scheduler'), logger);
  const manager = controllers.manager;
  const controllersUp = poll(60_000, async () => (manager.isLeader && manager.controllers.length > 0 ? manager.controllers.length : undefined)).then((n) =>
    void (n !== undefined && say(`✔ controllers (${n})`)),
  );
  const schedulerUp = scheduler.started.then(() => void say('✔ scheduler'));

  const nodeClient = cp.localClient({ username: nodeUser(nodeName), groups: ['system:nodes', 'system:authenticated'] }, `strata-agent/${VERSION}`);
  agent = await startAgent({
    resources: { ...DEFAULT_RESOURCE_CONFIG, ...eviction.pressure },
    evictionHard: eviction.evictionHard,
    server: cp.url,
    client: nodeClient,
    nodeName,
    dataDir: join(dataDir, 'agent'),
    runtime,
    logger,
    ...leaseTimings(flags.nodeLeaseDurationSeconds),
    kubeletPort: parseKubeletPort(flags.kubeletPort ?? '10250'),
    podManager: podManagerFor({ stopContainersOnStop: { maxGraceSeconds: STOP_GRACE_SECONDS }, logs, criEndpoint }),
  });
  const admin = cp.localClient(undefined, 'strata-up');
  const ready = await nodeReady(admin, nodeName).finally(() => admin.close());
  say(ready?.status === 'True' ? `✔ node ${nodeName} Ready (${seconds()})` : `… node ${nodeName} registered, not Ready yet${ready?.message ? `: ${ready.message}` : ''}`);
  if ((await within(LEADER_WAIT_MS, Promise.all([controllersUp, schedulerUp]))) === undefined) {
    say('… controllers and scheduler start once the Leases a previous run left behind expire (at most 15 s)');
  }
  if (signals.stopping) return;

  say('');
  say(`Strata is up. The admin kubeconfig is ${cp.kubeconfigPath}`);
  say(`  export KUBECONFIG=${cp.kubeconfigPath}`);
  say('  kubectl get nodes');
  say('Ctrl-C stops the cluster and its pods; `strata up` with the same --data-dir brings both back.');
}
