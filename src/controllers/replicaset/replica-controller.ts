// Wiring of the ReplicaSet and ReplicationController controllers: shared informers for the kind and
// for pods (both indexed by controller uid), the pod event handlers that feed expectations and
// find the owner to sync (upstream's addPod/updatePod/deletePod), and the workqueue.

import { objectKey, realClock, type Informer } from '../../client/index.ts';
import { jsonEqual } from '../../machinery/index.ts';
import type { OwnerReference } from '../../api/types.ts';
import { common, Controller, type ControllerContext } from '../runtime/index.ts';
import { CONTROLLER_UID_INDEX, controllerOf, controllerUidIndex, PODS, type Pod } from '../util/index.ts';
import { REPLICA_SET_KIND, REPLICATION_CONTROLLER_KIND, type ReplicaKind } from './kinds.ts';
import { PodExpectations } from './pod-expectations.ts';
import { ReplicaReconciler } from './replica-reconciler.ts';
import type { Replicated } from './types.ts';

export interface ReplicaControllerOptions {
  /** Concurrent syncs (upstream's --concurrent-replicaset-syncs, 5). */
  workers?: number;
  burstReplicas?: number;
}

export function replicaSetController(ctx: ControllerContext, options: ReplicaControllerOptions = {}): Controller {
  return replicaController(ctx, REPLICA_SET_KIND, options);
}

export function replicationControllerController(ctx: ControllerContext, options: ReplicaControllerOptions = {}): Controller {
  return replicaController(ctx, REPLICATION_CONTROLLER_KIND, options);
}

export function replicaController(ctx: ControllerContext, kind: ReplicaKind, options: ReplicaControllerOptions = {}): Controller {
  const indexers = { [CONTROLLER_UID_INDEX]: controllerUidIndex };
  const owners = ctx.informers.informerFor<Replicated>(kind.resource, { indexers });
  const pods = ctx.informers.informerFor<Pod>(PODS, { indexers });
  const clock = ctx.clock ?? realClock;
  const expectations = new PodExpectations({ clock });
  const reconciler = new ReplicaReconciler({
    kind,
    client: ctx.client,
    recorder: ctx.recorder,
    owners: owners.lister,
    pods: pods.lister,
    expectations,
    clock,
    ...(ctx.logger ? { logger: ctx.logger } : {}),
    ...(options.burstReplicas !== undefined ? { burstReplicas: options.burstReplicas } : {}),
  });
  const controller = new Controller({ name: kind.name, reconciler, workers: options.workers ?? 5, ...common(ctx) });
  controller.watch(owners);
  // Pod events need more than a key (expectations, the old owner of a changed pod): the handlers
  // below enqueue themselves; watch() only makes the controller run the pod informer.
  controller.watch(pods, () => undefined);
  pods.addEventHandler(podHandlers(kind, owners, expectations, (key) => controller.queue.add(key)));
  return controller;
}

/** Upstream's pod event handlers of the ReplicaSet controller. */
export function podHandlers(kind: ReplicaKind, owners: Informer<Replicated>, expectations: PodExpectations, enqueue: (key: string) => void) {
  const resolve = (namespace: string | undefined, ref: OwnerReference | undefined): Replicated | undefined => {
    if (!ref || ref.kind !== kind.kind) return undefined;
    const owner = owners.lister.get(namespace, ref.name);
    return owner && owner.metadata.uid === ref.uid ? owner : undefined;
  };
  /** Owners whose selector matches an orphan, so one of them may adopt it; empty selectors match nothing here. */
  const matching = (pod: Pod): Replicated[] =>
    owners.lister.list(pod.metadata.namespace ?? '').filter((o) => {
      try {
        const sel = kind.selectorOf(o);
        return !sel.isEverything() && !sel.isNothing() && sel.matches(pod.metadata.labels);
      } catch {
        return false;
      }
    });
  const onDelete = (pod: Pod): void => {
    const owner = resolve(pod.metadata.namespace, controllerOf(pod));
    if (!owner) return;
    const key = objectKey(owner);
    expectations.deletionObserved(key, objectKey(pod));
    enqueue(key);
  };
  return {
    onAdd(pod: Pod): void {
      // A pod that is already being deleted (seen after a restart) is no creation to observe.
      if (pod.metadata.deletionTimestamp) return onDelete(pod);
      const ref = controllerOf(pod);
      if (ref) {
        const owner = resolve(pod.metadata.namespace, ref);
        if (!owner) return;
        const key = objectKey(owner);
        expectations.creationObserved(key);
        enqueue(key);
        return;
      }
      for (const o of matching(pod)) enqueue(objectKey(o));
    },
    onUpdate(old: Pod, cur: Pod): void {
      if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
      const labelsChanged = !jsonEqual((old.metadata.labels ?? {}), (cur.metadata.labels ?? {}));
      if (cur.metadata.deletionTimestamp) {
        onDelete(cur);
        if (labelsChanged) onDelete(old);
        return;
      }
      const curRef = controllerOf(cur);
      const oldRef = controllerOf(old);
      const refChanged = !jsonEqual((curRef ?? null), (oldRef ?? null));
      if (refChanged && oldRef) {
        const previous = resolve(old.metadata.namespace, oldRef);
        if (previous) enqueue(objectKey(previous));
      }
      if (curRef) {
        const owner = resolve(cur.metadata.namespace, curRef);
        if (owner) enqueue(objectKey(owner));
        return;
      }
      if (labelsChanged || refChanged) for (const o of matching(cur)) enqueue(objectKey(o));
    },
    onDelete,
  };
}
