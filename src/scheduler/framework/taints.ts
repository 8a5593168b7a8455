// Taints and tolerations as core/v1 helpers define them: a toleration with an empty key and
// operator Exists tolerates everything; an empty effect matches every effect; operator "" means Equal.

import { findUntoleratedTaint as findMatchingUntoleratedTaint } from '../../api/scheduling/taints.ts';
import type { Taint, Toleration } from '../api-types.ts';

export const NO_SCHEDULE = 'NoSchedule';
export const NO_EXECUTE = 'NoExecute';
export const PREFER_NO_SCHEDULE = 'PreferNoSchedule';
export const TAINT_NODE_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

export { toleratesTaint, tolerationsTolerateTaint } from '../../api/scheduling/taints.ts';

const isDoNotSchedule = (t: Taint): boolean => t.effect === NO_SCHEDULE || t.effect === NO_EXECUTE;

/** The first NoSchedule/NoExecute taint the tolerations do not tolerate (upstream FindMatchingUntoleratedTaint). */
export function findUntoleratedTaint(taints: readonly Taint[] | undefined, tolerations: readonly Toleration[] | undefined): Taint | undefined {
  return findMatchingUntoleratedTaint(taints, tolerations, isDoNotSchedule);
}
