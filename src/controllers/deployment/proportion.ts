// Proportional scaling: when a Deployment's replicas change while several ReplicaSets run pods
// (mid-rollout, or paused), the difference is spread over them in proportion to their size
// against the max-replicas they were sized for, larger ReplicaSets first, and whatever rounding
// leaves goes to the largest. Upstream's scale(), getProportion and getReplicaSetFraction.

import type { ReplicaSet } from '../replicaset/index.ts';
import { intAnnotation } from './annotations.ts';
import { maxSurge } from './fenceposts.ts';
import { activeSets, bySizeNewer, bySizeOlder, rsReplicas, specCount } from './replica-set-util.ts';
import { deploymentReplicas, isRollingUpdate, MAX_REPLICAS, type Deployment } from './types.ts';

/** Go's math.Round: halves away from zero. */
const round = (x: number): number => Math.sign(x) * Math.round(Math.abs(x));

/** How many replicas `rs` should gain (or lose) for the Deployment's new size. */
export function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  const replicas = deploymentReplicas(d);
  if (replicas === 0) return -rsReplicas(rs);
  const target = replicas + maxSurge(d);
  // Without the annotation fall back to the Deployment's current size; the min/max in
  // proportionFor still keeps the total in bounds.
  const annotated = intAnnotation(rs, MAX_REPLICAS) ?? d.status?.replicas ?? 0;
  if (annotated === 0) return 0;
  return round((rsReplicas(rs) * target) / annotated) - rsReplicas(rs);
}

export function proportionFor(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if (rsReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

export interface ProportionalPlan {
  /** The active ReplicaSets in the order they are written, with their new sizes. */
  sizes: { rs: ReplicaSet; size: number }[];
  operation: 'up' | 'down' | undefined;
}

/** The new sizes of the active ReplicaSets of a rolling Deployment whose replicas changed. */
export function proportionalPlan(d: Deployment, sets: readonly (ReplicaSet | undefined)[]): ProportionalPlan {
  const all = activeSets(sets);
  const replicas = deploymentReplicas(d);
  const allowed = replicas > 0 && isRollingUpdate(d) ? replicas + maxSurge(d) : 0;
  const toAdd = allowed - specCount(all);
  const operation = toAdd > 0 ? 'up' : toAdd < 0 ? 'down' : undefined;
  if (toAdd > 0) all.sort(bySizeNewer);
  else if (toAdd < 0) all.sort(bySizeOlder);
  let added = 0;
  const sizes = all.map((rs) => {
    if (toAdd === 0) return { rs, size: rsReplicas(rs) };
    const p = proportionFor(rs, d, toAdd, added);
    added += p;
    return { rs, size: rsReplicas(rs) + p };
  });
  const first = sizes[0];
  if (first && toAdd !== added) first.size = Math.max(0, first.size + toAdd - added);
  return { sizes, operation };
}
