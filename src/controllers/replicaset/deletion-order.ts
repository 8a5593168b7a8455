// Which pods a ReplicaSet deletes first when it scales down: upstream's ActivePodsWithRanks. The
// pod-lifecycle order (unscheduled, pending, not ready first) comes first, then the
// controller.kubernetes.io/pod-deletion-cost annotation (cheaper first), then the rank — how many
// pods of the same owner family share the pod's node (doubled-up pods first, which spreads what
// remains) — and finally the rest of compareForDeletion (ready for less time, more restarts,
// newer first).

import { compareForDeletion, isPodActive, isPodReady, podPhase, type Pod } from '../util/index.ts';

export const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/** The deletion cost annotation as an int32; absent or invalid counts as 0 (upstream ignores the parse error). */
export function deletionCost(pod: Pod): number {
  const raw = pod.metadata.annotations?.[POD_DELETION_COST];
  if (raw === undefined || !/^[+-]?\d+$/.test(raw.trim())) return 0;
  const n = Number(raw.trim());
  return n >= -2147483648 && n <= 2147483647 ? n : 0;
}

/** Counts the active related pods per node: a pod's rank is the count on its node. */
export function ranksByNode(related: readonly Pod[]): Map<string, number> {
  const onNode = new Map<string, number>();
  for (const p of related) {
    if (!isPodActive(p)) continue;
    const node = p.spec?.nodeName ?? '';
    onNode.set(node, (onNode.get(node) ?? 0) + 1);
  }
  return onNode;
}

/** A comparator that sorts the pods to delete first to the front. */
export function deletionComparator(related: readonly Pod[]): (a: Pod, b: Pod) => number {
  const onNode = ranksByNode(related);
  const rank = (p: Pod): number => onNode.get(p.spec?.nodeName ?? '') ?? 0;
  return (a, b) => {
    const assigned = (p: Pod): number => (p.spec?.nodeName ? 1 : 0);
    if (assigned(a) !== assigned(b)) return assigned(a) - assigned(b);
    const phase = (p: Pod): number => PHASE_RANK[podPhase(p)] ?? 1;
    if (phase(a) !== phase(b)) return phase(a) - phase(b);
    const ready = (p: Pod): number => (isPodReady(p) ? 1 : 0);
    if (ready(a) !== ready(b)) return ready(a) - ready(b);
    if (deletionCost(a) !== deletionCost(b)) return deletionCost(a) - deletionCost(b);
    if (rank(a) !== rank(b)) return rank(b) - rank(a);
    return compareForDeletion(a, b);
  };
}

/** The `count` pods to delete from `pods`, ranked against `related` (the owner family's pods, `pods` included). */
export function podsToDelete(pods: readonly Pod[], related: readonly Pod[], count: number): Pod[] {
  if (count >= pods.length) return [...pods];
  return [...pods].sort(deletionComparator(related)).slice(0, count);
}
