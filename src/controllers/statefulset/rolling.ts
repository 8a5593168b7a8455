// Rolling-update arithmetic of StatefulSets: maxUnavailable as a number of pods (a percentage of
// replicas, rounded down, never below 1) and which pods to delete next: the highest ordinals at or
// above the partition whose revision is not the update revision, no more than maxUnavailable minus
// the pods already unavailable.

import type { Pod } from '../util/pods.ts';
import { podRevision } from './identity.ts';
import { isCreated, isTerminating, isUnavailable } from './pod-state.ts';

/** intstr.GetScaledValueFromIntOrPercent. */
export function scaledValue(value: number | string | undefined, total: number, roundUp: boolean, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  if (!m) throw new Error(`invalid value for IntOrString: invalid value "${value}"`);
  const scaled = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/** getStatefulSetMaxUnavailable: default 1, percentages of replicas rounded down, at least 1. */
export const maxUnavailableOf = (value: number | string | undefined, replicas: number): number => Math.max(1, scaledValue(value, replicas, false, 1));

/**
 * The replicas (index = ordinal - start) to delete for the update, highest first. `replicas`
 * holds every wanted ordinal, created or not.
 */
export function rollingUpdateTargets(replicas: readonly Pod[], updateRevision: string, partition: number, maxUnavailable: number, minReadySeconds: number, nowMs: number): Pod[] {
  const unavailable = replicas.filter((p) => isUnavailable(p, minReadySeconds, nowMs)).length;
  const budget = maxUnavailable - unavailable;
  const targets: Pod[] = [];
  for (let i = replicas.length - 1; i >= partition && targets.length < budget; i--) {
    const pod = replicas[i];
    if (isCreated(pod) && podRevision(pod) !== updateRevision && !isTerminating(pod)) targets.push(pod);
  }
  return targets;
}
