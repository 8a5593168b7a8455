// Public surface of the controllers layer: the runtime and the controllers, plus the set the
// controller manager runs by default.

import type { Logger } from 'pino';
import type { Clock, RestClient } from '../client/index.ts';
import { namespaceController } from './namespace/index.ts';
import type { ControllerFactory } from './runtime/index.ts';
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
}

/** The controllers `strata controllers` and `strata server` run, each built fresh per leadership term. */
export function defaultControllers(deps: DefaultControllersDeps): ControllerFactory[] {
  const { client, clock } = deps;
  const child = (name: string) => ({ client, ...(clock ? { clock } : {}), ...(deps.logger ? { logger: deps.logger.child({ controller: name }) } : {}) });
  return [
    () => namespaceController(child('namespace')),
    () => serviceAccountsController(child('serviceaccount')),
    () => rootCaPublisher({ ...child('root-ca-cert-publisher'), caPem: deps.caPem }),
  ];
}
