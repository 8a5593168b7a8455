// When a pod must leave a node that carries NoExecute taints (upstream's taint eviction
// controller, folded into the node lifecycle controller): at once when some taint is not
// tolerated; when every taint is tolerated, at the earliest time a toleration with
// tolerationSeconds runs out, counted from the taint's timeAdded; never when every matching
// toleration is unbounded.

import { matchingTolerations, type Taint, type Toleration } from './taints.ts';

export type EvictionDecision = { kind: 'keep' } | { kind: 'now' } | { kind: 'at'; at: number };

/**
 * Decides for a pod with `tolerations` on a node whose NoExecute taints are `taints`.
 * `firstSeenMs` is when the controller first found the pod under a timed eviction: it stands in
 * for a taint without timeAdded, and caps a timeAdded that lies ahead of this clock.
 */
export function evictionDecision(tolerations: readonly Toleration[], taints: readonly Taint[], nowMs: number, firstSeenMs: number): EvictionDecision {
  if (taints.length === 0) return { kind: 'keep' };
  const used = matchingTolerations(taints, tolerations);
  if (!used) return { kind: 'now' };
  let at: number | undefined;
  taints.forEach((taint, i) => {
    const seconds = used[i]?.tolerationSeconds;
    if (seconds === undefined || seconds === null) return;
    const added = taint.timeAdded ? Date.parse(taint.timeAdded) : NaN;
    const start = Number.isFinite(added) ? Math.min(added, firstSeenMs) : firstSeenMs;
    const deadline = start + Math.max(0, seconds) * 1000;
    if (at === undefined || deadline < at) at = deadline;
  });
  if (at === undefined) return { kind: 'keep' };
  return at <= nowMs ? { kind: 'now' } : { kind: 'at', at };
}
