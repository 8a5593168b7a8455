// Nodes, taints and tolerations as the node lifecycle controller sees them: the taint keys it
// owns, which taints a node's conditions call for (upstream's TaintNodesByCondition), taint set
// arithmetic, and upstream's toleration matching (ToleratesTaint, GetMatchingTolerations).

import { toleratesTaint } from '../../api/scheduling/taints.ts';
import type { KubeObject } from '../../api/types.ts';

import {
  TAINT_NODE_DISK_PRESSURE as TAINT_DISK_PRESSURE,
  TAINT_NODE_MEMORY_PRESSURE as TAINT_MEMORY_PRESSURE,
  TAINT_NODE_NETWORK_UNAVAILABLE as TAINT_NETWORK_UNAVAILABLE,
  TAINT_NODE_NOT_READY as TAINT_NOT_READY,
  TAINT_NODE_PID_PRESSURE as TAINT_PID_PRESSURE,
  TAINT_NODE_UNREACHABLE as TAINT_UNREACHABLE,
  TAINT_NODE_UNSCHEDULABLE as TAINT_UNSCHEDULABLE,
} from '../../api/scheduling/taints.ts';

export { TAINT_DISK_PRESSURE, TAINT_MEMORY_PRESSURE, TAINT_NETWORK_UNAVAILABLE, TAINT_NOT_READY, TAINT_PID_PRESSURE, TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE };

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect | string;
  timeAdded?: string;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number | null;
}

export interface NodeCondition {
  type: string;
  status: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface Node extends KubeObject {
  spec?: { unschedulable?: boolean; taints?: Taint[]; [k: string]: unknown };
  status?: { conditions?: NodeCondition[]; [k: string]: unknown };
}

export const NOT_READY_NO_EXECUTE: Taint = { key: TAINT_NOT_READY, effect: 'NoExecute' };
export const UNREACHABLE_NO_EXECUTE: Taint = { key: TAINT_UNREACHABLE, effect: 'NoExecute' };

/** Which NoSchedule taint each condition status calls for (upstream nodeConditionToTaintKeyStatusMap). */
const CONDITION_TAINTS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  Ready: { False: TAINT_NOT_READY, Unknown: TAINT_UNREACHABLE },
  MemoryPressure: { True: TAINT_MEMORY_PRESSURE },
  DiskPressure: { True: TAINT_DISK_PRESSURE },
  NetworkUnavailable: { True: TAINT_NETWORK_UNAVAILABLE },
  PIDPressure: { True: TAINT_PID_PRESSURE },
};
const CONDITION_TAINT_KEYS = new Set(Object.values(CONDITION_TAINTS).flatMap((m) => Object.values(m)));

export const nodeTaints = (node: Node): Taint[] => node.spec?.taints ?? [];
export const nodeCondition = (node: Node, type: string): NodeCondition | undefined => node.status?.conditions?.find((c) => c.type === type);

/** Upstream MatchTaint: the same key and effect (the value does not matter). */
export const sameTaint = (a: Taint, b: Taint): boolean => a.key === b.key && a.effect === b.effect;
export const hasTaint = (node: Node, taint: Taint): boolean => nodeTaints(node).some((t) => sameTaint(t, taint));

/** The NoSchedule taints the node's conditions and spec.unschedulable call for. */
export function conditionTaints(node: Node): Taint[] {
  const out: Taint[] = [];
  for (const c of node.status?.conditions ?? []) {
    const key = CONDITION_TAINTS[c.type]?.[c.status];
    if (key) out.push({ key, effect: 'NoSchedule' });
  }
  if (node.spec?.unschedulable) out.push({ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' });
  return out;
}

/** The NoSchedule taints this controller manages that the node carries now. */
export const managedNoScheduleTaints = (node: Node): Taint[] =>
  nodeTaints(node).filter((t) => t.effect === 'NoSchedule' && (t.key === TAINT_UNSCHEDULABLE || CONDITION_TAINT_KEYS.has(t.key)));

/** Taints in `a` that `b` lacks (by key and effect). */
export const taintsMissing = (a: readonly Taint[], b: readonly Taint[]): Taint[] => a.filter((t) => !b.some((u) => sameTaint(t, u)));

export { toleratesTaint as tolerates } from '../../api/scheduling/taints.ts';

/**
 * For each taint the first toleration that tolerates it, or undefined when some taint is not
 * tolerated at all (upstream GetMatchingTolerations).
 */
export function matchingTolerations(taints: readonly Taint[], tolerations: readonly Toleration[]): Toleration[] | undefined {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const t = tolerations.find((x) => toleratesTaint(x, taint));
    if (!t) return undefined;
    used.push(t);
  }
  return used;
}
