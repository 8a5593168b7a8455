// metrics.k8s.io served by the API server itself (upstream: metrics-server behind aggregation):
// NodeMetrics and PodMetrics from the nodes' kubelet summaries, for `kubectl top` and the HPA.

export { METRICS_DEFINITIONS, METRICS_GROUP, METRICS_VERSION, NODE_METRICS, POD_METRICS } from './definitions.ts';
export { DEFAULT_METRIC_RESOLUTION_MS, KubeletScraper, type MetricsSnapshot, type MetricsSource } from './kubelet-scraper.ts';
export { MetricsApi } from './metrics-handler.ts';
export { cpuQuantity, memoryQuantity, nodePoint, podPoints, type MetricsPoint, type PodPoint, type Usage } from './metrics-points.ts';
export type { SummaryWire } from './summary-wire.ts';
