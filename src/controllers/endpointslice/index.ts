// Public surface of the EndpointSlice controller, and the endpoint facts and tools the Endpoints
// and EndpointSlice mirroring controllers share with it (types and well-known labels, pod
// membership and ports, endpoint identity, the write tracker, trigger times).

export * from './types.ts';
export * from './pod-endpoints.ts';
export { TriggerTimeTracker, formatTriggerTime } from './trigger-time.ts';
export { EndpointSet, endpointKey, endpointsEqualBeyondKey, canonicalPort, portMapKey, sortPorts, sameTargetRef } from './endpoint-set.ts';
export { SliceTracker, sliceVersion } from './slice-tracker.ts';
export { addressTypesForService, endpointPortsFor, podToEndpoint, sliceLabels, slicePrefix, newSlice, ownedBy } from './desired.ts';
export { reconcilePortMapping, sliceToFill, recycleSlices, type SliceChanges, type PortMappingInput } from './slice-packing.ts';
export { planSlices, type PlanInput, type SlicePlan } from './planner.ts';
export { applyTrafficDistribution } from './traffic-distribution.ts';
export { SliceReconciler, type SliceReconcilerOptions } from './reconciler.ts';
export { watchWith, type KeyHandlers } from './informer-events.ts';
export {
  DEFAULT_MAX_ENDPOINTS_PER_SLICE,
  SLICES_BY_SERVICE_INDEX,
  slicesByServiceIndex,
  EndpointSliceSync,
  endpointSliceController,
  type EndpointSliceControllerOptions,
} from './endpointslice-controller.ts';
