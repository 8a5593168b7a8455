// Upstream's daemonset controller wiring: keys are DaemonSets ("ns/name"). Pod events lower the
// owner's expectations and enqueue it (orphans: every DaemonSet selecting them); revision events
// enqueue their owner; a node added enqueues the DaemonSets that should run there, a node whose
// labels, taints or conditions changed those whose placement on it changed, a node removed all.

import { realClock, type Informer } from '../../client/index.ts';
import { jsonEqual, selectorFromLabelSelector } from '../../machinery/index.ts';
import type { ControllerRevision } from '../history/index.ts';
import { common, type ControllerContext } from '../runtime/context.ts';
import { Controller } from '../runtime/controller.ts';
import { Expectations } from '../runtime/expectations.ts';
import { controllerOf } from '../util/owner-refs.ts';
import type { Pod } from '../util/pods.ts';
import { CONTROLLER_REVISIONS, DAEMON_SETS, NODES, PODS } from '../util/refs.ts';
import { DaemonSetReconciler } from './daemonset-reconciler.ts';
import { FailedPodBackoff } from './failed-pod-backoff.ts';
import { nodeShouldRunDaemonPod } from './placement.ts';
import type { DaemonSet, Node } from './types.ts';

/** Upstream's --concurrent-daemonset-syncs default. */
export const DAEMON_SET_WORKERS = 2;

const keyOf = (ds: DaemonSet): string => `${ds.metadata.namespace ?? ''}/${ds.metadata.name ?? ''}`;

/** The DaemonSet controlling `obj`, or for an orphan every DaemonSet of its namespace selecting it. */
function ownersOf(daemonSets: Informer<DaemonSet>, obj: Pod | ControllerRevision): string[] {
  const ns = obj.metadata.namespace ?? '';
  const ref = controllerOf(obj);
  if (ref) {
    if (ref.kind !== 'DaemonSet') return [];
    const ds = daemonSets.lister.get(ns, ref.name);
    return ds && ds.metadata.uid === ref.uid ? [keyOf(ds)] : [];
  }
  return daemonSets.lister
    .list(ns)
    .filter((ds) => {
      try {
        const selector = selectorFromLabelSelector(ds.spec.selector);
        return !selector.isEverything() && selector.matches(obj.metadata.labels);
      } catch {
        return false;
      }
    })
    .map(keyOf);
}

/** What about a node decides placement: labels, taints and the like, and conditions without their times. */
function placementRelevant(node: Node): unknown {
  const conditions = (node.status?.conditions ?? []).map(({ type, status, reason, message }) => ({ type, status, reason, message }));
  return { labels: node.metadata.labels ?? {}, spec: node.spec ?? {}, conditions };
}

export function daemonSetController(ctx: ControllerContext): Controller {
  const daemonSets = ctx.informers.informerFor<DaemonSet>(DAEMON_SETS);
  const pods = ctx.informers.informerFor<Pod>(PODS);
  const nodes = ctx.informers.informerFor<Node>(NODES);
  const revisions = ctx.informers.informerFor<ControllerRevision>(CONTROLLER_REVISIONS);
  const clock = ctx.clock ?? realClock;
  const expectations = new Expectations({ clock });
  const backoff = new FailedPodBackoff(clock);
  const reconciler = new DaemonSetReconciler({ client: ctx.client, recorder: ctx.recorder, daemonSets, pods, nodes, revisions, expectations, backoff, clock, logger: ctx.logger });
  const controller = new Controller({ name: 'daemonset', reconciler, workers: DAEMON_SET_WORKERS, ...common(ctx) })
    .watch(daemonSets)
    .watch(pods, (pod) => ownersOf(daemonSets, pod))
    .watch(revisions, (r) => ownersOf(daemonSets, r))
    .watch(nodes, () => undefined);
  const enqueue = (keys: string[]): void => keys.forEach((k) => controller.queue.add(k));

  // Expectations: creations are observed on add, deletions when a pod starts terminating or goes.
  const ownerKey = (pod: Pod): string | undefined => {
    const ref = controllerOf(pod);
    return ref?.kind === 'DaemonSet' ? `${pod.metadata.namespace ?? ''}/${ref.name}` : undefined;
  };
  pods.addEventHandler({
    onAdd: (pod) => {
      const key = ownerKey(pod);
      if (!key) return;
      if (pod.metadata.deletionTimestamp) expectations.deletionObserved(key);
      else expectations.creationObserved(key);
    },
    onUpdate: (old, cur) => {
      const key = ownerKey(cur);
      if (key && cur.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) expectations.deletionObserved(key);
      // Released or relabelled away: the DaemonSet it left looks again too.
      if (controllerOf(old)?.uid !== controllerOf(cur)?.uid || !jsonEqual(old.metadata.labels ?? {}, cur.metadata.labels ?? {})) enqueue(ownersOf(daemonSets, old));
    },
    onDelete: (pod) => {
      const key = ownerKey(pod);
      if (key) expectations.deletionObserved(key);
    },
  });

  nodes.addEventHandler({
    onAdd: (node) => enqueue(daemonSets.lister.list().filter((ds) => nodeShouldRunDaemonPod(node, ds).shouldRun).map(keyOf)),
    onUpdate: (old, cur) => {
      if (jsonEqual(placementRelevant(old), placementRelevant(cur))) return;
      enqueue(
        daemonSets.lister
          .list()
          .filter((ds) => !jsonEqual(nodeShouldRunDaemonPod(old, ds), nodeShouldRunDaemonPod(cur, ds)))
          .map(keyOf),
      );
    },
    onDelete: () => enqueue(daemonSets.lister.list().map(keyOf)),
  });
  return controller;
}
