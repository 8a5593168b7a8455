// `strata agent`: a worker machine joins the cluster. It gets its own credential (a node client
// certificate through a CSR, with the join token used once), registers its Node with the
// machine's real capacity and conditions, and keeps its Lease and status fresh. Pods are the pod
// manager's business: startAgent takes a `podManager` hook, which `strata agent` leaves empty
// until the pod worker lands.

import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { RestClient } from '../client/index.ts';
import { ensureCredential, nodeUser, type Credential } from '../node/agent/bootstrap.ts';
import { NodeHeartbeat } from '../node/agent/heartbeat.ts';
import { machineReader } from '../node/agent/machine.ts';
import { DEFAULT_RESOURCE_CONFIG, parseResourceList, type ResourceConfig } from '../node/agent/machine-status.ts';
import { machineAddresses, registerNode, type NodeFacts } from '../node/agent/registration.ts';
import { parseDuration } from './controllers.ts';
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
  stop(): Promise<void>;
}

export type PodManagerFactory = (ctx: PodManagerContext) => PodManager | Promise<PodManager>;

export interface AgentOptions {
  server: string;
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
}

export interface RunningAgent {
  readonly nodeName: string;
  readonly credential: Credential;
  readonly client: RestClient;
  stop(): Promise<void>;
}

/** Joins (or reuses the credential), registers the Node and starts the heartbeats. */
export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const log = options.logger.child({ component: 'agent', node: options.nodeName });
  const ac = new AbortController();
  const credential = await ensureCredential({
    server: options.server,
    nodeName: options.nodeName,
    dataDir: options.dataDir,
    ...(options.token !== undefined ? { token: options.token } : {}),
    ...(options.caCertHash !== undefined ? { caCertHash: options.caCertHash } : {}),
    ...(options.unsafeSkipCaVerification ? { unsafeSkipCaVerification: true } : {}),
    logger: log,
    signal: ac.signal,
  });
  const client = new RestClient({ ...credential.config, userAgent: `strata-agent/${VERSION}` });
  const machine = machineReader(options.dataDir);
  const identity = await machine.identity();
  const addresses = machineAddresses(options.nodeName);
  let pods: PodManager | undefined;
  const facts = async (): Promise<NodeFacts> => ({
    name: options.nodeName,
    identity,
    machine: await machine.snapshot(),
    resources: options.resources ?? DEFAULT_RESOURCE_CONFIG,
    containerRuntimeVersion: `${options.runtime}://${VERSION}`,
    addresses,
    ...(options.labels ? { labels: options.labels } : {}),
    ready: pods?.ready?.() ?? { ready: true },
    now: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
  });
  let node;
  try {
    // The pod manager starts first so that the Node is registered with its real readiness.
    if (options.podManager) {
      pods = await options.podManager({ client, nodeName: options.nodeName, runtime: options.runtime, dataDir: options.dataDir, logger: log, signal: ac.signal });
    }
    node = await registerNode(client, await facts(), ac.signal);
  } catch (err) {
    ac.abort();
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
  return {
    nodeName: options.nodeName,
    credential,
    client,
    async stop() {
      ac.abort();
      await pods?.stop();
      await beating;
      client.close();
    },
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
  logLevel: string;
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
  const agent = await startAgent({
    server: server.origin,
    nodeName,
    dataDir: resolve(flags.dataDir),
    runtime: flags.runtime as RuntimeKind,
    resources: { ...DEFAULT_RESOURCE_CONFIG, maxPods, systemReserved: flags.systemReserved ? parseResourceList(flags.systemReserved) : {} },
    statusReportIntervalMs: parseDuration(flags.nodeStatusUpdateFrequency, '--node-status-update-frequency'),
    logger,
    ...(labels ? { labels } : {}),
    ...(flags.token !== undefined ? { token: flags.token } : {}),
    ...(flags.discoveryTokenCaCertHash !== undefined ? { caCertHash: flags.discoveryTokenCaCertHash } : {}),
    ...(flags.discoveryTokenUnsafeSkipCaVerification ? { unsafeSkipCaVerification: true } : {}),
  });
  process.stdout.write(`node ${nodeName} joined ${server.origin} as ${nodeUser(nodeName)} (kubeconfig: ${agent.credential.kubeconfigPath}${agent.credential.reused ? ', reused' : ''})\n`);
  exitOnSignals(logger, () => agent.stop());
}
