// What the garbage collector's workers do with a queued uid, as upstream's attemptToDeleteItem and
// attemptToOrphanWorker. Every decision to delete rests on live reads: the item itself is fetched
// fresh, and each of its owners is looked up with a GET in the item's namespace (or cluster-wide
// for cluster-scoped kinds); an owner counts as absent only on 404 or when its name now belongs to
// another uid. Deletes carry the uid and resourceVersion that were read, so nothing changed since
// the decision (a new owner added, an object replaced) is ever deleted.
//   - no owner remains: delete (Background, or as the item's own orphan/foreground finalizer asks);
//   - some owners remain: patch away only the dangling references (and those of foreground owners);
//   - an owner waits for its dependents in the foreground and the item has dependents of its own:
//     delete the item in the foreground too (unblocking its references first if a cycle looms);
//   - an owner deleting in the foreground: once no blocking dependent is left, drop its finalizer;
//   - an owner with the orphan finalizer: remove its references from every dependent, then the finalizer.

import type { Logger } from 'pino';
import type { KubeObject, OwnerReference } from '../../api/types.ts';
import type { GcApi, PropagationPolicy } from './gc-api.ts';
import { FINALIZER_FOREGROUND, FINALIZER_ORPHAN, type GraphBuilder } from './graph-builder.ts';
import type { GraphNode } from './graph.ts';
import { identityString, ownerIdentity, type ObjectIdentity } from './identity.ts';
import type { ResourceMapping } from './rest-mapper.ts';

/** What the worker does with the uid afterwards: done, or look again with backoff. */
export type Outcome = 'forget' | 'requeue';

/** Discovery does not know the kind (a CRD not yet discovered, or a bogus apiVersion): retried with backoff. */
export class MappingError extends Error {
  constructor(apiVersion: string, kind: string) {
    super(`no resource is known for ${apiVersion}, Kind=${kind}`);
    this.name = 'MappingError';
  }
}

/** The object changed between read and write: the whole decision is retried. */
export class ConflictError extends Error {
  constructor(what: string) {
    super(`${what} changed while being processed`);
    this.name = 'ConflictError';
  }
}

export interface CollectorDeps {
  api: GcApi;
  builder: GraphBuilder;
  /** Queues a uid for attemptToDelete (blocking dependents of a foreground owner). */
  enqueueDelete(uid: string): void;
  logger?: Logger;
  /** Patches of dependents running at once while orphaning (10). */
  orphanConcurrency?: number;
}

const INVALID_NAMESPACE = Symbol('cluster-scoped item with a namespaced owner');

interface Classified {
  solid: OwnerReference[];
  dangling: OwnerReference[];
  waitingForDependentsDeletion: OwnerReference[];
}

const MAX_WRITE_ATTEMPTS = 5;

export class Collector {
  readonly #api: GcApi;
  readonly #builder: GraphBuilder;
  readonly #deps: CollectorDeps;

  constructor(deps: CollectorDeps) {
    this.#api = deps.api;
    this.#builder = deps.builder;
    this.#deps = deps;
  }

  async attemptToDelete(uid: string, signal?: AbortSignal): Promise<Outcome> {
    const node = this.#builder.graph.get(uid);
    if (!node) return 'forget';
    // Deletion is a one-way trip: wait for the object to go, then its dependents are processed.
    if (node.beingDeleted && !node.deletingDependents) return 'forget';
    const m = this.#mapping(node.identity.apiVersion, node.identity.kind);
    if (!m.namespaced && node.identity.namespace && node.virtual) {
      // A virtual owner first named from a namespace turns out to be of a cluster-scoped kind.
      node.identity = { ...node.identity, namespace: '' };
    }
    const id = node.identity;
    if (m.namespaced && !id.namespace) {
      // A virtual owner of a namespaced kind named by a cluster-scoped object: there is nowhere to
      // look it up, and retrying will not change that (upstream forgets it too).
      return 'forget';
    }
    const latest = await this.#api.get(m, id.namespace, id.name, signal);
    if (!latest || latest.metadata.uid !== uid) {
      this.#deps.logger?.debug({ item: identityString(id) }, 'item not found; removing it from the graph');
      this.#builder.virtualDelete(id);
      return 'forget';
    }
    if (node.deletingDependents) {
      await this.#processDeletingDependents(node, m, latest, signal);
      return this.#observed(node);
    }
    const refs = latest.metadata.ownerReferences ?? [];
    if (refs.length === 0) return this.#observed(node);
    const classified = await this.#classify(node, refs, signal);
    if (classified === INVALID_NAMESPACE) {
      // Will not resolve on retry: a cluster-scoped object cannot be owned by a namespaced one.
      this.#deps.logger?.debug({ item: identityString(id) }, 'cluster-scoped item names a namespaced owner; ignoring');
      return 'forget';
    }
    const { solid, dangling, waitingForDependentsDeletion: waiting } = classified;
    if (solid.length > 0) {
      if (dangling.length === 0 && waiting.length === 0) return this.#observed(node);
      // References to foreground owners go too, or those owners would wait on this item forever.
      const drop = new Set([...dangling, ...waiting].map((r) => r.uid));
      this.#deps.logger?.debug({ item: identityString(id), remove: [...drop] }, 'removing dangling owner references');
      await this.#writeOwnerReferences(m, latest, refs.filter((r) => !drop.has(r.uid)), signal);
      return this.#observed(node);
    }
    let target = latest;
    let policy: PropagationPolicy;
    if (waiting.length > 0 && node.dependents.size > 0) {
      if ([...node.dependents].some((dep) => dep.deletingDependents)) {
        // An owner and a dependent of this item both wait on dependents: a possible cycle. Make
        // this item's references non-blocking before it is deleted in the foreground.
        const unblocked = refs.map((r) => (r.blockOwnerDeletion === true ? { ...r, blockOwnerDeletion: false } : r));
        target = await this.#writeOwnerReferences(m, latest, unblocked, signal);
      }
      policy = 'Foreground';
    } else {
      const finalizers = latest.metadata.finalizers ?? [];
      policy = finalizers.includes(FINALIZER_ORPHAN) ? 'Orphan' : finalizers.includes(FINALIZER_FOREGROUND) ? 'Foreground' : 'Background';
    }
    this.#deps.logger?.debug({ item: identityString(id), policy }, 'deleting object whose owners are all gone or being deleted');
    const result = await this.#api.delete(m, id.namespace, id.name, { uid, ...(target.metadata.resourceVersion ? { resourceVersion: target.metadata.resourceVersion } : {}) }, policy, signal);
    if (result === 'conflict') throw new ConflictError(identityString(id));
    return this.#observed(node);
  }

  async attemptToOrphan(uid: string, signal?: AbortSignal): Promise<Outcome> {
    const owner = this.#builder.graph.get(uid);
    if (!owner) return 'forget';
    const dependents = [...owner.dependents];
    const limit = Math.max(1, this.#deps.orphanConcurrency ?? 10);
    const errors: unknown[] = [];
    for (let i = 0; i < dependents.length; i += limit) {
      const batch = dependents.slice(i, i + limit).map((dep) => this.#removeReference(dep.identity, uid, signal).catch((err: unknown) => void errors.push(err)));
      await Promise.all(batch);
    }
    if (errors.length > 0) throw new AggregateError(errors, `orphaning the dependents of ${identityString(owner.identity)} failed`);
    const m = this.#mapping(owner.identity.apiVersion, owner.identity.kind);
    this.#deps.logger?.debug({ owner: identityString(owner.identity), dependents: dependents.length }, 'dependents orphaned; removing the orphan finalizer');
    await this.#removeFinalizer(m, owner.identity, FINALIZER_ORPHAN, undefined, signal);
    return 'forget';
  }

  #mapping(apiVersion: string, kind: string): ResourceMapping {
    const m = this.#api.mapping(apiVersion, kind);
    if (!m) throw new MappingError(apiVersion, kind);
    return m;
  }

  /** A node no informer has shown yet is looked at again later (it may have been added and removed while a watch was down). */
  #observed(node: GraphNode): Outcome {
    return node.virtual && this.#builder.graph.get(node.uid) === node ? 'requeue' : 'forget';
  }

  async #processDeletingDependents(node: GraphNode, m: ResourceMapping, latest: KubeObject, signal?: AbortSignal): Promise<void> {
    const blocking = node.blockingDependents();
    if (blocking.length === 0) {
      this.#deps.logger?.debug({ owner: identityString(node.identity) }, 'no blocking dependents left; removing the foregroundDeletion finalizer');
      await this.#removeFinalizer(m, node.identity, FINALIZER_FOREGROUND, latest, signal);
      return;
    }
    for (const dep of blocking) if (!dep.deletingDependents) this.#deps.enqueueDelete(dep.uid);
  }

  async #classify(item: GraphNode, refs: readonly OwnerReference[], signal?: AbortSignal): Promise<Classified | typeof INVALID_NAMESPACE> {
    const out: Classified = { solid: [], dangling: [], waitingForDependentsDeletion: [] };
    for (const ref of refs) {
      const owner = await this.#liveOwner(ref, item.identity, signal);
      if (owner === INVALID_NAMESPACE) return INVALID_NAMESPACE;
      if (owner === undefined) out.dangling.push(ref);
      else if (owner.metadata.deletionTimestamp && owner.metadata.finalizers?.includes(FINALIZER_FOREGROUND)) out.waitingForDependentsDeletion.push(ref);
      else out.solid.push(ref);
    }
    return out;
  }

  /** The owner `ref` names, read live; undefined when it is absent (404, or another uid under its name). */
  async #liveOwner(ref: OwnerReference, item: ObjectIdentity, signal?: AbortSignal): Promise<KubeObject | undefined | typeof INVALID_NAMESPACE> {
    const absent = this.#builder.absentOwners;
    if (absent.has(ownerIdentity(ref, '')) || absent.has(ownerIdentity(ref, item.namespace))) return undefined;
    const m = this.#mapping(ref.apiVersion, ref.kind);
    if (m.namespaced && !item.namespace) return INVALID_NAMESPACE;
    const namespace = m.namespaced ? item.namespace : '';
    const owner = await this.#api.get(m, namespace, ref.name, signal);
    if (!owner || owner.metadata.uid !== ref.uid) {
      absent.add(ownerIdentity(ref, namespace));
      return undefined;
    }
    return owner;
  }

  async #writeOwnerReferences(m: ResourceMapping, latest: KubeObject, refs: OwnerReference[], signal?: AbortSignal): Promise<KubeObject> {
    const result = await this.#api.patchMetadata(m, latest.metadata.namespace ?? '', latest.metadata.name ?? '', { resourceVersion: latest.metadata.resourceVersion ?? '', ownerReferences: refs.length > 0 ? refs : null }, signal);
    if (result === 'conflict') throw new ConflictError(`${m.resource} ${latest.metadata.name ?? ''}`);
    return result === 'gone' ? latest : result.object;
  }

  /** Removes the reference to `ownerUid` from `dependent`, re-reading it on conflicts. */
  async #removeReference(dependent: ObjectIdentity, ownerUid: string, signal?: AbortSignal): Promise<void> {
    const m = this.#mapping(dependent.apiVersion, dependent.kind);
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const obj = await this.#api.get(m, dependent.namespace, dependent.name, signal);
      if (!obj || obj.metadata.uid !== dependent.uid) return;
      const refs = obj.metadata.ownerReferences ?? [];
      const kept = refs.filter((r) => r.uid !== ownerUid);
      if (kept.length === refs.length) return;
      const result = await this.#api.patchMetadata(m, dependent.namespace, dependent.name, { resourceVersion: obj.metadata.resourceVersion ?? '', ownerReferences: kept.length > 0 ? kept : null }, signal);
      if (result !== 'conflict') return;
    }
    throw new ConflictError(identityString(dependent));
  }

  /** Removes `finalizer` from the object `id`, re-reading it on conflicts; a replaced or gone object is left alone. */
  async #removeFinalizer(m: ResourceMapping, id: ObjectIdentity, finalizer: string, first: KubeObject | undefined, signal?: AbortSignal): Promise<void> {
    let obj = first;
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      obj ??= await this.#api.get(m, id.namespace, id.name, signal);
      if (!obj || obj.metadata.uid !== id.uid) return;
      const finalizers = obj.metadata.finalizers ?? [];
      if (!finalizers.includes(finalizer)) return;
      const kept = finalizers.filter((f) => f !== finalizer);
      const result = await this.#api.patchMetadata(m, id.namespace, id.name, { resourceVersion: obj.metadata.resourceVersion ?? '', finalizers: kept }, signal);
      if (result !== 'conflict') return;
      obj = undefined;
    }
    throw new ConflictError(identityString(id));
  }
}
