// StatefulSet status (upstream's computeReplicaStatus, completeRollingUpdate, inconsistentStatus
// and the status updater): counts of created, ready, available, current and updated pods; a
// rolling update whose pods are all updated and ready makes the update revision current; status
// is written only when it changed, re-reading the set on conflict.

import type { RestClient } from '../../client/index.ts';
import { isConflict } from '../../machinery/index.ts';
import type { Pod } from '../util/pods.ts';
import { STATEFUL_SETS } from '../util/refs.ts';
import { podRevision } from './identity.ts';
import { isCreated, isRunningAndAvailable, isRunningAndReady, isTerminating } from './pod-state.ts';
import type { StatefulSet, StatefulSetStatus } from './types.ts';

export interface ReplicaCounts {
  replicas: number;
  readyReplicas: number;
  availableReplicas: number;
  currentReplicas: number;
  updatedReplicas: number;
}

export function computeReplicaStatus(pods: readonly (Pod | undefined)[], minReadySeconds: number, currentRevision: string, updateRevision: string, nowMs: number): ReplicaCounts {
  const c: ReplicaCounts = { replicas: 0, readyReplicas: 0, availableReplicas: 0, currentReplicas: 0, updatedReplicas: 0 };
  for (const pod of pods) {
    if (!isCreated(pod)) continue;
    c.replicas++;
    if (isRunningAndReady(pod)) {
      c.readyReplicas++;
      if (isRunningAndAvailable(pod, minReadySeconds, nowMs)) c.availableReplicas++;
    }
    if (!isTerminating(pod)) {
      const revision = podRevision(pod);
      if (revision === currentRevision) c.currentReplicas++;
      if (revision === updateRevision) c.updatedReplicas++;
    }
  }
  return c;
}

/** Once every pod runs the update revision and is ready, that revision becomes current. */
export function completeRollingUpdate(set: StatefulSet, status: StatefulSetStatus): StatefulSetStatus {
  const rolling = (set.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  if (rolling && status.updatedReplicas === status.replicas && status.readyReplicas === status.replicas) {
    return { ...status, currentReplicas: status.updatedReplicas ?? 0, ...(status.updateRevision !== undefined ? { currentRevision: status.updateRevision } : {}) };
  }
  return status;
}

const FIELDS = ['replicas', 'currentReplicas', 'readyReplicas', 'updatedReplicas', 'availableReplicas', 'currentRevision', 'updateRevision', 'collisionCount'] as const;

/** upstream's inconsistentStatus (plus the collision count, so a bumped one is not lost). */
export function statusChanged(set: StatefulSet, status: StatefulSetStatus): boolean {
  const old = set.status ?? { replicas: 0 };
  if ((status.observedGeneration ?? 0) > (old.observedGeneration ?? 0)) return true;
  return FIELDS.some((f) => (status[f] ?? 0) !== (old[f] ?? 0));
}

/** Writes `status` to the set's status subresource, retrying conflicts against a fresh copy. */
export async function writeStatus(client: RestClient, set: StatefulSet, status: StatefulSetStatus, signal?: AbortSignal): Promise<void> {
  const ref = { ...STATEFUL_SETS, namespace: set.metadata.namespace ?? '' };
  let target = set;
  for (let attempt = 0; ; attempt++) {
    try {
      await client.updateStatus(ref, { ...target, status: { ...(target.status ?? {}), ...status } }, signal ? { signal } : {});
      return;
    } catch (err) {
      if (!isConflict(err) || attempt >= 4) throw err;
      target = await client.get<StatefulSet>({ ...ref, name: set.metadata.name ?? '' }, signal ? { signal } : {});
    }
  }
}
