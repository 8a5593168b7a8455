// Taints and tolerations as core/v1 helpers define them: a toleration with an empty key and
// operator Exists tolerates everything; an empty effect matches every effect; operator "" means Equal.

import type { Taint, Toleration } from '../api-types.ts';

export const NO_SCHEDULE = 'NoSchedule';
export const NO_EXECUTE = 'NoExecute';
export const PREFER_NO_SCHEDULE = 'PreferNoSchedule';
export const TAINT_NODE_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? '') {
    case '':
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

export function tolerationsTolerateTaint(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  if (!tolerations) return false;
  for (const t of tolerations) if (toleratesTaint(t, taint)) return true;
  return false;
}

const isDoNotSchedule = (t: Taint): boolean => t.effect === NO_SCHEDULE || t.effect === NO_EXECUTE;

/** The first NoSchedule/NoExecute taint the tolerations do not tolerate (upstream FindMatchingUntoleratedTaint). */
export function findUntoleratedTaint(taints: readonly Taint[] | undefined, tolerations: readonly Toleration[] | undefined): Taint | undefined {
  if (!taints) return undefined;
  for (const taint of taints) {
    if (!isDoNotSchedule(taint)) continue;
    if (!tolerationsTolerateTaint(tolerations, taint)) return taint;
  }
  return undefined;
}
