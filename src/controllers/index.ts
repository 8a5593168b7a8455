// Public surface of the controllers layer: the runtime and the controllers, plus the set the
// controller manager runs by default.

import type { Logger } from 'pino';
import { EventRecorder, type Clock, type RestClient } from '../client/index.ts';
import { namespaceController } from './namespace/index.ts';
import type { ControllerContext, ControllerFactory, Controller, TermContext } from './runtime/index.ts';
import { rootCaPublisher, serviceAccountsController } from './serviceaccount/index.ts';

export * from './runtime/index.ts';
export * from './namespace/index.ts';
export * from './serviceaccount/index.ts';

export interface DefaultControllersDeps {
  client: RestClient;
  /** The cluster CA published as kube-root-ca.crt in every namespace. */
  caPem: string;
  clock?: Clock;
  logger?: Logger;
  /** Names (as in CONTROLLERS) not to run. */
  disabled?: readonly string[];
  /** The manager's identity, written as reportingInstance of every Event. */
  identity?: string;
  /** Controllers to run besides CONTROLLERS (tests of controllers not listed there). */
  extra?: readonly ControllerSpec[];
}

export interface ControllerSpec {
  /** The name users pass to --controllers / disable, as upstream's controller names. */
  name: string;
  /** The Events' source component. */
  component: string;
  make(ctx: ControllerContext, deps: DefaultControllersDeps): Controller;
}

/** Every controller the manager knows, in start order. */
export const CONTROLLERS: readonly ControllerSpec[] = [
  { name: 'namespace', component: 'namespace-controller', make: (ctx) => namespaceController(ctx) },
  { name: 'serviceaccount', component: 'service-account-controller', make: (ctx) => serviceAccountsController(ctx) },
  { name: 'root-ca-cert-publisher', component: 'root-ca-cert-publisher', make: (ctx, deps) => rootCaPublisher(ctx, deps.caPem) },
];

/** The controllers `strata controllers` and `strata server` run, each built fresh per leadership term. */
export function defaultControllers(deps: DefaultControllersDeps): ControllerFactory[] {
  const { client, clock } = deps;
  return [...CONTROLLERS, ...(deps.extra ?? [])].filter((spec) => !deps.disabled?.includes(spec.name)).map((spec) => (term: TermContext) => {
    const logger = deps.logger?.child({ controller: spec.name });
    const recorder = new EventRecorder(client, { source: { component: spec.component }, ...(deps.identity ? { reportingInstance: deps.identity } : {}), ...(clock ? { clock } : {}), ...(logger ? { logger } : {}) });
    const ctx: ControllerContext = { client, informers: term.informers, recorder, ...(clock ? { clock } : {}), ...(logger ? { logger } : {}) };
    return spec.make(ctx, deps);
  });
}
