// Rollout status with progress (upstream's syncRolloutStatus): on top of calculateStatus, the
// Progressing condition — NewReplicaSetAvailable once complete, ReplicaSetUpdated (lastUpdateTime
// refreshed) whenever pods moved, ProgressDeadlineExceeded when nothing moved for
// progressDeadlineSeconds — and ReplicaFailure copied from the ReplicaSets. When nothing changed
// and the rollout is still going, it says when to look again for the deadline.

import type { ReplicaSet } from '../replicaset/index.ts';
import { getCondition, newCondition, removeCondition, setCondition } from './conditions.ts';
import { calculateStatus, deploymentComplete, deploymentProgressing, deploymentTimedOut } from './status.ts';
import { hasProgressDeadline, PROGRESSING, Reason, REPLICA_FAILURE, type Deployment, type DeploymentCondition, type DeploymentStatus } from './types.ts';

export function rolloutStatus(d: Deployment, allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, nowMs: number): DeploymentStatus {
  const status = calculateStatus(d, allRSs, newRS, nowMs);
  if (!hasProgressDeadline(d)) removeCondition(status, PROGRESSING);
  const current = getCondition(d.status, PROGRESSING);
  const complete = (status.replicas ?? 0) === (status.updatedReplicas ?? 0) && current?.reason === Reason.NewReplicaSetAvailable;
  if (hasProgressDeadline(d) && !complete) {
    const subject = newRS ? `ReplicaSet "${newRS.metadata.name ?? ''}"` : `Deployment "${d.metadata.name ?? ''}"`;
    if (deploymentComplete(d, status)) {
      setCondition(status, newCondition(PROGRESSING, 'True', Reason.NewReplicaSetAvailable, `${subject} has successfully progressed.`, nowMs));
    } else if (deploymentProgressing(d, status)) {
      // Progress refreshes lastUpdateTime even when the reason stays ReplicaSetUpdated.
      const cond = newCondition(PROGRESSING, 'True', Reason.ReplicaSetUpdated, `${subject} is progressing.`, nowMs);
      if (current?.status === 'True' && current.lastTransitionTime) cond.lastTransitionTime = current.lastTransitionTime;
      removeCondition(status, PROGRESSING);
      setCondition(status, cond);
    } else if (deploymentTimedOut(d, status, nowMs)) {
      setCondition(status, newCondition(PROGRESSING, 'False', Reason.ProgressDeadlineExceeded, `${subject} has timed out progressing.`, nowMs));
    }
  }
  const failure = replicaFailure(allRSs, newRS);
  if (failure) setCondition(status, { ...failure });
  else removeCondition(status, REPLICA_FAILURE);
  return status;
}

/** The ReplicaFailure condition of the new ReplicaSet, else of any ReplicaSet, as a Deployment condition. */
function replicaFailure(allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): DeploymentCondition | undefined {
  const find = (rs: ReplicaSet | undefined) => rs?.status?.conditions?.find((c) => c.type === REPLICA_FAILURE);
  const c = find(newRS) ?? allRSs.map(find).find((x) => x !== undefined);
  if (!c) return undefined;
  const t = c.lastTransitionTime;
  return { type: REPLICA_FAILURE, status: c.status, ...(t ? { lastUpdateTime: t, lastTransitionTime: t } : {}), ...(c.reason ? { reason: c.reason } : {}), ...(c.message ? { message: c.message } : {}) };
}

/**
 * When an unchanged, unfinished rollout should be checked again for its deadline: a second past
 * lastUpdateTime + progressDeadlineSeconds; undefined when no check is due (upstream's
 * requeueStuckDeployment).
 */
export function progressCheckAfterMs(d: Deployment, status: DeploymentStatus, nowMs: number): number | undefined {
  const current = getCondition(d.status, PROGRESSING);
  if (!hasProgressDeadline(d) || !current) return undefined;
  if (deploymentComplete(d, status) || current.reason === Reason.ProgressDeadlineExceeded) return undefined;
  const from = Date.parse(current.lastUpdateTime ?? '');
  if (!Number.isFinite(from)) return undefined;
  return Math.max(0, from + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 - nowMs) + 1000;
}
