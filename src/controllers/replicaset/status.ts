// ReplicaSet status as upstream computes it from the pods a sync claimed: replicas,
// fullyLabeledReplicas (pods carrying every template label), ready and available replicas
// (minReadySeconds), and a ReplicaFailure condition while creating or deleting pods fails. Zero
// counts are left out as Go's omitempty does, except replicas, which the API always carries.

import { jsonEqual } from '../../machinery/index.ts';
import { isPodAvailable, isPodReady, metaTime, msUntilAvailable, type Pod } from '../util/index.ts';
import { specReplicas, type ReplicaCondition, type ReplicaSetStatus, type Replicated } from './types.ts';

export const REPLICA_FAILURE = 'ReplicaFailure';

/** The status `obj` should have given the active pods it owns and the outcome of this sync's writes. */
export function calculateStatus(obj: Replicated, pods: readonly Pod[], manageError: unknown, nowMs: number): ReplicaSetStatus {
  const templateLabels = Object.entries(obj.spec?.template?.metadata?.labels ?? {});
  const minReady = obj.spec?.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of pods) {
    const labels = pod.metadata.labels ?? {};
    if (templateLabels.every(([k, v]) => labels[k] === v)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReady, nowMs)) available++;
    }
  }
  let conditions = obj.status?.conditions ?? [];
  const failure = conditions.find((c) => c.type === REPLICA_FAILURE);
  if (manageError !== undefined && !failure) {
    const diff = pods.length - specReplicas(obj);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    const cond: ReplicaCondition = { type: REPLICA_FAILURE, status: 'True', ...(reason ? { reason } : {}), message: errorMessage(manageError), lastTransitionTime: metaTime(nowMs) };
    conditions = [...conditions, cond];
  } else if (manageError === undefined && failure) {
    conditions = conditions.filter((c) => c.type !== REPLICA_FAILURE);
  }
  return {
    replicas: pods.length,
    ...(fullyLabeled ? { fullyLabeledReplicas: fullyLabeled } : {}),
    ...(ready ? { readyReplicas: ready } : {}),
    ...(available ? { availableReplicas: available } : {}),
    ...(obj.status?.observedGeneration ? { observedGeneration: obj.status.observedGeneration } : {}),
    ...(conditions.length ? { conditions } : {}),
  };
}

/** Upstream's steady-state test: nothing to write when counts, conditions and observedGeneration already agree. */
export function statusUpToDate(obj: Replicated, next: ReplicaSetStatus): boolean {
  const cur = obj.status ?? {};
  return (
    (cur.replicas ?? 0) === (next.replicas ?? 0) &&
    (cur.fullyLabeledReplicas ?? 0) === (next.fullyLabeledReplicas ?? 0) &&
    (cur.readyReplicas ?? 0) === (next.readyReplicas ?? 0) &&
    (cur.availableReplicas ?? 0) === (next.availableReplicas ?? 0) &&
    (obj.metadata.generation ?? 0) === (cur.observedGeneration ?? 0) &&
    jsonEqual((cur.conditions ?? []), (next.conditions ?? []))
  );
}

/** ms until the first ready-but-not-yet-available pod becomes available; undefined when none is waiting. */
export function nextAvailableInMs(obj: Replicated, pods: readonly Pod[], nowMs: number): number | undefined {
  const minReady = obj.spec?.minReadySeconds ?? 0;
  if (minReady <= 0) return undefined;
  let soonest: number | undefined;
  for (const pod of pods) {
    const ms = msUntilAvailable(pod, minReady, nowMs);
    if (ms > 0 && (soonest === undefined || ms < soonest)) soonest = ms;
  }
  return soonest;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
