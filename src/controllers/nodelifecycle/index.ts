// Public surface of the node lifecycle controller: the controller and its options, plus the
// taint, zone and health pieces its tests and other controllers may reuse.

export { MONITOR_KEY, nodeLifecycleController, NodeLifecycleReconciler, POD_NODE_INDEX, podNodeIndex, TAINT_PASS_KEY, type NodeLifecycleDeps } from './node-lifecycle-controller.ts';
export { NodeMonitor, NODE_LEASE_NAMESPACE } from './monitor.ts';
export { NodeHealthTracker, unknownConditions, type Lease } from './node-health.ts';
export { resolveOptions, type NodeLifecycleOptions } from './options.ts';
export { evictionDecision, type EvictionDecision } from './taint-eviction.ts';
export {
  conditionTaints,
  matchingTolerations,
  NOT_READY_NO_EXECUTE,
  TAINT_NOT_READY,
  TAINT_UNREACHABLE,
  TAINT_UNSCHEDULABLE,
  tolerates,
  UNREACHABLE_NO_EXECUTE,
  type Node,
  type Taint,
  type Toleration,
} from './taints.ts';
export { computeZoneState, TokenBucket, zoneKey, ZoneTainter, type ZoneState } from './zones.ts';
