// Public surface of the EndpointSlice mirroring controller (custom Endpoints → EndpointSlices).

export { mirrorDesired, addressTypeOf, addressToEndpoint, toSlicePorts, mirroredLabels, mirroredAnnotations, newMirroredSlice, groupKey, type MirrorDesired, type MirrorGroup } from './desired.ts';
export { planMirror, type MirrorPlan } from './mirror-plan.ts';
export {
  DEFAULT_MAX_ENDPOINTS_PER_SUBSET,
  MirroringSync,
  endpointSliceMirroringController,
  shouldMirror,
  type MirroringControllerOptions,
} from './mirroring-controller.ts';
