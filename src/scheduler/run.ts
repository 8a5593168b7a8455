// Running the scheduler against an API server: one term builds fresh informers, listers, event
// recorders (source = the profile's schedulerName, as upstream) and a Scheduler, waits for the
// caches to sync and schedules until its signal aborts. With leader election, terms run only while
// this instance holds the Lease (kube-system/kube-scheduler by default) and re-campaign after a loss.

import type { Logger } from 'pino';
import { EventRecorder, LeaderElector, realClock, restLeaseClient, type Clock, type RestClient } from '../client/index.ts';
import { runInformers, schedulerListers } from './event-handlers.ts';
import type { Registry } from './framework/framework.ts';
import { StrippedInformerFactory } from './informer-factory.ts';
import type { SchedulerConfig } from './profile/types.ts';
import { Scheduler } from './scheduler.ts';

export interface SchedulerRunOptions {
  client: RestClient;
  config: SchedulerConfig;
  identity: string;
  logger?: Logger;
  clock?: Clock;
  registry?: Registry;
  /** Called with each term's scheduler once its caches have synced. */
  onStarted?: (s: Scheduler) => void;
}

/** One term: informers, scheduler and loop until `signal` aborts. */
export async function runSchedulerTerm(o: SchedulerRunOptions, signal: AbortSignal): Promise<void> {
  const log = o.logger;
  const factory = new StrippedInformerFactory(o.client, { ...(log ? { logger: log } : {}) });
  const listers = schedulerListers(factory);
  const host = o.identity.split('_')[0] ?? '';
  const recorders = new Map<string, EventRecorder>();
  const scheduler = new Scheduler({
    client: o.client,
    config: o.config,
    listers,
    ...(o.registry ? { registry: o.registry } : {}),
    ...(o.clock ? { clock: o.clock } : {}),
    ...(log ? { logger: log } : {}),
    recorders: (name) => {
      let r = recorders.get(name);
      if (!r) {
        r = new EventRecorder(o.client, { source: { component: name, host }, reportingController: name, reportingInstance: o.identity, ...(log ? { logger: log } : {}) });
        recorders.set(name, r);
      }
      return r;
    },
  });
  await runInformers(scheduler, factory, signal);
  if (signal.aborted) return;
  scheduler.start();
  log?.info({ profiles: [...scheduler.frameworks.keys()], nodes: scheduler.cache.nodeCount }, 'scheduler caches synced; scheduling');
  o.onStarted?.(scheduler);
  await scheduler.loop(signal);
  log?.info('scheduler stopped');
}

/** Campaigns for the Lease and runs a term while leading; re-campaigns until `signal` aborts. */
export async function runLeaderElected(
  o: SchedulerRunOptions & { leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number; namespace: string; name: string },
  signal: AbortSignal,
): Promise<void> {
  const clock = o.clock ?? realClock;
  while (!signal.aborted) {
    let term: Promise<void> = Promise.resolve();
    const elector = new LeaderElector(
      {
        namespace: o.namespace,
        name: o.name,
        identity: o.identity,
        leaseDurationMs: o.leaseDurationMs,
        renewDeadlineMs: o.renewDeadlineMs,
        retryPeriodMs: o.retryPeriodMs,
        onStartedLeading: (leadership) => {
          o.logger?.info({ identity: o.identity }, 'leading: starting the scheduler');
          term = runSchedulerTerm(o, leadership).catch((err: unknown) => o.logger?.error({ err }, 'scheduler term failed'));
          return term;
        },
        onNewLeader: (holder) => o.logger?.info({ leader: holder, self: holder === o.identity }, 'new scheduler leader'),
      },
      { leases: restLeaseClient(o.client), clock, ...(o.logger ? { logger: o.logger } : {}) },
    );
    await elector.run(signal);
    await term;
  }
}
