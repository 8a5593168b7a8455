// Taints and tolerations as upstream's v1helper: a toleration tolerates a taint when effect and key
// match (empty means any) and the value is equal (or the operator is Exists). DaemonSet pods also
// get the tolerations upstream adds to every daemon pod so node problems never evict them:
// not-ready and unreachable (NoExecute, forever), the pressure and unschedulable conditions
// (NoSchedule), and network-unavailable for host-network pods.

import {
  TAINT_NODE_DISK_PRESSURE,
  TAINT_NODE_MEMORY_PRESSURE,
  TAINT_NODE_NETWORK_UNAVAILABLE,
  TAINT_NODE_NOT_READY,
  TAINT_NODE_PID_PRESSURE,
  TAINT_NODE_UNREACHABLE,
  TAINT_NODE_UNSCHEDULABLE,
} from '../../api/scheduling/taints.ts';
import type { SchedulingSpec, Toleration } from './types.ts';

export {
  findUntoleratedTaint,
  TAINT_NODE_DISK_PRESSURE,
  TAINT_NODE_MEMORY_PRESSURE,
  TAINT_NODE_NETWORK_UNAVAILABLE,
  TAINT_NODE_NOT_READY,
  TAINT_NODE_PID_PRESSURE,
  TAINT_NODE_UNREACHABLE,
  TAINT_NODE_UNSCHEDULABLE,
  toleratesTaint,
} from '../../api/scheduling/taints.ts';

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
