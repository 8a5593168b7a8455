// PodDisruptionBudget arithmetic, as upstream's disruption controller does it: how many pods a
// budget expects and wants healthy, which pods count as healthy (Ready, not terminating, not just
// evicted), which eviction records in status.disruptedPods are still pending, and the resulting
// status with its DisruptionAllowed condition. Pure functions over plain objects, so every rule
// is testable without a server.

import type { KubeObject } from '../../api/types.ts';
import { isPodReady, type Pod } from '../util/pods.ts';
import { metaTime } from '../util/conditions.ts';

/** How long an eviction recorded in disruptedPods keeps its pod out of the healthy count. */
export const DELETION_TIMEOUT_MS = 2 * 60 * 1000;

export const DISRUPTION_ALLOWED = 'DisruptionAllowed';
export const SUFFICIENT_PODS = 'SufficientPods';
export const INSUFFICIENT_PODS = 'InsufficientPods';
export const SYNC_FAILED = 'SyncFailed';

export type IntOrString = number | string;

/** metav1.Condition, as policy/v1 status.conditions holds it. */
export interface MetaCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export interface BudgetStatus {
  observedGeneration?: number;
  disruptedPods?: Record<string, string>;
  disruptionsAllowed?: number;
  currentHealthy?: number;
  desiredHealthy?: number;
  expectedPods?: number;
  conditions?: MetaCondition[];
}

export interface PodDisruptionBudget extends KubeObject {
  spec?: {
    minAvailable?: IntOrString;
    maxUnavailable?: IntOrString;
    selector?: Record<string, unknown> | null;
    unhealthyPodEvictionPolicy?: 'IfHealthyBudget' | 'AlwaysAllow';
  };
  status?: BudgetStatus;
}

/**
 * Upstream's intstr.GetScaledValueFromIntOrPercent: an integer as is, "N%" of `total` rounded up
 * or down. Throws on a string that is not a percentage.
 */
export function scaledValue(value: IntOrString, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  if (!m) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const scaled = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/**
 * Whether the budget needs the pods' controllers' scale: maxUnavailable or a percentage
 * minAvailable count against the replicas the controllers want; an integer minAvailable against
 * the pods that exist.
 */
export function needsScale(pdb: PodDisruptionBudget): boolean {
  const spec = pdb.spec ?? {};
  if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) return true;
  return typeof spec.minAvailable === 'string';
}

/**
 * expectedCount and desiredHealthy of a budget. `expectedScale` is the sum of the pods'
 * controllers' replicas; it is only asked for when needsScale(pdb).
 */
export function expectedAndDesired(pdb: PodDisruptionBudget, podCount: number, expectedScale: () => number): { expectedCount: number; desiredHealthy: number } {
  const spec = pdb.spec ?? {};
  if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
    const expectedCount = expectedScale();
    const maxUnavailable = scaledValue(spec.maxUnavailable, expectedCount, true);
    return { expectedCount, desiredHealthy: Math.max(0, expectedCount - maxUnavailable) };
  }
  if (typeof spec.minAvailable === 'number') return { expectedCount: podCount, desiredHealthy: spec.minAvailable };
  if (typeof spec.minAvailable === 'string') {
    const expectedCount = expectedScale();
    return { expectedCount, desiredHealthy: scaledValue(spec.minAvailable, expectedCount, true) };
  }
  return { expectedCount: 0, desiredHealthy: 0 };
}

const parseTime = (t: string | undefined): number => (t ? Date.parse(t) : NaN);

export interface DisruptedPodsResult {
  /** The records still pending: pods that exist, are not yet terminating, and were evicted less than 2 min ago. */
  disruptedPods: Record<string, string>;
  /** Pods whose eviction was recorded over 2 min ago and that are still not being deleted. */
  overdue: Pod[];
  /** When the earliest pending record expires (the budget must be looked at again then). */
  recheckAt: number | undefined;
}

/** Upstream's buildDisruptedPodMap: prunes status.disruptedPods against the pods and the clock. */
export function pruneDisruptedPods(pods: readonly Pod[], pdb: PodDisruptionBudget, nowMs: number): DisruptedPodsResult {
  const recorded = pdb.status?.disruptedPods ?? {};
  const result: DisruptedPodsResult = { disruptedPods: {}, overdue: [], recheckAt: undefined };
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const name = pod.metadata.name ?? '';
    const at = recorded[name];
    if (at === undefined) continue;
    const expected = parseTime(at) + DELETION_TIMEOUT_MS;
    if (!(expected >= nowMs)) {
      result.overdue.push(pod);
      continue;
    }
    result.disruptedPods[name] = at;
    if (result.recheckAt === undefined || expected < result.recheckAt) result.recheckAt = expected;
  }
  return result;
}

/** Pods that count toward a budget: Ready, not terminating, not evicted in the last 2 min. */
export function countHealthy(pods: readonly Pod[], disruptedPods: Readonly<Record<string, string>>, nowMs: number): number {
  let healthy = 0;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const at = disruptedPods[pod.metadata.name ?? ''];
    if (at !== undefined && parseTime(at) + DELETION_TIMEOUT_MS > nowMs) continue;
    if (isPodReady(pod)) healthy++;
  }
  return healthy;
}

/**
 * apimeta.SetStatusCondition: the transition time moves only when the status changes; reason,
 * message and observedGeneration are always taken from `next`.
 */
export function setMetaCondition(conditions: readonly MetaCondition[] | undefined, next: Omit<MetaCondition, 'lastTransitionTime'>, nowMs: number): MetaCondition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === next.type);
  const old = i >= 0 ? list[i] : undefined;
  const merged: MetaCondition = { ...next, lastTransitionTime: old && old.status === next.status ? old.lastTransitionTime : metaTime(nowMs) };
  if (i >= 0) list[i] = merged;
  else list.push(merged);
  return list;
}

/** Upstream's UpdateDisruptionAllowedCondition: True/SufficientPods while disruptions are allowed. */
export function withDisruptionAllowedCondition(status: BudgetStatus, nowMs: number): BudgetStatus {
  const allowed = (status.disruptionsAllowed ?? 0) > 0;
  const conditions = setMetaCondition(
    status.conditions,
    {
      type: DISRUPTION_ALLOWED,
      status: allowed ? 'True' : 'False',
      reason: allowed ? SUFFICIENT_PODS : INSUFFICIENT_PODS,
      message: '',
      ...(status.observedGeneration !== undefined ? { observedGeneration: status.observedGeneration } : {}),
    },
    nowMs,
  );
  return { ...status, conditions };
}

/** Upstream's ConditionsAreUpToDate: the condition exists and agrees with disruptionsAllowed for this generation. */
export function conditionsUpToDate(pdb: PodDisruptionBudget): boolean {
  const cond = pdb.status?.conditions?.find((c) => c.type === DISRUPTION_ALLOWED);
  if (!cond || (pdb.status?.observedGeneration ?? 0) !== (pdb.metadata.generation ?? 0)) return false;
  if ((pdb.status?.disruptionsAllowed ?? 0) > 0) return cond.status === 'True' && cond.reason === SUFFICIENT_PODS;
  return cond.status === 'False' && cond.reason === INSUFFICIENT_PODS;
}

export interface Counts {
  currentHealthy: number;
  desiredHealthy: number;
  expectedCount: number;
  disruptedPods: Record<string, string>;
}

const sameMap = (a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>>): boolean => {
  const ak = Object.keys(a ?? {});
  return ak.length === Object.keys(b).length && ak.every((k) => a?.[k] === b[k]);
};

/**
 * The status the budget should have for `counts` (upstream's updatePdbStatus), or undefined when
 * the stored one already says that. No disruptions are allowed while the budget expects no pods,
 * so a budget whose first pods appear before this controller saw them stays safe.
 */
export function nextStatus(pdb: PodDisruptionBudget, counts: Counts, nowMs: number): BudgetStatus | undefined {
  let disruptionsAllowed = counts.currentHealthy - counts.desiredHealthy;
  if (counts.expectedCount <= 0 || disruptionsAllowed <= 0) disruptionsAllowed = 0;
  const s = pdb.status ?? {};
  const generation = pdb.metadata.generation ?? 0;
  if (
    s.currentHealthy === counts.currentHealthy &&
    s.desiredHealthy === counts.desiredHealthy &&
    s.expectedPods === counts.expectedCount &&
    s.disruptionsAllowed === disruptionsAllowed &&
    sameMap(s.disruptedPods, counts.disruptedPods) &&
    (s.observedGeneration ?? 0) === generation &&
    conditionsUpToDate(pdb)
  ) {
    return undefined;
  }
  const status: BudgetStatus = {
    observedGeneration: generation,
    ...(Object.keys(counts.disruptedPods).length > 0 ? { disruptedPods: counts.disruptedPods } : {}),
    disruptionsAllowed,
    currentHealthy: counts.currentHealthy,
    desiredHealthy: counts.desiredHealthy,
    expectedPods: counts.expectedCount,
    ...(s.conditions ? { conditions: s.conditions } : {}),
  };
  return withDisruptionAllowedCondition(status, nowMs);
}

/**
 * Upstream's failSafe: when the budget cannot be computed, no disruptions are allowed and the
 * condition says why. Undefined when the stored status already says exactly that.
 */
export function failSafeStatus(pdb: PodDisruptionBudget, message: string, nowMs: number): BudgetStatus | undefined {
  const s = pdb.status ?? {};
  const conditions = setMetaCondition(
    s.conditions,
    { type: DISRUPTION_ALLOWED, status: 'False', reason: SYNC_FAILED, message, ...(s.observedGeneration !== undefined ? { observedGeneration: s.observedGeneration } : {}) },
    nowMs,
  );
  const old = s.conditions?.find((c) => c.type === DISRUPTION_ALLOWED);
  const fresh = conditions.find((c) => c.type === DISRUPTION_ALLOWED);
  if ((s.disruptionsAllowed ?? 0) === 0 && old && JSON.stringify(old) === JSON.stringify(fresh)) return undefined;
  return { ...s, disruptionsAllowed: 0, conditions };
}
