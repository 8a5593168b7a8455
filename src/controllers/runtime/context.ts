// What every controller is built from: the API client, the term's shared informers, a clock, a
// logger and an event recorder named after the controller (upstream's component names, e.g.
// "replicaset-controller", appear as the Events' source).

import type { Logger } from 'pino';
import type { Clock, EventRecorder, RestClient, SharedInformerFactory } from '../../client/index.ts';

export interface ControllerContext {
  client: RestClient;
  informers: SharedInformerFactory;
  clock?: Clock;
  logger?: Logger;
  recorder: EventRecorder;
}

/** What the manager hands each factory at the start of a leadership term. */
export interface TermContext {
  informers: SharedInformerFactory;
}

/** Spreads the optional clock and logger into Controller or Informer options. */
export function common(ctx: Pick<ControllerContext, 'clock' | 'logger'>): { clock?: Clock; logger?: Logger } {
  return { ...(ctx.clock ? { clock: ctx.clock } : {}), ...(ctx.logger ? { logger: ctx.logger } : {}) };
}
