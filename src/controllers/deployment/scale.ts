// Scaling without a rollout (upstream's scale): a Deployment whose replicas changed, or that is
// paused, resizes the one ReplicaSet running pods; when the new ReplicaSet is saturated the old
// ones go to zero; otherwise a rolling Deployment spreads the change proportionally.

import type { ReplicaSet } from '../replicaset/index.ts';
import { proportionalPlan } from './proportion.ts';
import { activeSets, findActiveOrLatest, isSaturated, rsReplicas } from './replica-set-util.ts';
import type { SyncContext } from './sync-context.ts';
import { DESIRED_REPLICAS, deploymentReplicas, isRollingUpdate } from './types.ts';

export async function scale(sc: SyncContext, newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): Promise<void> {
  const replicas = deploymentReplicas(sc.d);
  const only = findActiveOrLatest(newRS, oldRSs);
  if (only) {
    if (rsReplicas(only) !== replicas) await sc.scaleAndRecord(only, replicas);
    return;
  }
  if (isSaturated(sc.d, newRS)) {
    for (const old of activeSets(oldRSs)) await sc.scaleAndRecord(old, 0);
    return;
  }
  if (!isRollingUpdate(sc.d)) return;
  const plan = proportionalPlan(sc.d, [...oldRSs, newRS]);
  // Stop at the first failure: the Deployment is synced again and the plan recomputed.
  for (const { rs, size } of plan.sizes) await sc.scaleReplicaSet(rs, size, plan.operation);
}

/** Some running ReplicaSet was sized for a different replica count than the Deployment has now. */
export function isScalingEvent(replicas: number, sets: readonly (ReplicaSet | undefined)[]): boolean {
  for (const rs of activeSets(sets)) {
    const raw = rs.metadata.annotations?.[DESIRED_REPLICAS];
    if (raw === undefined || !/^-?\d+$/.test(raw)) continue;
    if (Number(raw) !== replicas) return true;
  }
  return false;
}
