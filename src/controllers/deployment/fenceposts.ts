// maxSurge and maxUnavailable resolved against the replica count, as upstream: percentages of
// the desired replicas, surge rounded up and unavailability rounded down. Should both resolve to
// zero (e.g. 10% of 5 unavailable, 0 surge) unavailability becomes 1, so a rollout can always move.

import { deploymentReplicas, isRollingUpdate, type Deployment, type IntOrPercent } from './types.ts';

/** intstr.GetScaledValueFromIntOrPercent: ints as they are, "N%" of total rounded; other strings are invalid. */
export function scaledValue(value: IntOrPercent | undefined, total: number, roundUp: boolean): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  const m = /^(-?\d+)%$/.exec(value);
  if (!m) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const scaled = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

export function resolveFenceposts(maxSurge: IntOrPercent | undefined, maxUnavailable: IntOrPercent | undefined, desired: number): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge ?? 0, desired, true);
  let unavailable = scaledValue(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

/** The most pods over the desired count a rollout may run (0 for Recreate). */
export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, deploymentReplicas(d)).surge;
}

/** The most desired pods that may be unavailable during a rollout, never more than the replicas. */
export function maxUnavailable(d: Deployment): number {
  const replicas = deploymentReplicas(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  return Math.min(resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicas).unavailable, replicas);
}

/** The pods the Deployment must keep available: replicas - maxUnavailable. */
export const minAvailable = (d: Deployment): number => deploymentReplicas(d) - maxUnavailable(d);
