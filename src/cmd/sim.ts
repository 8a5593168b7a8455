// `strata sim`: N simulated nodes against an API server, through a kubeconfig. SIGUSR1 stops every
// node's heartbeats (an outage), SIGUSR2 brings them back, --fail-after does the first on a timer;
// SIGTERM/SIGINT stop cleanly, removing the nodes first with --delete-on-exit.

import { RestClient } from '../client/index.ts';
import { parseLabels, resolveSimConfig, SimCluster, type SimOptions } from '../node/index.ts';
import { parseDuration } from './controllers.ts';
import { createLogger } from './logger.ts';
import { exitOnSignals } from './shutdown.ts';

export interface SimFlags {
  kubeconfig: string;
  nodes: string;
  prefix: string;
  cpu: string;
  memory: string;
  pods: string;
  ephemeralStorage: string;
  labels?: string;
  zones: string;
  region: string;
  instanceType: string;
  clusterCidr: string;
  nodeCidrMaskSize: string;
  nodeCidr?: string;
  failAfter?: string;
  podRunDuration?: string;
  readyDelay: string;
  nodeStatusUpdateFrequency: string;
  leaseDuration: string;
  qps: string;
  burst: string;
  maxInFlight: string;
  deleteOnExit?: boolean;
  logLevel: string;
}

function integer(raw: string, flag: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n)) throw new Error(`invalid ${flag} "${raw}" (want a whole number)`);
  return n;
}

/** Flags → validated SimCluster options (errors name the flag). */
export function simOptionsFromFlags(flags: SimFlags): SimOptions {
  const leaseMs = parseDuration(flags.leaseDuration, '--lease-duration');
  if (leaseMs < 1000 || leaseMs % 1000 !== 0) throw new Error(`invalid --lease-duration "${flags.leaseDuration}" (want whole seconds)`);
  const qps = Number(flags.qps);
  if (!(qps > 0)) throw new Error(`invalid --qps "${flags.qps}"`);
  return {
    nodes: integer(flags.nodes, '--nodes'),
    prefix: flags.prefix,
    cpu: flags.cpu,
    memory: flags.memory,
    pods: integer(flags.pods, '--pods'),
    ephemeralStorage: flags.ephemeralStorage,
    labels: flags.labels ? parseLabels(flags.labels) : {},
    zones: integer(flags.zones, '--zones'),
    region: flags.region,
    instanceType: flags.instanceType,
    clusterCidr: flags.clusterCidr,
    nodeCidrMaskSize: integer(flags.nodeCidrMaskSize, '--node-cidr-mask-size'),
    ...(flags.nodeCidr ? { nodeCidr: flags.nodeCidr } : {}),
    leaseDurationSeconds: leaseMs / 1000,
    nodeStatusUpdateFrequencyMs: parseDuration(flags.nodeStatusUpdateFrequency, '--node-status-update-frequency'),
    readyDelayMs: parseDuration(flags.readyDelay, '--ready-delay'),
    ...(flags.podRunDuration ? { podRunDurationMs: parseDuration(flags.podRunDuration, '--pod-run-duration') } : {}),
    qps,
    burst: integer(flags.burst, '--burst'),
    maxInFlight: integer(flags.maxInFlight, '--max-in-flight'),
  };
}

export async function runSim(flags: SimFlags): Promise<void> {
  const options = simOptionsFromFlags(flags);
  resolveSimConfig(options); // bad values fail here, before any connection is made
  const failAfterMs = flags.failAfter ? parseDuration(flags.failAfter, '--fail-after') : undefined;
  const logger = createLogger(flags.logLevel);
  const client = await RestClient.fromKubeconfig(flags.kubeconfig, { userAgent: 'strata-sim' });
  const sim = new SimCluster(options, { client, logger });

  const shutdown = exitOnSignals(logger, async () => {
    await sim.stop({ deleteNodes: flags.deleteOnExit === true });
    client.close();
  });
  process.on('SIGUSR1', () => process.stdout.write(`Strata sim: heartbeats of ${sim.failNodes().length} nodes stopped (SIGUSR1)\n`));
  process.on('SIGUSR2', () => process.stdout.write(`Strata sim: ${sim.recoverNodes().length} nodes recovered (SIGUSR2)\n`));

  const started = Date.now();
  try {
    await sim.start();
  } catch (err) {
    if (shutdown.stopping) return;
    throw err;
  }
  process.stdout.write(`Strata sim: ${options.nodes} nodes registered (${flags.prefix}0…) in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
  if (failAfterMs !== undefined) {
    setTimeout(() => {
      const failed = sim.failNodes();
      process.stdout.write(`Strata sim: heartbeats of ${failed.length} nodes stopped (--fail-after ${flags.failAfter})\n`);
    }, failAfterMs).unref();
  }
}
