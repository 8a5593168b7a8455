// Facts about a Deployment's ReplicaSets, as upstream's deployment util computes them: orderings,
// counts, which ReplicaSet is the new one (its template equals the Deployment's but for the hash
// label) and which are old, saturation, and how far a rolling update may grow the new one.

import type { ReplicaSet } from '../replicaset/index.ts';
import { revisionOf } from './annotations.ts';
import { scaledValue } from './fenceposts.ts';
import { equalIgnoreHash } from './hash.ts';
import { DESIRED_REPLICAS, deploymentReplicas, isRecreate, type Deployment } from './types.ts';

export const rsReplicas = (rs: ReplicaSet): number => rs.spec?.replicas ?? 1;

const created = (rs: ReplicaSet): number => Date.parse(rs.metadata.creationTimestamp ?? '') || 0;

/** Oldest first; ties by name (upstream's ReplicaSetsByCreationTimestamp). */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  if (created(a) !== created(b)) return created(a) - created(b);
  const an = a.metadata.name ?? '';
  const bn = b.metadata.name ?? '';
  return an < bn ? -1 : an > bn ? 1 : 0;
}

/** Larger first; among equal sizes newer first (where scaling up adds first). */
export const bySizeNewer = (a: ReplicaSet, b: ReplicaSet): number => rsReplicas(b) - rsReplicas(a) || byCreation(b, a);

/** Larger first; among equal sizes older first (where scaling down removes first). */
export const bySizeOlder = (a: ReplicaSet, b: ReplicaSet): number => rsReplicas(b) - rsReplicas(a) || byCreation(a, b);

/** Lowest revision first; ties by creation (upstream's ReplicaSetsByRevision). */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  const ra = revisionOf(a) ?? 0;
  const rb = revisionOf(b) ?? 0;
  return ra !== rb ? ra - rb : byCreation(a, b);
}

/** ReplicaSets that should run pods (spec.replicas > 0). */
export const activeSets = (sets: readonly (ReplicaSet | undefined)[]): ReplicaSet[] => sets.filter((rs): rs is ReplicaSet => !!rs && rsReplicas(rs) > 0);

const sum = (sets: readonly (ReplicaSet | undefined)[], f: (rs: ReplicaSet) => number): number => sets.reduce((n, rs) => n + (rs ? f(rs) : 0), 0);
/** Desired pods (spec). */
export const specCount = (sets: readonly (ReplicaSet | undefined)[]): number => sum(sets, rsReplicas);
/** Pods that exist (status.replicas). */
export const actualCount = (sets: readonly (ReplicaSet | undefined)[]): number => sum(sets, (rs) => rs.status?.replicas ?? 0);
export const readyCount = (sets: readonly (ReplicaSet | undefined)[]): number => sum(sets, (rs) => rs.status?.readyReplicas ?? 0);
export const availableCount = (sets: readonly (ReplicaSet | undefined)[]): number => sum(sets, (rs) => rs.status?.availableReplicas ?? 0);

/** The oldest ReplicaSet whose template is the Deployment's, ignoring the hash label. */
export function findNewReplicaSet(d: Deployment, sets: readonly ReplicaSet[]): ReplicaSet | undefined {
  return [...sets].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

/** Every ReplicaSet but the new one. */
export function findOldReplicaSets(sets: readonly ReplicaSet[], newRS: ReplicaSet | undefined): ReplicaSet[] {
  return sets.filter((rs) => !newRS || rs.metadata.uid !== newRS.metadata.uid);
}

/**
 * The one ReplicaSet that runs pods, or when none does the newest; undefined while several run
 * pods (then scaling is proportional).
 */
export function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreation(b, a));
  const running = activeSets([...newestFirst, newRS]);
  if (running.length === 0) return newRS ?? newestFirst[0];
  return running.length === 1 ? running[0] : undefined;
}

/** The new ReplicaSet has all the replicas, knows it, and all of them are available. */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const replicas = deploymentReplicas(d);
  return rs.metadata.annotations?.[DESIRED_REPLICAS] === String(replicas) && rsReplicas(rs) === replicas && (rs.status?.availableReplicas ?? 0) === replicas;
}

/**
 * What the new ReplicaSet may be scaled to now: up to replicas + maxSurge pods in all, never past
 * replicas (upstream's NewRSNewReplicas). Upstream counts the ReplicaSets' spec.replicas only, so
 * while an old ReplicaSet's pods wait to be deleted the new one's pods can already be on their
 * way and the pod count briefly passes the bound; `livePods` (the active pods the cache holds for
 * a ReplicaSet) closes that gap: each ReplicaSet counts as the larger of its size and its pods.
 */
export function newRSNewReplicas(d: Deployment, allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet, livePods?: (rs: ReplicaSet) => number): number {
  const replicas = deploymentReplicas(d);
  if (isRecreate(d)) return replicas;
  const surge = scaledValue(d.spec?.strategy?.rollingUpdate?.maxSurge, replicas, true);
  const current = allRSs.reduce((n, rs) => n + (rs ? Math.max(rsReplicas(rs), livePods?.(rs) ?? 0) : 0), 0);
  const maxTotal = replicas + surge;
  if (current >= maxTotal) return rsReplicas(newRS);
  return rsReplicas(newRS) + Math.min(maxTotal - current, replicas - rsReplicas(newRS));
}

