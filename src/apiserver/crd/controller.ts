// The CRD controller inside the API server (upstream's apiextensions-apiserver controllers:
// naming, establishing, finalizing, and the CRD handler's storage map). It follows the CRD
// store's watch cache; for each CRD it checks names against the group's other kinds
// (NamesAccepted), serves every served version through the registry, the same generic store
// and handlers as built-in kinds (Established), and when the CRD is being deleted refuses new
// objects, deletes every object of it (all namespaces), then drops the cleanup finalizer.
// Reconciles run one at a time; a failed one is retried with backoff.

import type { Logger } from 'pino';
import {
  CRD_CLEANUP_FINALIZER, CRD_GROUP, CRD_KIND, type CrdCondition, type CrdNames, type CrdStatus, type CustomResourceDefinition,
} from '../../api/crd/index.ts';
import type { KubeObject } from '../../api/types.ts';
import { isNotFound, jsonEqual, notFound } from '../../machinery/index.ts';
import type { CacheWatcher } from '../../store/watch-cache.ts';
import type { ApiRegistry, ServedResource } from '../api-registry.ts';
import type { GenericStore } from '../registry/generic-store.ts';
import type { RequestContext, Strategy } from '../registry/strategy.ts';
import { compileCrd } from './compile.ts';
import { setCondition } from './crd-strategy.ts';
import { customStrategy, type CustomKind } from './custom-strategy.ts';

const USER = 'system:apiextensions-controller';
const FINALIZE_POLL_MS = 500;
const MAX_BACKOFF_MS = 10_000;

interface Serving {
  readonly kind: CustomKind;
  readonly strategy: Strategy;
  readonly shape: string;
  specKey: string;
  versions: string[];
}

interface NameClaim {
  readonly group: string;
  readonly names: CrdNames;
}

export class CrdController {
  readonly #registry: ApiRegistry;
  readonly #crds: ServedResource;
  readonly #log: Logger;
  readonly #serving = new Map<string, Serving>();
  /** Names each CRD was granted, by CRD name: decides conflicts between CRDs of one group. */
  readonly #claims = new Map<string, NameClaim>();
  readonly #queue = new Set<string>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #failures = new Map<string, number>();
  #idle: { promise: Promise<void>; resolve: () => void } | undefined;
  #watch: CacheWatcher | undefined;
  #draining = false;
  #closed = false;

  constructor(registry: ApiRegistry, logger: Logger) {
    const crds = registry.forKind(CRD_GROUP, CRD_KIND);
    if (!crds) throw new Error('the CustomResourceDefinition kind is not registered');
    this.#registry = registry;
    this.#crds = crds;
    this.#log = logger.child({ component: 'crd-controller' });
  }

  /** Follows the CRD cache; resolves once every existing CRD has been reconciled. */
  async start(): Promise<void> {
    await this.#crds.store.start();
    // Names granted before a restart keep winning conflicts.
    for (const entry of this.#crds.store.cache.entries()) {
      const crd = entry.object as CustomResourceDefinition;
      const accepted = crd.status?.acceptedNames;
      if (accepted?.plural && crd.metadata.name) this.#claims.set(crd.metadata.name, { group: crd.spec.group, names: accepted });
    }
    this.#subscribe();
    await this.#whenIdle();
  }

  close(): void {
    this.#closed = true;
    this.#watch?.close();
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    this.#queue.clear();
  }

  /** Resolves when no reconcile is queued or running (tests, startup). */
  #whenIdle(): Promise<void> {
    if (!this.#draining && this.#queue.size === 0) return Promise.resolve();
    if (!this.#idle) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.#idle = { promise, resolve };
    }
    return this.#idle.promise;
  }

  #subscribe(): void {
    if (this.#closed) return;
    this.#watch = this.#crds.store.cache.watch(
      0,
      () => true,
      (_type, entry) => {
        const name = entry.object.metadata.name;
        if (name) this.#enqueue(name);
        return true;
      },
      undefined,
      // The cache ended the watch (its history was compacted away): follow it again from now.
      () => setImmediate(() => this.#subscribe()),
    );
  }

  #enqueue(name: string): void {
    if (this.#closed) return;
    this.#queue.add(name);
    if (!this.#draining) {
      this.#draining = true;
      setImmediate(() => void this.#drain());
    }
  }

  #enqueueAfter(name: string, ms: number): void {
    if (this.#closed || this.#timers.has(name)) return;
    this.#timers.set(name, setTimeout(() => {
      this.#timers.delete(name);
      this.#enqueue(name);
    }, ms));
  }

  async #drain(): Promise<void> {
    while (!this.#closed && this.#queue.size > 0) {
      const name = this.#queue.values().next().value as string;
      this.#queue.delete(name);
      try {
        const requeueAfter = await this.#reconcile(name);
        this.#failures.delete(name);
        if (requeueAfter !== undefined) this.#enqueueAfter(name, requeueAfter);
      } catch (err) {
        const failures = (this.#failures.get(name) ?? 0) + 1;
        this.#failures.set(name, failures);
        const delay = Math.min(MAX_BACKOFF_MS, 50 * 2 ** failures);
        this.#log.warn({ err, crd: name, retryInMs: delay }, 'reconciling a CustomResourceDefinition failed');
        this.#enqueueAfter(name, delay);
      }
    }
    this.#draining = false;
    const idle = this.#idle;
    this.#idle = undefined;
    idle?.resolve();
  }

  #ctx(): RequestContext {
    return { user: USER, dryRun: false, fieldManager: 'apiextensions-controller', now: new Date() };
  }

  #cached(name: string): CustomResourceDefinition | undefined {
    return this.#crds.store.cache.get(this.#crds.store.key(undefined, name))?.object as CustomResourceDefinition | undefined;
  }

  /** Returns a delay to look again after, or undefined when done. */
  async #reconcile(name: string): Promise<number | undefined> {
    const crd = this.#cached(name);
    if (!crd) {
      this.#unserve(name);
      this.#claims.delete(name);
      return undefined;
    }
    if (crd.metadata.deletionTimestamp) return this.#finalize(crd);
    const { names, condition } = this.#acceptNames(crd);
    if (names) {
      this.#claims.set(name, { group: crd.spec.group, names });
      await this.#serve(crd, names);
    }
    await this.#updateStatus(crd, (status, now) => {
      if (names) status.acceptedNames = names;
      setCondition(status, condition, now);
      const established = status.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
      if (names) setCondition(status, { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' }, now);
      else if (!established) setCondition(status, { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' }, now);
    });
    return undefined;
  }

  // ---- names ----

  /** NamesAccepted: the requested names unless another kind of the group uses one of them. */
  #acceptNames(crd: CustomResourceDefinition): { names: CrdNames | undefined; condition: CrdCondition } {
    const requested = requestedNames(crd);
    const resources = new Set<string>();
    const kinds = new Set<string>();
    for (const [other, claim] of this.#claims) {
      if (other === crd.metadata.name || claim.group !== crd.spec.group) continue;
      for (const n of [claim.names.plural, claim.names.singular, ...(claim.names.shortNames ?? [])]) if (n) resources.add(n);
      for (const k of [claim.names.kind, claim.names.listKind]) if (k) kinds.add(k);
    }
    // Built-in kinds of the group (served with a definition) always win.
    for (const s of this.#registry.all()) {
      if (s.def.group !== crd.spec.group || s.def.definition === undefined) continue;
      for (const n of [s.def.plural, s.def.singular, ...s.def.shortNames]) resources.add(n);
      kinds.add(s.def.kind).add(s.def.listKind);
    }
    const conflict = (reason: string, value: string): { names: CrdNames | undefined; condition: CrdCondition } => {
      const previous = crd.status?.acceptedNames;
      return {
        names: previous?.plural && this.#claims.get(crd.metadata.name as string) ? previous : undefined,
        condition: { type: 'NamesAccepted', status: 'False', reason, message: `"${value}" is already in use` },
      };
    };
    if (resources.has(requested.plural)) return conflict('PluralConflict', requested.plural);
    if (requested.singular && resources.has(requested.singular)) return conflict('SingularConflict', requested.singular);
    for (const s of requested.shortNames ?? []) if (resources.has(s)) return conflict('ShortNamesConflict', s);
    if (kinds.has(requested.kind)) return conflict('KindConflict', requested.kind);
    if (requested.listKind && kinds.has(requested.listKind)) return conflict('ListKindConflict', requested.listKind);
    return { names: requested, condition: { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' } };
  }

  // ---- serving ----

  async #serve(crd: CustomResourceDefinition, names: CrdNames): Promise<Serving> {
    const name = crd.metadata.name as string;
    const specKey = JSON.stringify([crd.spec, names]);
    let serving = this.#serving.get(name);
    if (serving && serving.specKey === specKey) return serving;
    const compiled = compileCrd(crd, names);
    if (serving && serving.shape !== compiled.shape) {
      this.#unserve(name);
      serving = undefined;
    }
    if (!serving) {
      const kind: CustomKind = {
        group: compiled.group,
        plural: compiled.plural,
        namespaced: compiled.namespaced,
        storageVersion: compiled.storageVersion,
        versions: compiled.versions,
        scale: compiled.scale,
        terminating: false,
      };
      const strategy = customStrategy(compiled.storageDef, kind, { status: compiled.statusEnabled, selectableFields: compiled.selectableFields });
      serving = { kind, strategy, shape: compiled.shape, specKey, versions: [] };
      this.#serving.set(name, serving);
    } else {
      serving.kind.versions = compiled.versions;
      serving.kind.scale = compiled.scale;
      serving.specKey = specKey;
    }
    const now = compiled.served.map((s) => s.def.version);
    let store: GenericStore | undefined;
    // Add before removing, so versions that stay keep their store (and its watchers).
    for (const { def, extras } of compiled.served) store = this.#registry.add(def, serving.strategy, extras).store;
    for (const v of serving.versions) if (!now.includes(v)) this.#registry.remove(compiled.group, v, compiled.plural);
    serving.versions = now;
    if (store) await store.start();
    this.#log.info({ crd: name, versions: now }, 'serving custom resources');
    return serving;
  }

  #unserve(name: string): void {
    const serving = this.#serving.get(name);
    if (!serving) return;
    for (const v of serving.versions) this.#registry.remove(serving.kind.group, v, serving.kind.plural);
    this.#serving.delete(name);
    this.#log.info({ crd: name }, 'stopped serving custom resources');
  }

  // ---- deletion ----

  async #finalize(crd: CustomResourceDefinition): Promise<number | undefined> {
    const name = crd.metadata.name as string;
    if (!crd.metadata.finalizers?.includes(CRD_CLEANUP_FINALIZER)) return undefined;
    let serving = this.#serving.get(name);
    const accepted = crd.status?.acceptedNames;
    // After a restart a terminating CRD is not served yet: serve it to reach its objects.
    if (!serving && accepted?.plural) serving = await this.#serve(crd, accepted);
    if (serving) {
      serving.kind.terminating = true;
      const store = this.#storeOf(serving);
      if (store) {
        const remaining = await this.#deleteAll(store);
        if (remaining > 0) {
          await this.#updateStatus(crd, (status, now) => {
            setCondition(status, { type: 'Terminating', status: 'True', reason: 'InstanceDeletionInProgress', message: `CustomResource deletion is in progress: ${remaining} remaining` }, now);
          });
          return FINALIZE_POLL_MS;
        }
        // Let watchers see the objects' DELETED events before their streams end.
        await store.cache.waitFresh().catch(() => {});
      }
    }
    // Stop serving before the definition goes, so no client sees the kind outlive its CRD.
    this.#unserve(name);
    await this.#crds.store.update(
      undefined,
      name,
      (current) => {
        if (!current) throw notFound(this.#crds.store.gr, name);
        current.metadata.finalizers = (current.metadata.finalizers ?? []).filter((f) => f !== CRD_CLEANUP_FINALIZER);
        if (current.metadata.finalizers.length === 0) delete current.metadata.finalizers;
        return current;
      },
      this.#ctx(),
    ).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
    return undefined;
  }

  #storeOf(serving: Serving): GenericStore | undefined {
    for (const v of serving.versions) {
      const served = this.#registry.lookup(serving.kind.group, v, serving.kind.plural);
      if (served) return served.store;
    }
    return undefined;
  }

  /** Deletes every object (every namespace); returns how many are still there (finalizers). */
  async #deleteAll(store: GenericStore): Promise<number> {
    const { items } = await store.list({});
    const ctx = this.#ctx();
    let remaining = 0;
    for (const { object } of items) {
      if (object.metadata.deletionTimestamp) {
        remaining++;
        continue;
      }
      try {
        const { deleted } = await store.delete(object.metadata.namespace, object.metadata.name as string, {}, ctx);
        if (!deleted) remaining++;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    return remaining;
  }

  // ---- status ----

  async #updateStatus(crd: CustomResourceDefinition, mutate: (status: CrdStatus, now: Date) => void): Promise<void> {
    const now = new Date();
    const desired = structuredClone(crd.status ?? {});
    mutate(desired, now);
    if (jsonEqual(desired, crd.status ?? {})) return;
    const name = crd.metadata.name as string;
    await this.#crds.store.update(
      undefined,
      name,
      (current) => {
        if (!current) throw notFound(this.#crds.store.gr, name);
        const status = (current['status'] ?? {}) as CrdStatus;
        mutate(status, now);
        (current as KubeObject)['status'] = status;
        return current;
      },
      this.#ctx(),
      { subresource: 'status' },
    );
  }
}

function requestedNames(crd: CustomResourceDefinition): CrdNames {
  const n = crd.spec.names;
  const names: CrdNames = { plural: n.plural, singular: n.singular || n.kind.toLowerCase(), kind: n.kind, listKind: n.listKind || `${n.kind}List` };
  if (n.shortNames?.length) names.shortNames = [...n.shortNames];
  if (n.categories?.length) names.categories = [...n.categories];
  return names;
}

/** Starts the controller; resolves when the CRDs already stored are served. */
export async function startCrdController(registry: ApiRegistry, logger: Logger): Promise<CrdController> {
  const controller = new CrdController(registry, logger);
  await controller.start();
  return controller;
}
