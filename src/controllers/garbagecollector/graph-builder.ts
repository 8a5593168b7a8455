// Keeps the dependency graph in step with what the informers observe, as upstream's GraphBuilder
// processGraphChanges: every add, update and delete of any monitored object updates the graph
// synchronously (cheap map work, no I/O) and decides what the workers must look at:
//   - an owner no informer has shown yet becomes a virtual node, queued so a worker can verify it;
//   - an object starting deletion with the `orphan` finalizer goes to the orphan queue;
//   - one starting foreground deletion marks itself deletingDependents and queues its dependents;
//   - a deleted object queues its dependents (their owner is gone) and its foreground owners;
//   - a dependent losing a blocking reference wakes the foreground owner waiting on it.
// Workers report owners they found absent through virtualDelete, which removes the node unless
// some dependents name that uid with other coordinates (then only the matching ones are queued).

import type { KubeObject, OwnerReference } from '../../api/types.ts';
import { AbsentOwnerCache } from './absent-owner-cache.ts';
import { Graph, GraphNode } from './graph.ts';
import { identityString, matchesCoordinates, ownerIdentity, sameIdentity, type ObjectIdentity } from './identity.ts';

export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_FOREGROUND = 'foregroundDeletion';

/** Where the builder sends work; the collector's queues and event recorder in production. */
export interface GraphSinks {
  attemptToDelete(uid: string, options?: { rateLimited?: boolean }): void;
  attemptToOrphan(uid: string): void;
  /** A namespaced dependent names an owner observed in another namespace (upstream's OwnerRefInvalidNamespace). */
  invalidOwnerNamespace(dependent: ObjectIdentity, message: string): void;
}

export interface GraphBuilderOptions {
  /** Whether a kind is namespaced, when discovery knows it; virtual owners of cluster-scoped kinds get namespace ''. */
  namespaced?: (apiVersion: string, kind: string) => boolean | undefined;
  absentOwnerCacheSize?: number;
}

export type GraphEventType = 'add' | 'update' | 'delete';

const beingDeleted = (obj: KubeObject): boolean => !!obj.metadata.deletionTimestamp;
const hasFinalizer = (obj: KubeObject, f: string): boolean => obj.metadata.finalizers?.includes(f) ?? false;

/** True when `obj` is being deleted with finalizer `f` and `old` (if any) was not. */
function deletionStartsWithFinalizer(old: KubeObject | undefined, obj: KubeObject, f: string): boolean {
  if (!beingDeleted(obj) || !hasFinalizer(obj, f)) return false;
  return !old || !beingDeleted(old) || !hasFinalizer(old, f);
}

interface ReferenceDiffs {
  added: OwnerReference[];
  removed: OwnerReference[];
  changed: { old: OwnerReference; now: OwnerReference }[];
}

function referencesDiffs(old: readonly OwnerReference[], now: readonly OwnerReference[]): ReferenceDiffs {
  const oldByUid = new Map(old.map((r) => [r.uid, r]));
  const nowUids = new Set(now.map((r) => r.uid));
  const diffs: ReferenceDiffs = { added: [], removed: old.filter((r) => !nowUids.has(r.uid)), changed: [] };
  for (const r of now) {
    const prev = oldByUid.get(r.uid);
    if (!prev) diffs.added.push(r);
    else if (JSON.stringify(prev) !== JSON.stringify(r)) diffs.changed.push({ old: prev, now: r });
  }
  return diffs;
}

/** Splits dependents by whether their references to `owner.uid` agree with `owner`'s coordinates and namespace. */
export function partitionDependents(dependents: Iterable<GraphNode>, owner: ObjectIdentity): { matching: GraphNode[]; nonmatching: GraphNode[] } {
  const matching: GraphNode[] = [];
  const nonmatching: GraphNode[] = [];
  for (const dep of dependents) {
    let match = false;
    let mismatch = false;
    if (owner.namespace && owner.namespace !== dep.identity.namespace) {
      mismatch = true;
    } else {
      for (const ref of dep.owners) {
        if (ref.uid !== owner.uid) continue;
        if (matchesCoordinates(ref, owner)) match = true;
        else mismatch = true;
      }
    }
    if (match) matching.push(dep);
    if (mismatch) nonmatching.push(dep);
  }
  return { matching, nonmatching };
}

/** Another identity dependents give `absent.uid`, to keep verifying after `absent` was refuted. */
function alternateOwnerIdentity(dependents: GraphNode[], absent: ObjectIdentity): ObjectIdentity | undefined {
  const clusterScoped = absent.namespace === '';
  const sorted = [...dependents].sort((a, b) => identityString(a.identity).localeCompare(identityString(b.identity)));
  for (const dep of sorted) {
    for (const ref of dep.owners) {
      if (ref.uid !== absent.uid) continue;
      if (matchesCoordinates(ref, absent) && (clusterScoped || absent.namespace === dep.identity.namespace)) continue;
      const candidate = ownerIdentity(ref, dep.identity.namespace);
      // The absent identity proved this apiVersion/kind cluster-scoped.
      if (clusterScoped && ref.apiVersion === absent.apiVersion && ref.kind === absent.kind) candidate.namespace = '';
      if (!sameIdentity(candidate, absent)) return candidate;
    }
  }
  return undefined;
}

export class GraphBuilder {
  readonly graph = new Graph();
  readonly absentOwners: AbsentOwnerCache;
  readonly #sinks: GraphSinks;
  readonly #namespaced: (apiVersion: string, kind: string) => boolean | undefined;

  constructor(sinks: GraphSinks, options: GraphBuilderOptions = {}) {
    this.#sinks = sinks;
    this.#namespaced = options.namespaced ?? (() => undefined);
    this.absentOwners = new AbsentOwnerCache(options.absentOwnerCacheSize);
  }

  /** An informer event; `identity` carries the monitor's apiVersion and kind (list items may lack them). */
  observe(type: GraphEventType, identity: ObjectIdentity, obj: KubeObject, old?: KubeObject): void {
    const existing = this.graph.get(identity.uid);
    if (type === 'delete') {
      if (existing) this.#removeNode(existing, identity);
      return;
    }
    const owners = obj.metadata.ownerReferences ?? [];
    if (!existing) {
      const node = new GraphNode(identity, owners, false);
      node.beingDeleted = beingDeleted(obj);
      node.deletingDependents = node.beingDeleted && hasFinalizer(obj, FINALIZER_FOREGROUND);
      this.graph.set(node);
      this.#addDependentToOwners(node, owners);
      this.#processTransitions(old, obj, node);
      return;
    }
    if (existing.virtual) {
      // Dependents vouched for this uid; now an informer shows it. Dependents that named it with
      // other coordinates (or from another namespace) are re-verified.
      if (!sameIdentity(existing.identity, identity)) {
        for (const dep of partitionDependents(existing.dependents, identity).nonmatching) {
          if (identity.namespace && dep.identity.namespace !== identity.namespace) this.#reportInvalidNamespace(dep, identity.uid);
          this.#sinks.attemptToDelete(dep.uid);
        }
        existing.identity = identity;
      }
      existing.virtual = false;
    }
    const diffs = referencesDiffs(existing.owners, owners);
    if (diffs.added.length || diffs.removed.length || diffs.changed.length) {
      this.#addUnblockedOwnersToDeleteQueue(diffs);
      existing.owners = owners;
      this.#addDependentToOwners(existing, diffs.added);
      for (const ref of diffs.removed) this.graph.get(ref.uid)?.dependents.delete(existing);
    }
    if (beingDeleted(obj)) existing.beingDeleted = true;
    this.#processTransitions(old, obj, existing);
  }

  /** A worker found `deleted` absent (404 or another uid under its name). */
  virtualDelete(deleted: ObjectIdentity): void {
    const existing = this.graph.get(deleted.uid);
    if (!existing) return;
    if (existing.virtual) {
      const { matching, nonmatching } = partitionDependents(existing.dependents, deleted);
      if (nonmatching.length === 0) return this.#removeNode(existing, deleted);
      // Some dependents disagree on the owner's coordinates: keep the node for them.
      if (matching.length > 0) {
        this.absentOwners.add(deleted);
        for (const dep of matching) this.#sinks.attemptToDelete(dep.uid);
      }
      if (sameIdentity(existing.identity, deleted)) {
        const alternate = alternateOwnerIdentity(nonmatching, deleted);
        if (alternate) {
          existing.identity = alternate;
          this.#sinks.attemptToDelete(existing.uid, { rateLimited: true });
        }
      }
      return;
    }
    if (!sameIdentity(existing.identity, deleted)) {
      // The observed object is real; only dependents that named it by the refuted identity are affected.
      const { matching } = partitionDependents(existing.dependents, deleted);
      if (matching.length > 0) {
        this.absentOwners.add(deleted);
        for (const dep of matching) this.#sinks.attemptToDelete(dep.uid);
      }
      return;
    }
    this.#removeNode(existing, deleted);
  }

  #removeNode(node: GraphNode, identity: ObjectIdentity): void {
    this.graph.delete(node.uid);
    for (const ref of node.owners) this.graph.get(ref.uid)?.dependents.delete(node);
    if (node.dependents.size > 0) this.absentOwners.add(identity);
    for (const dep of node.dependents) this.#sinks.attemptToDelete(dep.uid);
    for (const ref of node.owners) {
      const owner = this.graph.get(ref.uid);
      // The owner may be waiting for this dependent to go.
      if (owner?.deletingDependents) this.#sinks.attemptToDelete(owner.uid);
    }
  }

  #addDependentToOwners(node: GraphNode, refs: readonly OwnerReference[]): void {
    let potentiallyInvalid = false;
    for (const ref of refs) {
      let owner = this.graph.get(ref.uid);
      if (!owner) {
        const scope = this.#namespaced(ref.apiVersion, ref.kind);
        owner = new GraphNode(ownerIdentity(ref, scope === false ? '' : node.identity.namespace), [], true);
        this.graph.set(owner);
        owner.dependents.add(node);
        this.#sinks.attemptToDelete(owner.uid);
        continue;
      }
      owner.dependents.add(node);
      if (potentiallyInvalid) continue;
      const ownerNamespace = owner.identity.namespace;
      if (ownerNamespace && ownerNamespace !== node.identity.namespace) {
        // A namespaced owner resolves only in its dependent's namespace.
        if (!owner.virtual) this.#reportInvalidNamespace(node, ref.uid);
        potentiallyInvalid = true;
      } else if (!matchesCoordinates(ref, owner.identity)) {
        potentiallyInvalid = true;
      } else if (!ownerNamespace && node.identity.namespace && owner.virtual && this.#namespaced(ref.apiVersion, ref.kind) === undefined) {
        // A virtual owner first named by a cluster-scoped object may really be namespaced.
        potentiallyInvalid = true;
      }
    }
    // The workers verify with live GETs; if the owners are solid this is a no-op.
    if (potentiallyInvalid) this.#sinks.attemptToDelete(node.uid);
  }

  #addUnblockedOwnersToDeleteQueue(diffs: ReferenceDiffs): void {
    const wake = (uid: string): void => {
      const owner = this.graph.get(uid);
      if (owner?.deletingDependents) this.#sinks.attemptToDelete(owner.uid);
    };
    for (const ref of diffs.removed) if (ref.blockOwnerDeletion === true) wake(ref.uid);
    for (const { old, now } of diffs.changed) if (old.blockOwnerDeletion === true && now.blockOwnerDeletion !== true) wake(now.uid);
  }

  #processTransitions(old: KubeObject | undefined, obj: KubeObject, node: GraphNode): void {
    if (deletionStartsWithFinalizer(old, obj, FINALIZER_ORPHAN)) {
      this.#sinks.attemptToOrphan(node.uid);
      return;
    }
    if (deletionStartsWithFinalizer(old, obj, FINALIZER_FOREGROUND)) {
      node.deletingDependents = true;
      for (const dep of node.dependents) this.#sinks.attemptToDelete(dep.uid);
      this.#sinks.attemptToDelete(node.uid);
    }
  }

  #reportInvalidNamespace(dependent: GraphNode, ownerUid: string): void {
    const ref = dependent.owners.find((r) => r.uid === ownerUid);
    if (!ref) return;
    const invalid = ownerIdentity(ref, dependent.identity.namespace);
    this.#sinks.invalidOwnerNamespace(dependent.identity, `ownerRef ${identityString(invalid)} does not exist in namespace "${dependent.identity.namespace}"`);
  }
}
