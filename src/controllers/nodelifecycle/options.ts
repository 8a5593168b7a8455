// The node lifecycle controller's settings, with upstream kube-controller-manager's defaults.

export interface NodeLifecycleOptions {
  /** How often every node's health is checked (--node-monitor-period, 5 s). */
  nodeMonitorPeriodMs?: number;
  /** Silence after which a node's conditions turn Unknown (--node-monitor-grace-period, 40 s). */
  nodeMonitorGracePeriodMs?: number;
  /** The same for a node that never posted a Ready condition (--node-startup-grace-period, 60 s). */
  nodeStartupGracePeriodMs?: number;
  /** Nodes per second given a NoExecute taint in a healthy zone (--node-eviction-rate, 0.1). */
  evictionQps?: number;
  /** The same in a partially disrupted zone of a large cluster (--secondary-node-eviction-rate, 0.01). */
  secondaryEvictionQps?: number;
  /** Above this many nodes a zone counts as large (--large-cluster-size-threshold, 50). */
  largeClusterSizeThreshold?: number;
  /** Share of not-Ready nodes that makes a zone partially disrupted (--unhealthy-zone-threshold, 0.55). */
  unhealthyZoneThreshold?: number;
  workers?: number;
}

export type ResolvedNodeLifecycleOptions = Required<NodeLifecycleOptions>;

export function resolveOptions(o: NodeLifecycleOptions = {}): ResolvedNodeLifecycleOptions {
  return Object.freeze({
    nodeMonitorPeriodMs: o.nodeMonitorPeriodMs ?? 5_000,
    nodeMonitorGracePeriodMs: o.nodeMonitorGracePeriodMs ?? 40_000,
    nodeStartupGracePeriodMs: o.nodeStartupGracePeriodMs ?? 60_000,
    evictionQps: o.evictionQps ?? 0.1,
    secondaryEvictionQps: o.secondaryEvictionQps ?? 0.01,
    largeClusterSizeThreshold: o.largeClusterSizeThreshold ?? 50,
    unhealthyZoneThreshold: o.unhealthyZoneThreshold ?? 0.55,
    workers: o.workers ?? 4,
  });
}
