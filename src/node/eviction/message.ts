// The words the kubelet uses for an eviction (eviction/helpers.go evictionMessage), which users
// and tools read in `kubectl describe pod`: the starved resource, the threshold and what was
// available, and each container using more than it requested.

import { formatQuantity, quantityFromValue } from '../../machinery/quantity.ts';
import { parseQuantity } from '../../machinery/quantity.ts';
import type { PodStats } from '../stats/index.ts';
import type { EvictablePod, Resource } from './ranking.ts';

const bytes = (n: number): string => formatQuantity(quantityFromValue(Math.max(0, Math.round(n)), 'BinarySI'));

export function evictionMessage(resource: Resource, pod: EvictablePod, stats: PodStats | undefined, threshold: number, available: number): { message: string; offending: string[]; usage: string[] } {
  let message = `The node was low on resource: ${resource}. Threshold quantity: ${bytes(threshold)}, available: ${bytes(available)}. `;
  const offending: string[] = [];
  const usage: string[] = [];
  if (!stats) return { message, offending, usage };
  for (const cs of stats.containers) {
    const spec = (pod.spec?.containers ?? []).find((c) => c.name === cs.name);
    // Memory: the working set; ephemeral storage: what the container wrote (its logs here).
    const ws = resource === 'memory' ? cs.memory?.workingSetBytes : cs.logs?.usedBytes;
    if (!spec || ws === undefined) continue;
    const raw = spec.resources?.requests?.[resource];
    const request = raw === undefined ? 0 : Number(parseQuantity(raw).nano / 1_000_000_000n);
    if (ws <= request) continue;
    const requestText = raw === undefined ? '0' : formatQuantity(parseQuantity(raw));
    message += `Container ${cs.name} was using ${bytes(ws)}, request is ${requestText}, has larger consumption of ${resource}. `;
    offending.push(cs.name);
    usage.push(bytes(ws));
  }
  return { message, offending, usage };
}
