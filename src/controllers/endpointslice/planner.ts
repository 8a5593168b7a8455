// The EndpointSlice reconciler's decisions, free of I/O (upstream's Reconcile and
// reconcileByAddressType): slices of address types the service no longer has go; per address type
// the pods' endpoints are grouped by their resolved ports, each group is packed into the existing
// slices with those ports, slices of port lists no pod has any more go, a service without
// endpoints keeps one empty placeholder slice, and creates are turned into updates of slices that
// would be deleted.

import type { KubeObject } from '../../api/types.ts';
import { jsonEqual } from '../../machinery/index.ts';
import { addressTypesForService, endpointPortsFor, newSlice, ownedBy, podToEndpoint } from './desired.ts';
import { EndpointSet, portMapKey } from './endpoint-set.ts';
import { shouldPodBeInEndpoints } from './pod-endpoints.ts';
import { reconcilePortMapping, recycleSlices } from './slice-packing.ts';
import { applyTrafficDistribution } from './traffic-distribution.ts';
import type { AddressType, EndpointPod, EndpointPort, EndpointSlice, Service } from './types.ts';

export interface PlanInput {
  service: Service;
  pods: readonly EndpointPod[];
  /** This controller's slices of the service, not being deleted. */
  slices: readonly EndpointSlice[];
  node: (name: string) => KubeObject | undefined;
  maxEndpointsPerSlice: number;
  controllerName: string;
}

export interface SlicePlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
  /** Pods left out for now (their node is not known yet): the sync must be retried. */
  errors: string[];
}

export function planSlices(input: PlanInput): SlicePlan {
  const plan: SlicePlan = { create: [], update: [], delete: [], errors: [] };
  const types = addressTypesForService(input.service);
  const byType = new Map<AddressType, EndpointSlice[]>();
  for (const slice of input.slices) {
    if (!types.includes(slice.addressType)) plan.delete.push(slice);
    else byType.set(slice.addressType, [...(byType.get(slice.addressType) ?? []), slice]);
  }
  for (const type of types) {
    const part = planAddressType(input, type, byType.get(type) ?? [], plan.errors);
    plan.create.push(...part.create);
    plan.update.push(...part.update);
    plan.delete.push(...part.delete);
  }
  return plan;
}

function planAddressType(input: PlanInput, type: AddressType, existing: readonly EndpointSlice[], errors: string[]): Omit<SlicePlan, 'errors'> {
  const { service } = input;
  const toCreate: EndpointSlice[] = [];
  const toUpdate: EndpointSlice[] = [];
  const toDelete: EndpointSlice[] = [];

  const existingByPorts = new Map<string, EndpointSlice[]>();
  for (const slice of existing) {
    if (!ownedBy(slice, service)) {
      toDelete.push(slice);
      continue;
    }
    const key = portMapKey(slice.ports);
    existingByPorts.set(key, [...(existingByPorts.get(key) ?? []), slice]);
  }

  const desiredByPorts = new Map<string, { ports: EndpointPort[]; endpoints: EndpointSet }>();
  for (const pod of input.pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports = endpointPortsFor(service, pod);
    const key = portMapKey(ports);
    let group = desiredByPorts.get(key);
    if (!group) desiredByPorts.set(key, (group = { ports, endpoints: new EndpointSet() }));
    const nodeName = pod.spec?.nodeName ?? '';
    const node = input.node(nodeName);
    if (!node && service.spec?.publishNotReadyAddresses !== true) {
      // Left out until the node shows up (upstream requeues rather than publishing an endpoint
      // it cannot place), unless the service asks for every address regardless of state.
      errors.push(`skipping pod ${pod.metadata.namespace}/${pod.metadata.name}: node ${JSON.stringify(nodeName)} not found`);
      continue;
    }
    const ep = podToEndpoint(pod, node, service, type);
    if (ep.addresses.length > 0) group.endpoints.insert(ep);
  }

  for (const [key, group] of desiredByPorts) {
    const changes = reconcilePortMapping({
      service,
      existing: existingByPorts.get(key) ?? [],
      desired: group.endpoints,
      ports: group.ports,
      addressType: type,
      maxEndpointsPerSlice: input.maxEndpointsPerSlice,
      controllerName: input.controllerName,
    });
    toCreate.push(...changes.create);
    toUpdate.push(...changes.update);
    toDelete.push(...changes.delete);
  }
  for (const [key, slices] of existingByPorts) if (!desiredByPorts.has(key)) toDelete.push(...slices);

  // A service with no endpoints of this type still gets one empty slice, so consumers can tell
  // "no endpoints" from "not processed yet"; an existing placeholder is kept rather than recreated.
  if (existing.length === toDelete.length && toCreate.length === 0) {
    const placeholder = newSlice(service, [], type, input.controllerName);
    const only = toDelete.length === 1 ? toDelete[0] : undefined;
    if (only && ownedBy(only, service) && isPlaceholderOf(only, placeholder)) toDelete.length = 0;
    else toCreate.push(placeholder);
  }

  const updated = new Set(toUpdate.map((s) => s.metadata.name));
  const deleted = new Set(toDelete.map((s) => s.metadata.name));
  const unchanged = existing.filter((s) => !updated.has(s.metadata.name) && !deleted.has(s.metadata.name));
  toUpdate.push(...applyTrafficDistribution(service.spec?.trafficDistribution, toCreate, toUpdate, unchanged));

  const changes = { create: toCreate, update: toUpdate, delete: toDelete };
  recycleSlices(changes, (s) => ownedBy(s, service));
  return changes;
}

/** Upstream's placeholderSliceCompare: same namespace, labels and address type, no endpoints, no ports. */
function isPlaceholderOf(slice: EndpointSlice, placeholder: EndpointSlice): boolean {
  return (
    slice.metadata.namespace === placeholder.metadata.namespace &&
    jsonEqual(slice.metadata.labels ?? {}, placeholder.metadata.labels ?? {}) &&
    slice.addressType === placeholder.addressType &&
    (slice.endpoints ?? []).length === 0 &&
    (slice.ports ?? []).length === 0
  );
}
