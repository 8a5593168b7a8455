// The controller manager: campaigns for the Lease kube-system/strata-controller-manager and, while
// it leads, runs a fresh set of controllers built by their factories (informers cannot restart, so
// every term gets new ones). Losing the Lease stops them and campaigns again; aborting the run
// signal stops the controllers, releases the Lease and settles once everything is down.

import type { Logger } from 'pino';
import { LeaderElector, realClock, SharedInformerFactory, type Clock, type LeaseClient } from '../../client/index.ts';
import type { TermContext } from './context.ts';
import type { Controller } from './controller.ts';

export const LEADER_ELECTION_NAMESPACE = 'kube-system';
export const LEADER_ELECTION_NAME = 'strata-controller-manager';

/** Builds a controller for one leadership term, from that term's shared informers. */
export type ControllerFactory = (term: TermContext) => Controller;

export interface ControllerManagerOptions {
  identity: string;
  controllers: ControllerFactory[];
  leases: LeaseClient;
  /** Makes the shared informers of a term (one set per term: informers cannot restart). */
  informers?: () => SharedInformerFactory;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  clock?: Clock;
  logger?: Logger;
}

export class ControllerManager {
  readonly #options: ControllerManagerOptions;
  readonly #clock: Clock;
  #running: Controller[] = [];
  #leading = false;

  constructor(options: ControllerManagerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? realClock;
  }

  get isLeader(): boolean {
    return this.#leading;
  }

  /** Names of the controllers of the current term (empty when not leading). */
  get controllers(): readonly string[] {
    return this.#running.map((c) => c.name);
  }

  /** Campaigns, leads and re-campaigns until `signal` aborts; settles when the controllers have stopped. */
  async run(signal: AbortSignal): Promise<void> {
    const o = this.#options;
    const log = o.logger;
    while (!signal.aborted) {
      let term: Promise<void> = Promise.resolve();
      const elector = new LeaderElector(
        {
          namespace: LEADER_ELECTION_NAMESPACE,
          name: LEADER_ELECTION_NAME,
          identity: o.identity,
          leaseDurationMs: o.leaseDurationMs ?? 15_000,
          renewDeadlineMs: o.renewDeadlineMs ?? 10_000,
          retryPeriodMs: o.retryPeriodMs ?? 2_000,
          onStartedLeading: (leadership) => {
            term = this.#lead(leadership);
            return term;
          },
          onNewLeader: (holder) => log?.info({ leader: holder, self: holder === o.identity }, 'new controller-manager leader'),
        },
        { leases: o.leases, clock: this.#clock, ...(log ? { logger: log } : {}) },
      );
      await elector.run(signal);
      await term;
    }
  }

  async #lead(signal: AbortSignal): Promise<void> {
    const log = this.#options.logger;
    this.#leading = true;
    const term: TermContext = { informers: this.#options.informers?.() ?? new SharedInformerFactory(undefined) };
    const controllers = this.#options.controllers.map((make) => make(term));
    this.#running = controllers;
    log?.info({ controllers: controllers.map((c) => c.name) }, 'leading: starting controllers');
    const results = await Promise.allSettled(controllers.map((c) => c.run(signal)));
    for (const [i, r] of results.entries()) if (r.status === 'rejected') log?.error({ err: r.reason, controller: controllers[i]?.name }, 'controller failed');
    this.#running = [];
    this.#leading = false;
    log?.info('controllers stopped');
  }
}
