// `strata controllers`: the controller manager as a process of its own, talking to an API server
// through a kubeconfig; `strata server` starts the same manager in-process (see startControllerManager).

import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { restLeaseClient, RestClient, SharedInformerFactory } from '../client/index.ts';
import { CONTROLLERS, ControllerManager, defaultControllers, type HpaOptions } from '../controllers/index.ts';
import { parseDuration } from './duration-flag.ts';
import { createLogger } from './logger.ts';
import { exitOnSignals } from './shutdown.ts';

export interface RunningControllerManager {
  manager: ControllerManager;
  /** Stops the controllers, releases the Lease and closes the client. */
  stop(): Promise<void>;
}

/** Leader election and controller selection, as kube-controller-manager's flags. */
export interface ControllerManagerFlags {
  leaderElectLeaseDuration?: string;
  leaderElectRenewDeadline?: string;
  leaderElectRetryPeriod?: string;
  /** Upstream's --controllers: "*", "foo", "-bar" entries. */
  controllers?: string;
  /** How often the node lifecycle controller checks node health (upstream's --node-monitor-period). */
  nodeMonitorPeriod?: string;
  /** Silence after which a node goes Unknown (upstream's --node-monitor-grace-period). */
  nodeMonitorGracePeriod?: string;
  /** PEM files of the CA the csrsigning controller signs with (upstream's --cluster-signing-*-file). */
  clusterSigningCertFile?: string;
  clusterSigningKeyFile?: string;
  /** upstream's --horizontal-pod-autoscaler-* flags. */
  horizontalPodAutoscalerSyncPeriod?: string;
  horizontalPodAutoscalerDownscaleStabilization?: string;
  horizontalPodAutoscalerTolerance?: string;
  horizontalPodAutoscalerCpuInitializationPeriod?: string;
  horizontalPodAutoscalerInitialReadinessDelay?: string;
}

/** The HPA controller's options from its flags; defaults where a flag is absent. */
export function hpaOptions(flags: ControllerManagerFlags): Partial<HpaOptions> {
  const out: Partial<HpaOptions> = {};
  const duration = (raw: string | undefined, name: string, min: number): number | undefined => {
    if (raw === undefined) return undefined;
    const ms = parseDuration(raw, name);
    if (!(ms >= min)) throw new Error(`invalid ${name} "${raw}" (must be at least ${min} ms)`);
    return ms;
  };
  const sync = duration(flags.horizontalPodAutoscalerSyncPeriod, '--horizontal-pod-autoscaler-sync-period', 1);
  if (sync !== undefined) out.syncPeriodMs = sync;
  const down = duration(flags.horizontalPodAutoscalerDownscaleStabilization, '--horizontal-pod-autoscaler-downscale-stabilization', 0);
  if (down !== undefined) out.downscaleStabilizationMs = down;
  const init = duration(flags.horizontalPodAutoscalerCpuInitializationPeriod, '--horizontal-pod-autoscaler-cpu-initialization-period', 0);
  if (init !== undefined) out.cpuInitializationPeriodMs = init;
  const ready = duration(flags.horizontalPodAutoscalerInitialReadinessDelay, '--horizontal-pod-autoscaler-initial-readiness-delay', 0);
  if (ready !== undefined) out.initialReadinessDelayMs = ready;
  if (flags.horizontalPodAutoscalerTolerance !== undefined) {
    const t = Number(flags.horizontalPodAutoscalerTolerance);
    if (!Number.isFinite(t) || t < 0) throw new Error(`invalid --horizontal-pod-autoscaler-tolerance "${flags.horizontalPodAutoscalerTolerance}" (want a non-negative number)`);
    out.tolerance = t;
  }
  return out;
}

/** The CA key (and certificate) the csrsigning controller signs with, when given. */
export interface SigningCa {
  caKeyPem: string;
  caSigningCertPem?: string;
}

// Kept here too for the commands that import it from this module.
export { parseDuration };

/** The controller names `--controllers` selects ("*" is every one; "-name" removes one). */
export function disabledControllers(spec: string | undefined): string[] {
  if (!spec) return [];
  const known = CONTROLLERS.map((c) => c.name);
  const items = spec.split(',').map((s) => s.trim()).filter(Boolean);
  for (const item of items) {
    const name = item.replace(/^-/, '');
    if (name !== '*' && !known.includes(name)) throw new Error(`unknown controller "${name}" in --controllers (known: ${known.join(', ')})`);
  }
  const enabled = items.includes('*') ? new Set(known) : new Set<string>();
  for (const item of items) {
    if (item.startsWith('-')) enabled.delete(item.slice(1));
    else if (item !== '*') enabled.add(item);
  }
  return known.filter((n) => !enabled.has(n));
}

/** Runs the leader-elected controller manager through `client` (in-process or over HTTPS). */
export function startControllerManager(client: RestClient, logger: Logger, flags: ControllerManagerFlags = {}, signing?: SigningCa): RunningControllerManager {
  if (!client.config.caPem) throw new Error(`the client for ${client.config.server} names no certificate authority to publish as kube-root-ca.crt`);
  const leaseDurationMs = parseDuration(flags.leaderElectLeaseDuration ?? '15s', '--leader-elect-lease-duration');
  const renewDeadlineMs = parseDuration(flags.leaderElectRenewDeadline ?? '10s', '--leader-elect-renew-deadline');
  const retryPeriodMs = parseDuration(flags.leaderElectRetryPeriod ?? '2s', '--leader-elect-retry-period');
  if (!(leaseDurationMs > renewDeadlineMs && renewDeadlineMs > retryPeriodMs && retryPeriodMs > 0)) {
    throw new Error('leader election needs lease duration > renew deadline > retry period > 0');
  }
  const nodeMonitorPeriodMs = parseDuration(flags.nodeMonitorPeriod ?? '5s', '--node-monitor-period');
  const nodeMonitorGracePeriodMs = parseDuration(flags.nodeMonitorGracePeriod ?? '40s', '--node-monitor-grace-period');
  if (!(nodeMonitorPeriodMs > 0 && nodeMonitorGracePeriodMs > 0)) throw new Error('--node-monitor-period and --node-monitor-grace-period must be positive');
  const identity = `${hostname()}_${randomUUID()}`;
  const log = logger.child({ component: 'controller-manager', identity });
  const manager = new ControllerManager({
    identity,
    leases: restLeaseClient(client),
    informers: () => new SharedInformerFactory(client, { logger: log }),
    controllers: defaultControllers({ client, caPem: client.config.caPem, logger: log, identity, disabled: disabledControllers(flags.controllers), nodeLifecycle: { nodeMonitorPeriodMs, nodeMonitorGracePeriodMs }, hpa: hpaOptions(flags), ...signing }),
    leaseDurationMs,
    renewDeadlineMs,
    retryPeriodMs,
    logger: log,
  });
  const ac = new AbortController();
  const done = manager.run(ac.signal).catch((err: unknown) => log.error({ err }, 'controller manager failed'));
  return {
    manager,
    async stop() {
      ac.abort();
      await done;
      client.close();
    },
  };
}

export async function runControllers(flags: ControllerManagerFlags & { kubeconfig: string; logLevel: string }): Promise<void> {
  const logger = createLogger(flags.logLevel);
  const client = await RestClient.fromKubeconfig(flags.kubeconfig, { userAgent: 'strata-controller-manager' });
  let signing: SigningCa | undefined;
  if ((flags.clusterSigningCertFile === undefined) !== (flags.clusterSigningKeyFile === undefined)) {
    throw new Error('--cluster-signing-cert-file and --cluster-signing-key-file go together');
  }
  if (flags.clusterSigningCertFile !== undefined && flags.clusterSigningKeyFile !== undefined) {
    signing = { caSigningCertPem: await readFile(flags.clusterSigningCertFile, 'utf8'), caKeyPem: await readFile(flags.clusterSigningKeyFile, 'utf8') };
  }
  // Without a signing key the csrsigning controller does not run here (the in-process one of `strata server` does).
  const running = startControllerManager(client, logger, flags, signing);
  exitOnSignals(logger, () => running.stop());
}
