// The namespace controller (upstream's namespace-controller): when a Namespace carrying the
// `kubernetes` finalizer in spec.finalizers is being deleted, it empties the namespace of every
// namespaced resource the API serves, reports progress in the namespace's conditions, requeues
// while objects remain (finalizers hold them), and finally removes `kubernetes` through
// PUT /api/v1/namespaces/<ns>/finalize, after which the server deletes the namespace.

import type { Logger } from 'pino';
import type { KubeObject } from '../../api/types.ts';
import { realClock, type Clock, type RestClient } from '../../client/index.ts';
import { common, type ControllerContext } from '../runtime/context.ts';
import { isConflict, isNotFound } from '../../machinery/status-error.ts';
import { Controller } from '../runtime/controller.ts';
import type { Reconciler, Result } from '../runtime/reconciler.ts';
import { deleteAllContent, mergeConditions, type NamespaceCondition } from './deleter.ts';

export const NAMESPACE_FINALIZER = 'kubernetes';
const NAMESPACES = { group: '', version: 'v1', resource: 'namespaces' } as const;

interface Namespace extends KubeObject {
  spec?: { finalizers?: string[] };
  status?: { phase?: string; conditions?: NamespaceCondition[] };
}

export interface NamespaceControllerDeps {
  client: RestClient;
  clock?: Clock;
  logger?: Logger;
}

const specFinalizers = (ns: Namespace): string[] => ns.spec?.finalizers ?? [];

export class NamespaceReconciler implements Reconciler {
  readonly #client: RestClient;
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;

  constructor(deps: NamespaceControllerDeps) {
    this.#client = deps.client;
    this.#clock = deps.clock ?? realClock;
    this.#logger = deps.logger;
  }

  async reconcile(name: string, signal: AbortSignal): Promise<Result | void> {
    // The cache may lag behind a finalize that just happened: read the namespace fresh, as upstream does.
    let ns: Namespace;
    try {
      ns = await this.#client.get<Namespace>({ ...NAMESPACES, name }, { signal });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (!ns.metadata.deletionTimestamp || !specFinalizers(ns).includes(NAMESPACE_FINALIZER)) return;
    const report = await deleteAllContent(this.#client, name, signal, this.#logger);
    ns = await this.#writeConditions(ns, report.conditions, signal);
    if (report.failed) throw new Error(`namespace ${name}: content deletion incomplete`);
    if (report.remaining.size > 0) {
      this.#logger?.debug({ namespace: name, remaining: Object.fromEntries(report.remaining) }, 'namespace content remaining');
      return { requeueAfter: 1000 };
    }
    await this.#finalize(ns, signal);
    this.#logger?.info({ namespace: name }, 'namespace content removed; finalized');
  }

  async #writeConditions(ns: Namespace, conditions: NamespaceCondition[], signal: AbortSignal): Promise<Namespace> {
    const now = new Date(this.#clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const merged = mergeConditions(ns.status?.conditions ?? [], conditions, now);
    if (!merged) return ns;
    const copy: Namespace = structuredClone(ns);
    copy.status = { ...copy.status, conditions: merged };
    try {
      return await this.#client.updateStatus<Namespace>(NAMESPACES, copy, { signal });
    } catch (err) {
      if (isNotFound(err)) return ns;
      if (isConflict(err)) return this.#client.get<Namespace>({ ...NAMESPACES, name: ns.metadata.name ?? '' }, { signal });
      throw err;
    }
  }

  async #finalize(ns: Namespace, signal: AbortSignal): Promise<void> {
    const copy: Namespace = structuredClone(ns);
    copy.spec = { ...copy.spec, finalizers: specFinalizers(ns).filter((f) => f !== NAMESPACE_FINALIZER) };
    try {
      await this.#client.request('PUT', `/api/v1/namespaces/${encodeURIComponent(ns.metadata.name ?? '')}/finalize`, copy, { signal });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

/** The namespace controller: the shared namespace informer feeding the NamespaceReconciler. */
export function namespaceController(ctx: ControllerContext, options: { workers?: number } = {}): Controller {
  const informer = ctx.informers.informerFor<Namespace>(NAMESPACES);
  const controller = new Controller({ name: 'namespace', reconciler: new NamespaceReconciler(ctx), workers: options.workers ?? 10, ...common(ctx) });
  // Only namespaces being deleted need work; the rest are skipped at the handler.
  return controller.watch(informer, (ns) => (ns.metadata.deletionTimestamp ? (ns.metadata.name ?? undefined) : undefined));
}
