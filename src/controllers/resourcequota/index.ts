// Public surface of the resource quota controller: the controller, its evaluators and the quota
// arithmetic they share.

export { ResourceQuotaController, ResourceQuotaReconciler, resourceQuotaController, type ResourceQuotaOptions } from './resourcequota-controller.ts';
export { BUILTIN_EVALUATORS, objectCountEvaluator, podEvaluator, pvcEvaluator, serviceEvaluator, countName, parseCountName, type Evaluator } from './evaluators.ts';
export { podRequests, podLimits, podUsage, podCountsForQuota, podMatchesScope, isBestEffort, type ScopeRequirement } from './pod-usage.ts';
export { computeQuotaStatus, statusChanged, scopeRequirements, matchingEvaluators, type QuotaStatus, type ResourceQuota } from './usage.ts';
export { addQuantity, formatList, parseList, equalLists, type ResourceList, type Usage } from './resource-list.ts';
