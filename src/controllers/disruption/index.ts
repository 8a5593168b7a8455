// Public surface of the disruption controller: the controller, its reconciler and the budget
// arithmetic it shares with tests.

export { budgetsForPod, disruptionController, DisruptionReconciler, STALE_POD_DISRUPTION_TIMEOUT_MS, type DisruptionReconcilerDeps } from './disruption-controller.ts';
export {
  countHealthy,
  DELETION_TIMEOUT_MS,
  DISRUPTION_ALLOWED,
  expectedAndDesired,
  INSUFFICIENT_PODS,
  nextStatus,
  pruneDisruptedPods,
  scaledValue,
  SUFFICIENT_PODS,
  SYNC_FAILED,
  type BudgetStatus,
  type PodDisruptionBudget,
} from './budget.ts';
export { expectedScale, type ScaleListers } from './expected-scale.ts';
