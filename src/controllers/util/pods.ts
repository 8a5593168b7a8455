// Pod facts every workload controller asks: active, ready, available, terminating; and upstream's
// ordering of pods to delete first when scaling down.

import type { KubeObject } from '../../api/types.ts';

export interface PodCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface Pod extends KubeObject {
  spec?: { nodeName?: string; [k: string]: unknown };
  status?: { phase?: string; conditions?: PodCondition[]; podIP?: string; startTime?: string; [k: string]: unknown };
}

export const podPhase = (pod: Pod): string => pod.status?.phase ?? 'Pending';

export const podCondition = (pod: Pod, type: string): PodCondition | undefined => pod.status?.conditions?.find((c) => c.type === type);

/** Not finished and not being deleted: counts toward a controller's replicas (upstream's FilterActivePods). */
export const isPodActive = (pod: Pod): boolean => {
  const phase = podPhase(pod);
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
};

export const isPodTerminating = (pod: Pod): boolean => !!pod.metadata.deletionTimestamp;

export const isPodReady = (pod: Pod): boolean => podCondition(pod, 'Ready')?.status === 'True';

/** Ready for at least minReadySeconds (upstream's IsPodAvailable). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, nowMs: number): boolean {
  const ready = podCondition(pod, 'Ready');
  if (ready?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  const since = ready.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : NaN;
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= nowMs;
}

/** How long until a ready pod becomes available (0 when it already is or never will by waiting). */
export function msUntilAvailable(pod: Pod, minReadySeconds: number, nowMs: number): number {
  const ready = podCondition(pod, 'Ready');
  if (ready?.status !== 'True' || minReadySeconds <= 0 || !ready.lastTransitionTime) return 0;
  return Math.max(0, Date.parse(ready.lastTransitionTime) + minReadySeconds * 1000 - nowMs);
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/**
 * Upstream's ActivePods ordering for scale-down: unassigned before assigned, Pending before
 * Unknown before Running, not ready before ready, ready for less time before longer, more
 * restarts before fewer, newer before older. Sort ascending, delete from the front.
 */
export function compareForDeletion(a: Pod, b: Pod): number {
  const assigned = (p: Pod): number => (p.spec?.nodeName ? 1 : 0);
  if (assigned(a) !== assigned(b)) return assigned(a) - assigned(b);
  const rank = (p: Pod): number => PHASE_RANK[podPhase(p)] ?? 1;
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  const ready = (p: Pod): number => (isPodReady(p) ? 1 : 0);
  if (ready(a) !== ready(b)) return ready(a) - ready(b);
  if (isPodReady(a) && isPodReady(b)) {
    const since = (p: Pod): number => Date.parse(podCondition(p, 'Ready')?.lastTransitionTime ?? '') || 0;
    if (since(a) !== since(b)) return since(b) - since(a);
  }
  const restarts = (p: Pod): number =>
    ((p.status?.['containerStatuses'] as { restartCount?: number }[] | undefined) ?? []).reduce((m, c) => Math.max(m, c.restartCount ?? 0), 0);
  if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
  const created = (p: Pod): number => Date.parse(p.metadata.creationTimestamp ?? '') || 0;
  return created(b) - created(a);
}
