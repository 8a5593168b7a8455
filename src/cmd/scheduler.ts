// `strata scheduler`: the scheduler as a process of its own, talking to an API server through a
// kubeconfig, with leader election on the Lease kube-system/kube-scheduler (as kube-scheduler's
// --leader-elect flags). startScheduler is also what `strata server` can call in-process.

import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { RestClient } from '../client/index.ts';
import { defaultConfig, loadConfigFile, runLeaderElected, runSchedulerTerm, type Scheduler, type SchedulerConfig } from '../scheduler/index.ts';
import { parseDuration } from './controllers.ts';
import { createLogger } from './logger.ts';
import { exitOnSignals } from './shutdown.ts';

export interface SchedulerFlags {
  /** A KubeSchedulerConfiguration file (kubescheduler.config.k8s.io/v1). */
  config?: string;
  /** Turns leader election off (--leader-elect=false); on by default. */
  leaderElect?: boolean;
  leaderElectLeaseDuration?: string;
  leaderElectRenewDeadline?: string;
  leaderElectRetryPeriod?: string;
  leaderElectResourceNamespace?: string;
  leaderElectResourceName?: string;
}

export interface RunningScheduler {
  /** The scheduler of the current term (undefined while not leading). */
  readonly scheduler: Scheduler | undefined;
  /** Resolves when this instance first starts scheduling (caches synced). */
  readonly started: Promise<void>;
  /** Stops scheduling, releases the Lease and closes the client. */
  stop(): Promise<void>;
}

/** Runs the (leader-elected) scheduler through `client`, in-process or over HTTPS. */
export async function startScheduler(client: RestClient, logger: Logger, flags: SchedulerFlags = {}, loaded?: SchedulerConfig): Promise<RunningScheduler> {
  const config = loaded ?? (flags.config ? await loadConfigFile(flags.config) : defaultConfig());
  const le = config.leaderElection;
  const leaseDurationMs = parseDuration(flags.leaderElectLeaseDuration ?? le.leaseDuration, '--leader-elect-lease-duration');
  const renewDeadlineMs = parseDuration(flags.leaderElectRenewDeadline ?? le.renewDeadline, '--leader-elect-renew-deadline');
  const retryPeriodMs = parseDuration(flags.leaderElectRetryPeriod ?? le.retryPeriod, '--leader-elect-retry-period');
  if (!(leaseDurationMs > renewDeadlineMs && renewDeadlineMs > retryPeriodMs && retryPeriodMs > 0)) {
    throw new Error('leader election needs lease duration > renew deadline > retry period > 0');
  }
  const identity = `${hostname()}_${randomUUID()}`;
  const log = logger.child({ component: 'scheduler', identity });
  let current: Scheduler | undefined;
  let markStarted!: () => void;
  const started = new Promise<void>((r) => (markStarted = r));
  const base = {
    client,
    config,
    identity,
    logger: log,
    onStarted: (s: Scheduler) => {
      current = s;
      markStarted();
    },
  };
  const ac = new AbortController();
  const leaderElect = flags.leaderElect ?? le.leaderElect;
  const run = leaderElect
    ? runLeaderElected(
        {
          ...base,
          leaseDurationMs,
          renewDeadlineMs,
          retryPeriodMs,
          namespace: flags.leaderElectResourceNamespace ?? le.resourceNamespace,
          name: flags.leaderElectResourceName ?? le.resourceName,
        },
        ac.signal,
      )
    : runSchedulerTerm(base, ac.signal);
  const done = run.catch((err: unknown) => log.error({ err }, 'scheduler failed'));
  return {
    get scheduler() {
      return current;
    },
    started,
    async stop() {
      ac.abort();
      await done;
      client.close();
    },
  };
}

export async function runScheduler(flags: SchedulerFlags & { kubeconfig: string; logLevel: string }): Promise<void> {
  const logger = createLogger(flags.logLevel);
  const config = flags.config ? await loadConfigFile(flags.config) : defaultConfig();
  const client = await RestClient.fromKubeconfig(flags.kubeconfig, { userAgent: 'strata-scheduler' });
  const running = await startScheduler(client, logger, flags, config);
  exitOnSignals(logger, () => running.stop());
}
