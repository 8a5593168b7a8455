// Taints and tolerations as upstream's v1helper: a toleration tolerates a taint when effect and key
// match (empty means any) and the value is equal (or the operator is Exists). DaemonSet pods also
// get the tolerations upstream adds to every daemon pod so node problems never evict them:
// not-ready and unreachable (NoExecute, forever), the pressure and unschedulable conditions
// (NoSchedule), and network-unavailable for host-network pods.

import type { SchedulingSpec, Taint, Toleration } from './types.ts';

export const TAINT_NODE_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_NODE_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_NODE_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_NODE_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_NODE_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';
export const TAINT_NODE_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_NODE_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';

export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? '') {
    case '':
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

/** The first taint passing `filter` that no toleration tolerates (FindMatchingUntoleratedTaint). */
export function findUntoleratedTaint(taints: readonly Taint[] | undefined, tolerations: readonly Toleration[] | undefined, filter: (t: Taint) => boolean): Taint | undefined {
  return (taints ?? []).find((taint) => filter(taint) && !(tolerations ?? []).some((t) => toleratesTaint(t, taint)));
}

const sameToleration = (a: Toleration, b: Toleration): boolean =>
  (a.key ?? '') === (b.key ?? '') && (a.effect ?? '') === (b.effect ?? '') && (a.operator ?? '') === (b.operator ?? '') && (a.value ?? '') === (b.value ?? '');

/** AddOrUpdateTolerationInPodSpec: replaces a toleration for the same key, operator, value and effect, or appends. */
export function addOrUpdateToleration(tolerations: readonly Toleration[] | undefined, toleration: Toleration): Toleration[] {
  const list = [...(tolerations ?? [])];
  const i = list.findIndex((t) => sameToleration(t, toleration));
  if (i >= 0) list[i] = toleration;
  else list.push(toleration);
  return list;
}

/** The tolerations of a daemon pod with `spec`: its own plus upstream's AddOrUpdateDaemonPodTolerations. */
export function daemonPodTolerations(spec: SchedulingSpec): Toleration[] {
  let list = spec.tolerations ?? [];
  const exists = (key: string, effect: string): Toleration => ({ key, operator: 'Exists', effect });
  list = addOrUpdateToleration(list, exists(TAINT_NODE_NOT_READY, 'NoExecute'));
  list = addOrUpdateToleration(list, exists(TAINT_NODE_UNREACHABLE, 'NoExecute'));
  list = addOrUpdateToleration(list, exists(TAINT_NODE_DISK_PRESSURE, 'NoSchedule'));
  list = addOrUpdateToleration(list, exists(TAINT_NODE_MEMORY_PRESSURE, 'NoSchedule'));
  list = addOrUpdateToleration(list, exists(TAINT_NODE_PID_PRESSURE, 'NoSchedule'));
  list = addOrUpdateToleration(list, exists(TAINT_NODE_UNSCHEDULABLE, 'NoSchedule'));
  if (spec.hostNetwork) list = addOrUpdateToleration(list, exists(TAINT_NODE_NETWORK_UNAVAILABLE, 'NoSchedule'));
  return list;
}
