// A Deployment's status from its ReplicaSets (upstream's calculateStatus): replicas, updated,
// ready, available and unavailable counts, observedGeneration, collisionCount carried over, and
// the Available condition (enough pods available: replicas - maxUnavailable). Zero counts are
// left out as Go's omitempty does.

import type { ReplicaSet } from '../replicaset/index.ts';
import { getCondition, newCondition, setCondition } from './conditions.ts';
import { minAvailable } from './fenceposts.ts';
import { actualCount, availableCount, readyCount, specCount } from './replica-set-util.ts';
import { AVAILABLE, Reason, type Deployment, type DeploymentStatus } from './types.ts';

export function calculateStatus(d: Deployment, allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, nowMs: number): DeploymentStatus {
  const available = availableCount(allRSs);
  const unavailable = Math.max(0, specCount(allRSs) - available);
  const counts: Record<string, number> = {
    observedGeneration: d.metadata.generation ?? 0,
    replicas: actualCount(allRSs),
    updatedReplicas: actualCount([newRS]),
    readyReplicas: readyCount(allRSs),
    availableReplicas: available,
    unavailableReplicas: unavailable,
  };
  const status: DeploymentStatus = Object.fromEntries(Object.entries(counts).filter(([, v]) => v !== 0));
  if (d.status?.conditions?.length) status.conditions = d.status.conditions.map((c) => ({ ...c }));
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (available >= minAvailable(d)) {
    setCondition(status, newCondition(AVAILABLE, 'True', Reason.MinimumReplicasAvailable, 'Deployment has minimum availability.', nowMs));
  } else {
    setCondition(status, newCondition(AVAILABLE, 'False', Reason.MinimumReplicasUnavailable, 'Deployment does not have minimum availability.', nowMs));
  }
  return status;
}

/** All replicas updated and available, and the latest spec observed (upstream's DeploymentComplete). */
export function deploymentComplete(d: Deployment, status: DeploymentStatus): boolean {
  const replicas = d.spec?.replicas ?? 1;
  return (status.updatedReplicas ?? 0) === replicas && (status.replicas ?? 0) === replicas && (status.availableReplicas ?? 0) === replicas && (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** Something moved since `d.status` was written: more updated, ready or available pods, or fewer old ones. */
export function deploymentProgressing(d: Deployment, next: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (next.replicas ?? 0) - (next.updatedReplicas ?? 0);
  return (next.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld || (next.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (next.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}

/** The Progressing condition says no progress was reported for progressDeadlineSeconds. */
export function deploymentTimedOut(d: Deployment, status: DeploymentStatus, nowMs: number): boolean {
  const deadline = d.spec?.progressDeadlineSeconds;
  if (deadline === undefined) return false;
  const cond = getCondition(status, 'Progressing');
  if (!cond) return false;
  // A finished rollout cannot time out; one that timed out stays so.
  if (cond.reason === Reason.NewReplicaSetAvailable) return false;
  if (cond.reason === Reason.ProgressDeadlineExceeded) return true;
  const from = Date.parse(cond.lastUpdateTime ?? '');
  return Number.isFinite(from) && from + deadline * 1000 < nowMs;
}
