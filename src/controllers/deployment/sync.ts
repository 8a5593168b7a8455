// One Deployment sync (upstream's syncDeployment after the ReplicaSets are claimed): a Deployment
// being deleted only has its status synced; the paused condition is kept current; a paused
// Deployment or one whose replicas changed is scaled (no rollout); otherwise the strategy rolls
// out the template.

import type { ReplicaSet } from '../replicaset/index.ts';
import { cleanupDeployment } from './cleanup.ts';
import { getCondition, newCondition, setCondition } from './conditions.ts';
import { replicaSetsAndSyncRevision } from './new-replica-set.ts';
import { rolloutRecreate, type PodMap } from './recreate.ts';
import { rolloutRolling } from './rolling.ts';
import { isScalingEvent, scale } from './scale.ts';
import { syncDeploymentStatus } from './sync-status.ts';
import type { SyncContext } from './sync-context.ts';
import { deploymentReplicas, hasProgressDeadline, isRecreate, PROGRESSING, Reason } from './types.ts';

export async function syncDeployment(sc: SyncContext, rsList: readonly ReplicaSet[], podMap: () => PodMap): Promise<void> {
  if (sc.d.metadata.deletionTimestamp) {
    const { newRS, oldRSs } = await replicaSetsAndSyncRevision(sc, rsList, false);
    return syncDeploymentStatus(sc, [...oldRSs, newRS], newRS);
  }
  await checkPausedConditions(sc);
  if (sc.d.spec?.paused) return scaleOnly(sc, rsList);
  const { newRS, oldRSs } = await replicaSetsAndSyncRevision(sc, rsList, false);
  // The new ReplicaSet may just have been updated (revision, annotations): later steps start from that copy.
  const current = newRS ? rsList.map((rs) => (rs.metadata.uid === newRS.metadata.uid ? newRS : rs)) : rsList;
  if (isScalingEvent(deploymentReplicas(sc.d), [...oldRSs, newRS])) return scaleOnly(sc, current);
  if (isRecreate(sc.d)) return rolloutRecreate(sc, current, podMap);
  return rolloutRolling(sc, current);
}

/** Upstream's sync: resize without rolling out; a paused Deployment also trims its history. */
async function scaleOnly(sc: SyncContext, rsList: readonly ReplicaSet[]): Promise<void> {
  const { newRS, oldRSs } = await replicaSetsAndSyncRevision(sc, rsList, false);
  await scale(sc, newRS, oldRSs);
  if (sc.d.spec?.paused) await cleanupDeployment(sc, oldRSs);
  // Sizes changed by scale() show in the ReplicaSets' events and the next sync's status.
  return syncDeploymentStatus(sc, [...oldRSs, newRS], newRS);
}

/**
 * Progressing is Unknown/DeploymentPaused while paused and Unknown/DeploymentResumed once resumed
 * (which restarts the progress deadline); a timed-out rollout keeps its condition.
 */
async function checkPausedConditions(sc: SyncContext): Promise<void> {
  if (!hasProgressDeadline(sc.d)) return;
  const cond = getCondition(sc.d.status, PROGRESSING);
  if (cond?.reason === Reason.ProgressDeadlineExceeded) return;
  const pausedCond = cond?.reason === Reason.DeploymentPaused;
  const paused = !!sc.d.spec?.paused;
  if (paused === pausedCond) return;
  const status = sc.statusCopy();
  if (paused) setCondition(status, newCondition(PROGRESSING, 'Unknown', Reason.DeploymentPaused, 'Deployment is paused', sc.now()));
  else setCondition(status, newCondition(PROGRESSING, 'Unknown', Reason.DeploymentResumed, 'Deployment is resumed', sc.now()));
  await sc.writeStatus(status);
}
