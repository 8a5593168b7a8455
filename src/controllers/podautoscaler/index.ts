// The HorizontalPodAutoscaler controller: resource metrics in, the target's scale out.

export { DEFAULT_HPA_OPTIONS, HPAS, hpaController, HpaReconciler, type HpaOptions, type HpaReconcilerDeps } from './hpa-controller.ts';
export { apiMetricsClient, parseGoDuration, type ResourceMetricsClient } from './metrics-client.ts';
export { computeReplicasForMetrics } from './metric-replicas.ts';
export * from './normalize.ts';
export * from './replica-calculator.ts';
export { ScaleClient } from './scale-client.ts';
export type * from './types.ts';
