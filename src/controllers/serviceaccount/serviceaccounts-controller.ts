// Upstream's serviceaccounts-controller: every Active namespace has a `default` ServiceAccount;
// one deleted is created again. Keys are namespace names.

import type { KubeObject } from '../../api/types.ts';
import type { Informer, RestClient } from '../../client/index.ts';
import { common, type ControllerContext } from '../runtime/context.ts';
import { isAlreadyExists, isNotFound } from '../../machinery/status-error.ts';
import { Controller } from '../runtime/controller.ts';
import type { Reconciler } from '../runtime/reconciler.ts';

export const DEFAULT_SERVICE_ACCOUNT = 'default';
const NAMESPACES = { group: '', version: 'v1', resource: 'namespaces' } as const;
const SERVICE_ACCOUNTS = { group: '', version: 'v1', resource: 'serviceaccounts' } as const;

export const isActive = (ns: KubeObject | undefined): boolean =>
  !!ns && !ns.metadata.deletionTimestamp && ((ns['status'] as { phase?: string } | undefined)?.phase ?? 'Active') === 'Active';

export class ServiceAccountsReconciler implements Reconciler {
  readonly #client: RestClient;
  readonly #namespaces: Informer;
  readonly #serviceAccounts: Informer;

  constructor(client: RestClient, namespaces: Informer, serviceAccounts: Informer) {
    this.#client = client;
    this.#namespaces = namespaces;
    this.#serviceAccounts = serviceAccounts;
  }

  async reconcile(namespace: string, signal: AbortSignal): Promise<void> {
    if (!isActive(this.#namespaces.lister.get(undefined, namespace))) return;
    if (this.#serviceAccounts.lister.get(namespace, DEFAULT_SERVICE_ACCOUNT)) return;
    const sa: KubeObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace } };
    try {
      await this.#client.create({ ...SERVICE_ACCOUNTS, namespace }, sa, { signal });
    } catch (err) {
      // Already there (the cache lags), or the namespace went away or started terminating meanwhile.
      if (isAlreadyExists(err) || isNotFound(err) || isTerminating(err)) return;
      throw err;
    }
  }
}

/** The create was refused because the namespace is terminating (upstream skips those too). */
export function isTerminating(err: unknown): boolean {
  const status = (err as { status?: { details?: { causes?: { reason?: string }[] } } }).status;
  return status?.details?.causes?.some((c) => c.reason === 'NamespaceTerminating') ?? false;
}

export function serviceAccountsController(ctx: ControllerContext): Controller {
  const namespaces = ctx.informers.informerFor(NAMESPACES);
  const serviceAccounts = ctx.informers.informerFor(SERVICE_ACCOUNTS, { fieldSelector: `metadata.name=${DEFAULT_SERVICE_ACCOUNT}` });
  return new Controller({ name: 'serviceaccount', reconciler: new ServiceAccountsReconciler(ctx.client, namespaces, serviceAccounts), ...common(ctx) })
    .watch(namespaces, (ns) => ns.metadata.name)
    .watch(serviceAccounts, (sa) => sa.metadata.namespace);
}
