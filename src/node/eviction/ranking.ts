// Who goes first under pressure (upstream eviction/helpers.go rankMemoryPressure and
// rankDiskPressure): pods without stats, then pods whose usage exceeds their requests, then lower
// priority, then the larger usage above requests. Critical pods (system priority) are never
// candidates.

import { quantityValue } from '../../machinery/quantity.ts';
import type { PodStats } from '../stats/index.ts';

export interface EvictablePod {
  metadata: { name?: string; namespace?: string; uid?: string };
  spec?: { priority?: number; containers?: { name: string; resources?: { requests?: Record<string, string | number> } }[] };
  status?: { phase?: string };
}

/** scheduling.SystemCriticalPriority: pods at or above it are left alone, as the kubelet does. */
export const SYSTEM_CRITICAL_PRIORITY = 2_000_000_000;

export type Resource = 'memory' | 'ephemeral-storage';

export function podRequest(pod: EvictablePod, resource: Resource): number {
  return (pod.spec?.containers ?? []).reduce((sum, c) => {
    const r = c.resources?.requests?.[resource];
    return sum + (r === undefined ? 0 : Number(quantityValue(r)));
  }, 0);
}

/** The pod's usage of the resource from its stats (working set for memory), 0 without stats. */
export function podUsage(stats: PodStats | undefined, resource: Resource): number {
  if (!stats) return 0;
  if (resource === 'memory') return stats.memory?.workingSetBytes ?? stats.containers.reduce((s, c) => s + (c.memory?.workingSetBytes ?? 0), 0);
  return stats['ephemeral-storage']?.usedBytes ?? 0;
}

/** Candidates in eviction order. */
export function rankForEviction<P extends EvictablePod>(pods: readonly P[], stats: ReadonlyMap<string, PodStats>, resource: Resource): P[] {
  const facts = pods
    .filter((p) => (p.spec?.priority ?? 0) < SYSTEM_CRITICAL_PRIORITY && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed')
    .map((pod) => {
      const found = stats.get(pod.metadata.uid ?? '');
      const usage = podUsage(found, resource);
      const request = podRequest(pod, resource);
      // Upstream puts pods it has no stats for first, then those over their requests.
      const group = !found ? 0 : usage > request ? 1 : 2;
      return { pod, group, priority: pod.spec?.priority ?? 0, above: usage - request };
    });
  facts.sort((a, b) => {
    if (a.group !== b.group) return a.group - b.group;
    if (a.priority !== b.priority) return a.priority - b.priority;
    return b.above - a.above;
  });
  return facts.map((f) => f.pod);
}
