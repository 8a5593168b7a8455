// Which nodes need a daemon pod and which daemon pods must go (upstream's manage and
// podsShouldBeOnNode): a node that should run the DaemonSet and has no pod gets one; on a node
// that may keep its pod, failed pods are deleted (with backoff), succeeded ones too, and excess
// pods are pruned (the oldest kept; when surging, at most one old and one new); a node that must
// not run it loses all its pods; pods pinned to nodes that no longer exist are deleted.

import { isPodAvailable, isPodReady, podPhase, type Pod } from '../util/pods.ts';
import { CONTROLLER_REVISION_HASH_LABEL } from '../history/index.ts';
import { compareDaemonPods } from './daemon-pods.ts';
import type { Placement } from './placement.ts';
import type { Node } from './types.ts';

export interface ManageContext {
  hash: string;
  /** maxSurge is not zero: an old and a new pod may share a node during an update. */
  allowsSurge: boolean;
  minReadySeconds: number;
  nowMs: number;
  /** Whether a failed pod on `node` may be deleted now; false while backing off. */
  mayDeleteFailed(node: string): boolean;
}

export interface ManagePlan {
  nodesNeedingPods: string[];
  podsToDelete: Pod[];
  /** Failed pods being deleted, for a Warning event each. */
  failedPods: { pod: Pod; node: string }[];
}

export function podsShouldBeOnNode(node: string, placement: Placement, daemonPods: readonly Pod[] | undefined, c: ManageContext, plan: ManagePlan): void {
  const exists = daemonPods !== undefined && daemonPods.length > 0;
  if (placement.shouldRun && !exists) {
    plan.nodesNeedingPods.push(node);
    return;
  }
  if (!placement.shouldContinueRunning) {
    if (exists) for (const pod of daemonPods) if (!pod.metadata.deletionTimestamp) plan.podsToDelete.push(pod);
    return;
  }
  const running: Pod[] = [];
  for (const pod of daemonPods ?? []) {
    if (pod.metadata.deletionTimestamp) continue;
    const phase = podPhase(pod);
    if (phase === 'Failed') {
      if (!c.mayDeleteFailed(node)) continue;
      plan.failedPods.push({ pod, node });
      plan.podsToDelete.push(pod);
    } else if (phase === 'Succeeded') {
      plan.podsToDelete.push(pod);
    } else {
      running.push(pod);
    }
  }
  running.sort(compareDaemonPods);
  if (!c.allowsSurge) {
    // Without surge a node runs one pod: keep the oldest.
    plan.podsToDelete.push(...running.slice(1));
    return;
  }
  if (running.length <= 1) {
    if (running.length === 0 && placement.shouldRun) plan.nodesNeedingPods.push(node);
    return;
  }
  // Surging: keep the oldest new pod and the oldest old pod; the old one goes once it is not
  // ready or the new one is available.
  let oldestNew: Pod | undefined;
  let oldestOld: Pod | undefined;
  for (const pod of running) {
    const isNew = pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] === c.hash;
    if (isNew && !oldestNew) oldestNew = pod;
    else if (!isNew && !oldestOld) oldestOld = pod;
    else plan.podsToDelete.push(pod);
  }
  if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodAvailable(oldestNew, c.minReadySeconds, c.nowMs))) plan.podsToDelete.push(oldestOld);
}

/** The manage plan over all nodes, plus unscheduled pods pinned to nodes that are gone. */
export function planManage(nodes: readonly Node[], placementOf: (node: Node) => Placement, nodeToPods: ReadonlyMap<string, Pod[]>, c: ManageContext): ManagePlan {
  const plan: ManagePlan = { nodesNeedingPods: [], podsToDelete: [], failedPods: [] };
  const known = new Set<string>();
  for (const node of nodes) {
    const name = node.metadata.name ?? '';
    known.add(name);
    podsShouldBeOnNode(name, placementOf(node), nodeToPods.get(name), c, plan);
  }
  for (const [name, pods] of nodeToPods) {
    if (known.has(name)) continue;
    for (const pod of pods) if (!pod.spec?.nodeName && !pod.metadata.deletionTimestamp) plan.podsToDelete.push(pod);
  }
  return plan;
}
