// DaemonSet rolling updates (upstream daemon/update.go rollingUpdate). Without surge, old pods are
// deleted so that no more than maxUnavailable nodes lack an available pod, and the manage loop
// creates their replacements; old pods that are not available anyway go at once. With maxSurge a
// new pod is started beside an old available one on up to maxSurge nodes at a time (at once where
// the old one is unavailable), and the old pod goes when the new one is available. maxUnavailable
// and maxSurge are counts or percentages of the nodes that should run the DaemonSet, rounded up.

import { isPodAvailable, type Pod } from '../util/pods.ts';
import { isPodUpdated } from './daemon-pods.ts';
import type { DaemonSet } from './types.ts';

/** intstr.GetScaledValueFromIntOrPercent, rounding percentages up. */
export function scaledValueRoundUp(value: number | string | undefined, total: number): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  if (!m) throw new Error(`invalid value for IntOrString: invalid value "${value}"`);
  return Math.ceil((Number(m[1]) * total) / 100);
}

const rollingUpdateOf = (ds: DaemonSet) => ((ds.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' ? ds.spec.updateStrategy?.rollingUpdate : undefined);

/** SurgeCount and UnavailableCount; with neither configured an update still proceeds one node at a time. */
export function rollingLimits(ds: DaemonSet, desired: number): { maxSurge: number; maxUnavailable: number } {
  const ru = rollingUpdateOf(ds);
  const maxSurge = scaledValueRoundUp(ru?.maxSurge, desired);
  let maxUnavailable = scaledValueRoundUp(ru?.maxUnavailable, desired);
  if (desired > 0 && maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

/** AllowsSurge: maxSurge resolves to a non-zero count. */
export function allowsSurge(ds: DaemonSet): boolean {
  try {
    return scaledValueRoundUp(rollingUpdateOf(ds)?.maxSurge, 1) !== 0;
  } catch {
    return false;
  }
}

/** At most one new and one old live pod on the node: which they are; ok false when there are more. */
export function findUpdatedPodsOnNode(pods: readonly Pod[], hash: string, generation: number | undefined): { newPod?: Pod; oldPod?: Pod; ok: boolean } {
  let newPod: Pod | undefined;
  let oldPod: Pod | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    if (isPodUpdated(pod, hash, generation)) {
      if (newPod) return { ok: false };
      newPod = pod;
    } else {
      if (oldPod) return { ok: false };
      oldPod = pod;
    }
  }
  return { ...(newPod ? { newPod } : {}), ...(oldPod ? { oldPod } : {}), ok: true };
}

export interface RollingInput {
  /** Pods by node, with an empty entry for every node that should run the DaemonSet. */
  nodeToPods: ReadonlyMap<string, readonly Pod[]>;
  desired: number;
  maxSurge: number;
  maxUnavailable: number;
  hash: string;
  generation: number | undefined;
  minReadySeconds: number;
  nowMs: number;
  shouldRun(node: string): boolean;
}

export interface RollingPlan {
  podsToDelete: Pod[];
  nodesToCreate: string[];
}

export function planRollingUpdate(i: RollingInput): RollingPlan {
  const available = (p: Pod): boolean => isPodAvailable(p, i.minReadySeconds, i.nowMs);
  const nodes = [...i.nodeToPods.keys()].sort();
  if (i.maxSurge === 0) {
    let unavailable = 0;
    const replacements: Pod[] = [];
    const candidates: Pod[] = [];
    for (const node of nodes) {
      const { newPod, oldPod, ok } = findUpdatedPodsOnNode(i.nodeToPods.get(node) ?? [], i.hash, i.generation);
      if (!ok || (!newPod && !oldPod) || (newPod && oldPod)) {
        // Excess, missing or doubled pods: the manage loop sorts this node out; it counts as unavailable.
        unavailable++;
      } else if (newPod) {
        if (!available(newPod)) unavailable++;
      } else if (oldPod && !available(oldPod)) {
        replacements.push(oldPod);
        unavailable++;
      } else if (oldPod && unavailable < i.maxUnavailable) {
        candidates.push(oldPod);
      }
    }
    const room = Math.min(Math.max(0, i.maxUnavailable - unavailable), candidates.length);
    return { podsToDelete: [...replacements, ...candidates.slice(0, room)], nodesToCreate: [] };
  }

  const podsToDelete: Pod[] = [];
  const shouldNotRun: Pod[] = [];
  const allowedNew: string[] = [];
  const candidateNew: string[] = [];
  let surge = 0;
  let numAvailable = 0;
  for (const node of nodes) {
    const { newPod, oldPod, ok } = findUpdatedPodsOnNode(i.nodeToPods.get(node) ?? [], i.hash, i.generation);
    if (!ok) {
      surge++;
      continue;
    }
    if (oldPod ? available(oldPod) : newPod && available(newPod)) numAvailable++;
    if (!oldPod) continue; // nothing to replace; manage creates a missing pod
    if (!newPod) {
      if (!available(oldPod)) {
        if (!i.shouldRun(node)) podsToDelete.push(oldPod);
        else allowedNew.push(node);
      } else if (!i.shouldRun(node)) {
        shouldNotRun.push(oldPod);
      } else if (surge < i.maxSurge) {
        candidateNew.push(node);
      }
      continue;
    }
    // Already surged here: wait for the new pod, then retire the old one.
    if (!available(newPod)) surge++;
    else podsToDelete.push(oldPod);
  }
  // Pods on nodes that should no longer run the DaemonSet go only while enough pods elsewhere are available.
  const deletable = Math.min(numAvailable - i.desired, shouldNotRun.length);
  if (deletable > 0) podsToDelete.push(...shouldNotRun.slice(0, deletable));
  const room = Math.min(Math.max(0, i.maxSurge - surge), candidateNew.length);
  return { podsToDelete, nodesToCreate: [...allowedNew, ...candidateNew.slice(0, room)] };
}
