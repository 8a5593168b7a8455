// Public surface of the Endpoints controller and its subset tools (repacking into the canonical
// layout, the 1000-address capacity limit), which the mirroring controller reuses.

export { repackSubsets, subsetsEqual, compareAddresses } from './repack.ts';
export { truncateSubsets, MAX_ENDPOINTS_CAPACITY, ANNOTATION_OVER_CAPACITY, OVER_CAPACITY_TRUNCATED } from './capacity.ts';
export { desiredSubsets, endpointAddressFor, type DesiredSubsets } from './desired-subsets.ts';
export {
  EndpointsSync,
  endpointsController,
  LABEL_ENDPOINTS_MANAGED_BY,
  ENDPOINTS_CONTROLLER_NAME,
  type EndpointsControllerOptions,
} from './endpoints-controller.ts';
