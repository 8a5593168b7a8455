// The agent's admission of a newly bound pod, before any of its containers start (upstream's
// kubelet canAdmitPod): the pod must fit the node's allocatable next to the pods already admitted
// (resource-admission.ts), and while the node reports MemoryPressure a BestEffort pod is turned
// away as the eviction manager's admit handler does. A rejected pod ends Failed with the reason.

import { add, admit, allocatableFrom, podRequests, ZERO, type PodResourceSpec, type Rejection } from './resource-admission.ts';
import type { AgentPod } from './pod-types.ts';

/** What admission reads of the Node object. */
export interface NodeView {
  allocatable?: Record<string, unknown>;
  conditions?: { type?: string; status?: string }[];
}

interface ResourceHolder {
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
}

/** BestEffort: no container (init containers included) requests or limits cpu or memory. */
export function isBestEffort(pod: AgentPod): boolean {
  const spec = pod.spec as unknown as { containers?: ResourceHolder[]; initContainers?: ResourceHolder[] };
  return [...(spec.containers ?? []), ...(spec.initContainers ?? [])].every((c) =>
    ['cpu', 'memory'].every((r) => c.resources?.requests?.[r] === undefined && c.resources?.limits?.[r] === undefined));
}

/**
 * Why the node cannot take `pod` next to the already admitted, still active `active` pods, or
 * undefined. Without a known allocatable (the Node not read yet) only the pressure check applies.
 */
export function admitPod(pod: AgentPod, active: readonly AgentPod[], node: NodeView): Rejection | undefined {
  const pressure = (node.conditions ?? []).some((c) => c.type === 'MemoryPressure' && c.status === 'True');
  if (pressure && isBestEffort(pod)) {
    // Upstream's eviction admit handler: reason Evicted, "The node had condition: [MemoryPressure]. ".
    return { reason: 'Evicted', message: 'The node had condition: [MemoryPressure]. ' };
  }
  const a = node.allocatable;
  if (!a || a['cpu'] === undefined || a['memory'] === undefined || a['pods'] === undefined) return undefined;
  const allocatable = allocatableFrom({
    cpu: String(a['cpu']),
    memory: String(a['memory']),
    pods: String(a['pods']),
    'ephemeral-storage': String(a['ephemeral-storage'] ?? '0'),
  });
  if (a['ephemeral-storage'] === undefined) allocatable.ephemeralStorage = Number.POSITIVE_INFINITY;
  const used = active.reduce((sum, p) => add(sum, podRequests(p.spec as unknown as PodResourceSpec)), ZERO);
  return admit(podRequests(pod.spec as unknown as PodResourceSpec), allocatable, used, active.length);
}
