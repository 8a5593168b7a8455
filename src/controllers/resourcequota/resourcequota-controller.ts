// The resource quota controller (upstream's resourcequota-controller): keeps every ResourceQuota's
// status.hard equal to spec.hard and status.used equal to what the namespace's objects charge.
// A quota is recomputed when it is created or its spec changes, when an object its evaluators
// measure is added or deleted, or updated in a way that changes its charge (replenishment), and
// in a full resync every 5 minutes (a pod stuck terminating stops counting without an event).
// Informers for the measured resources are made on demand, when some quota first names a resource
// an evaluator measures; `count/<resource>.<group>` names are resolved through discovery.

import type { KubeObject } from '../../api/types.ts';
import { objectKey, realClock, sleep, splitKey, type Clock, type Informer, type RestClient, type SharedInformerFactory } from '../../client/index.ts';
import { isConflict, isNotFound } from '../../machinery/status-error.ts';
import { common, type ControllerContext } from '../runtime/context.ts';
import { Controller } from '../runtime/controller.ts';
import type { Reconciler, Result } from '../runtime/reconciler.ts';
import { RESOURCE_QUOTAS } from '../util/refs.ts';
import { BUILTIN_EVALUATORS, objectCountEvaluator, parseCountName, type Evaluator } from './evaluators.ts';
import { equalLists, formatList, parseList } from './resource-list.ts';
import { computeQuotaStatus, matchingEvaluators, statusChanged, type ResourceQuota } from './usage.ts';

export interface ResourceQuotaOptions {
  /** Concurrent quota syncs (upstream's --concurrent-resource-quota-syncs, 5). */
  workers?: number;
  /** Full recomputation of every quota (upstream's --resource-quota-sync-period, 5 min). */
  resyncPeriodMs?: number;
  /** How long an unknown `count/<resource>.<group>` stays unknown before discovery is asked again (30 s). */
  discoveryRetryMs?: number;
}

interface ApiResource {
  name: string;
  namespaced: boolean;
  verbs?: string[];
}

/** Resolves when the informer has synced; false when the signal aborts first. */
function synced(informer: Informer<KubeObject>, signal: AbortSignal): Promise<boolean> {
  if (informer.synced) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = (): void => resolve(false);
    if (signal.aborted) return resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
    void informer.hasSynced.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    });
  });
}

export class ResourceQuotaReconciler implements Reconciler {
  readonly quotas: Informer<ResourceQuota>;
  readonly #client: RestClient;
  readonly #informers: SharedInformerFactory;
  readonly #clock: Clock;
  readonly #options: ResourceQuotaOptions;
  readonly #enqueue: (key: string) => void;
  /** Informers of measured resources, by evaluator. */
  readonly #tracked = new Map<Evaluator, Informer<KubeObject>>();
  /** Runs of the informers made on demand (awaited when the controller stops). */
  readonly runs: Promise<void>[] = [];
  /** Generic count evaluators by quota name; a number is when an unknown resource may be looked up again. */
  readonly #generic = new Map<string, Evaluator | number>();

  constructor(ctx: ControllerContext, enqueue: (key: string) => void, options: ResourceQuotaOptions = {}) {
    this.#client = ctx.client;
    this.#informers = ctx.informers;
    this.#clock = ctx.clock ?? realClock;
    this.#options = options;
    this.#enqueue = enqueue;
    this.quotas = ctx.informers.informerFor<ResourceQuota>(RESOURCE_QUOTAS);
    this.quotas.addEventHandler({
      onAdd: (q) => enqueue(objectKey(q)),
      // Status writes (ours) are ignored; a spec change needs a recomputation.
      onUpdate: (old, q) => {
        const specChanged = !equalLists(parseList(old.spec?.hard), parseList(q.spec?.hard)) || JSON.stringify(old.spec?.scopes) !== JSON.stringify(q.spec?.scopes) || JSON.stringify(old.spec?.scopeSelector) !== JSON.stringify(q.spec?.scopeSelector);
        if (specChanged) enqueue(objectKey(q));
      },
    });
  }

  /** Queues every quota (the periodic full resync). */
  enqueueAll(): void {
    for (const q of this.quotas.lister.list()) this.#enqueue(objectKey(q));
  }

  async reconcile(key: string, signal: AbortSignal): Promise<Result | void> {
    const { namespace, name } = splitKey(key);
    const quota = this.quotas.lister.get(namespace, name);
    if (!quota) return;
    const evaluators = await this.#evaluatorsFor(quota, signal);
    const informers = new Map<Evaluator, Informer<KubeObject>>();
    for (const { evaluator } of matchingEvaluators(quota, evaluators)) {
      const informer = this.#informerFor(evaluator, signal);
      if (!(await synced(informer, signal))) return;
      informers.set(evaluator, informer);
    }
    const objects = (e: Evaluator): readonly KubeObject[] => informers.get(e)?.lister.list(namespace) ?? [];
    let current = quota;
    for (let attempt = 0; ; attempt++) {
      const status = computeQuotaStatus(current, evaluators, objects, this.#clock.now());
      if (!statusChanged(current, status)) return;
      const next: ResourceQuota = { ...current, status: { hard: formatList(status.hard), used: formatList(status.used) } };
      try {
        await this.#client.updateStatus(RESOURCE_QUOTAS, next, { signal });
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        // The cache lags our own last write: try once more with the quota as stored; after that, back off.
        if (!isConflict(err) || attempt > 0) throw err;
        try {
          current = await this.#client.get<ResourceQuota>({ ...RESOURCE_QUOTAS, namespace, name }, { signal });
        } catch (getErr) {
          if (isNotFound(getErr)) return;
          throw getErr;
        }
        // A spec changed meanwhile may name resources other evaluators measure: recompute from the start.
        if (!equalLists(parseList(current.spec?.hard), parseList(quota.spec?.hard))) throw err;
      }
    }
  }

  /** The informer of the evaluator's resource, made (and its replenishment handler added) on first use. */
  #informerFor(evaluator: Evaluator, signal: AbortSignal): Informer<KubeObject> {
    let informer = this.#tracked.get(evaluator);
    if (informer) return informer;
    informer = this.#informers.informerFor(evaluator.type);
    this.#tracked.set(evaluator, informer);
    const replenish = (obj: KubeObject): void => {
      for (const q of this.quotas.lister.list(obj.metadata.namespace ?? '')) {
        if (evaluator.matchingResources(Object.keys(q.spec?.hard ?? {})).length > 0) this.#enqueue(objectKey(q));
      }
    };
    informer.addEventHandler({
      onAdd: replenish,
      onUpdate: (old, obj) => evaluator.changed(old, obj, this.#clock.now()) && replenish(obj),
      onDelete: replenish,
    });
    this.runs.push(informer.run(signal));
    return informer;
  }

  async #evaluatorsFor(quota: ResourceQuota, signal: AbortSignal): Promise<Evaluator[]> {
    const evaluators = [...BUILTIN_EVALUATORS];
    for (const name of Object.keys(quota.spec?.hard ?? {})) {
      if (BUILTIN_EVALUATORS.some((e) => e.matchingResources([name]).length > 0)) continue;
      const generic = await this.#genericEvaluator(name, signal);
      if (generic) evaluators.push(generic);
    }
    return evaluators;
  }

  /** An object-count evaluator for `count/<resource>.<group>` when discovery serves it namespaced, listable and watchable. */
  async #genericEvaluator(name: string, signal: AbortSignal): Promise<Evaluator | undefined> {
    const cached = this.#generic.get(name);
    if (typeof cached === 'object') return cached;
    if (typeof cached === 'number' && this.#clock.now() < cached) return undefined;
    const gr = parseCountName(name);
    if (!gr) return undefined;
    let version: string | undefined;
    try {
      if (gr.group === '') {
        version = 'v1';
      } else {
        const group = await this.#client.request<{ preferredVersion?: { version: string } }>('GET', `/apis/${gr.group}`, undefined, { signal });
        version = group.preferredVersion?.version;
      }
      const path = gr.group ? `/apis/${gr.group}/${version ?? ''}` : '/api/v1';
      const list = version ? await this.#client.request<{ resources?: ApiResource[] }>('GET', path, undefined, { signal }) : { resources: [] };
      const res = list.resources?.find((r) => r.name === gr.resource);
      if (version && res?.namespaced && ['list', 'watch'].every((v) => res.verbs?.includes(v))) {
        const evaluator = objectCountEvaluator({ group: gr.group, version, resource: gr.resource });
        this.#generic.set(name, evaluator);
        return evaluator;
      }
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    this.#generic.set(name, this.#clock.now() + (this.#options.discoveryRetryMs ?? 30_000));
    return undefined;
  }
}

/** The controller: the quota informer drives the reconciler; run() adds the periodic full resync. */
export class ResourceQuotaController extends Controller {
  readonly reconciler: ResourceQuotaReconciler;
  readonly #clock: Clock;
  readonly #resyncPeriodMs: number;

  constructor(ctx: ControllerContext, options: ResourceQuotaOptions = {}) {
    let enqueue = (_key: string): void => {};
    const reconciler = new ResourceQuotaReconciler(ctx, (key) => enqueue(key), options);
    super({ name: 'resourcequota', reconciler, workers: options.workers ?? 5, ...common(ctx) });
    enqueue = (key) => this.queue.add(key);
    this.reconciler = reconciler;
    this.#clock = ctx.clock ?? realClock;
    this.#resyncPeriodMs = options.resyncPeriodMs ?? 5 * 60_000;
    // Registered so run() starts and syncs the quota informer; its own handlers do the enqueueing.
    this.watch(reconciler.quotas, () => undefined);
  }

  override async run(signal: AbortSignal): Promise<void> {
    const resync = (async () => {
      while (!signal.aborted) {
        await sleep(this.#clock, this.#resyncPeriodMs, signal).catch(() => undefined);
        if (!signal.aborted) this.reconciler.enqueueAll();
      }
    })();
    await super.run(signal);
    await resync;
    await Promise.all(this.reconciler.runs);
  }
}

export function resourceQuotaController(ctx: ControllerContext, options: ResourceQuotaOptions = {}): ResourceQuotaController {
  return new ResourceQuotaController(ctx, options);
}
