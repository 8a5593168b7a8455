// The RollingUpdate strategy (upstream's rolloutRolling): grow the new ReplicaSet while the total
// stays within replicas + maxSurge; shrink old ones while availability stays at least replicas -
// maxUnavailable, first taking away old pods that are not available anyway (they cost no
// availability and would otherwise block the rollout), oldest ReplicaSets first.

import type { ReplicaSet } from '../replicaset/index.ts';
import { cleanupDeployment } from './cleanup.ts';
import { maxUnavailable } from './fenceposts.ts';
import { replicaSetsAndSyncRevision } from './new-replica-set.ts';
import { activeSets, availableCount, byCreation, newRSNewReplicas, rsReplicas, specCount } from './replica-set-util.ts';
import { deploymentComplete } from './status.ts';
import { syncRolloutStatus } from './sync-status.ts';
import type { SyncContext } from './sync-context.ts';
import { deploymentReplicas } from './types.ts';

export async function rolloutRolling(sc: SyncContext, rsList: readonly ReplicaSet[]): Promise<void> {
  const { newRS, oldRSs } = await replicaSetsAndSyncRevision(sc, rsList, true);
  if (!newRS) return;
  let allRSs: ReplicaSet[] = [...oldRSs, newRS];

  if (await reconcileNewReplicaSet(sc, allRSs, newRS)) return syncRolloutStatus(sc, allRSs, newRS);
  const { scaled, oldRSs: updatedOld } = await reconcileOldReplicaSets(sc, allRSs, activeSets(oldRSs), newRS);
  if (scaled) {
    allRSs = [...oldRSs.map((rs) => updatedOld.find((u) => u.metadata.uid === rs.metadata.uid) ?? rs), newRS];
    return syncRolloutStatus(sc, allRSs, newRS);
  }
  if (deploymentComplete(sc.d, sc.d.status ?? {})) await cleanupDeployment(sc, oldRSs);
  return syncRolloutStatus(sc, allRSs, newRS);
}

async function reconcileNewReplicaSet(sc: SyncContext, allRSs: readonly ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
  const replicas = deploymentReplicas(sc.d);
  if (rsReplicas(newRS) === replicas) return false;
  if (rsReplicas(newRS) > replicas) return (await sc.scaleAndRecord(newRS, replicas)).scaled;
  return (await sc.scaleAndRecord(newRS, newRSNewReplicas(sc.d, allRSs, newRS, (rs) => sc.livePods(rs)))).scaled;
}

/**
 * How far old ReplicaSets may shrink: all pods - minAvailable - the new ReplicaSet's pods that are
 * not available yet (they may never be; counting them as available could take availability
 * below the floor).
 */
export function maxScaledDown(d: SyncContext['d'], allRSs: readonly ReplicaSet[], newRS: ReplicaSet): number {
  const minAvailable = deploymentReplicas(d) - maxUnavailable(d);
  const newUnavailable = rsReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
  return specCount(allRSs) - minAvailable - newUnavailable;
}

async function reconcileOldReplicaSets(sc: SyncContext, allRSs: ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet): Promise<{ scaled: boolean; oldRSs: ReplicaSet[] }> {
  if (specCount(oldRSs) === 0) return { scaled: false, oldRSs };
  const budget = maxScaledDown(sc.d, allRSs, newRS);
  if (budget <= 0) return { scaled: false, oldRSs };
  const cleaned = await cleanupUnhealthyReplicas(sc, oldRSs, budget);
  const scaledDown = await scaleDownOldForRollingUpdate(sc, [...cleaned.oldRSs, newRS], cleaned.oldRSs);
  return { scaled: cleaned.count + scaledDown > 0, oldRSs: cleaned.oldRSs };
}

/** Takes unavailable pods away from old ReplicaSets, at most `budget` in all, oldest first. */
async function cleanupUnhealthyReplicas(sc: SyncContext, oldRSs: ReplicaSet[], budget: number): Promise<{ oldRSs: ReplicaSet[]; count: number }> {
  const sorted = [...oldRSs].sort(byCreation);
  let total = 0;
  for (const [i, rs] of sorted.entries()) {
    if (total >= budget) break;
    const size = rsReplicas(rs);
    const available = rs.status?.availableReplicas ?? 0;
    if (size === 0 || size === available) continue;
    const n = Math.min(budget - total, size - available);
    const { rs: updated } = await sc.scaleAndRecord(rs, size - n);
    total += n;
    sorted[i] = updated;
  }
  return { oldRSs: sorted, count: total };
}

/** Shrinks old ReplicaSets, oldest first, by as many pods as are available beyond minAvailable. */
async function scaleDownOldForRollingUpdate(sc: SyncContext, allRSs: readonly ReplicaSet[], oldRSs: readonly ReplicaSet[]): Promise<number> {
  const minAvailable = deploymentReplicas(sc.d) - maxUnavailable(sc.d);
  const available = availableCount(allRSs);
  if (available <= minAvailable) return 0;
  const target = available - minAvailable;
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (total >= target) break;
    const size = rsReplicas(rs);
    if (size === 0) continue;
    const n = Math.min(size, target - total);
    await sc.scaleAndRecord(rs, size - n);
    total += n;
  }
  return total;
}
