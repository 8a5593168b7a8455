// metrics.k8s.io/v1beta1 as metrics-server serves it behind aggregation: NodeMetrics (cluster
// scoped) and PodMetrics (namespaced), read-only. Here the API server answers it itself.

import type { ResourceDefinition } from '../../api/types.ts';

export const METRICS_GROUP = 'metrics.k8s.io';
export const METRICS_VERSION = 'v1beta1';

const base = { group: METRICS_GROUP, version: METRICS_VERSION, shortNames: [], categories: [], verbs: ['get', 'list'], subresources: [] } as const;

export const NODE_METRICS: ResourceDefinition = {
  ...base,
  kind: 'NodeMetrics',
  listKind: 'NodeMetricsList',
  plural: 'nodes',
  singular: '',
  namespaced: false,
  storage: { group: METRICS_GROUP, resource: 'nodes', version: METRICS_VERSION },
};

export const POD_METRICS: ResourceDefinition = {
  ...base,
  kind: 'PodMetrics',
  listKind: 'PodMetricsList',
  plural: 'pods',
  singular: '',
  namespaced: true,
  storage: { group: METRICS_GROUP, resource: 'pods', version: METRICS_VERSION },
};

export const METRICS_DEFINITIONS: readonly ResourceDefinition[] = [NODE_METRICS, POD_METRICS];
