// What the mirrored EndpointSlices of a custom Endpoints object should hold (upstream's
// desiredCalc and mirroring utils): the repacked subsets, each subset's ports paired with each
// address type, each address as an endpoint of the type of its IP (ready in `addresses`, not
// ready in `notReadyAddresses`), at most maxEndpointsPerSubset per subset; and the slice skeleton
// that copies the Endpoints' labels and annotations and is owned by it.

import { repackSubsets } from '../endpoints/index.ts';
import {
  ANNOTATION_LAST_APPLIED_CONFIG,
  ANNOTATION_LAST_CHANGE_TRIGGER_TIME,
  EndpointSet,
  LABEL_MANAGED_BY,
  LABEL_SERVICE_NAME,
  MIRRORING_CONTROLLER_NAME,
  portMapKey,
  slicePrefix,
  type AddressType,
  type Endpoint,
  type EndpointAddress,
  type EndpointPort,
  type Endpoints,
  type EndpointSlice,
  type EndpointsPort,
} from '../endpointslice/index.ts';
import { isIPv4, isIPv6 } from '../../machinery/ip.ts';

export interface MirrorGroup {
  addressType: AddressType;
  ports: EndpointPort[];
  endpoints: EndpointSet;
}

export interface MirrorDesired {
  /** By groupKey(addressType, ports); a subset's group for the other address type may be empty. */
  groups: Map<string, MirrorGroup>;
  /** Addresses that are not IPs. */
  invalid: number;
  /** Addresses not mirrored: invalid ones and those beyond the per-subset maximum. */
  skipped: number;
}

export const groupKey = (addressType: string, ports: readonly EndpointPort[] | null | undefined): string => `${addressType}|${portMapKey(ports)}`;

/** The address type of an IP, or undefined for something that is not one. */
export function addressTypeOf(ip: string): AddressType | undefined {
  if (isIPv4(ip)) return 'IPv4';
  if (isIPv6(ip)) return 'IPv6';
  return undefined;
}

export const toSlicePorts = (ports: readonly EndpointsPort[] | undefined): EndpointPort[] =>
  (ports ?? []).map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP', ...(p.appProtocol !== undefined ? { appProtocol: p.appProtocol } : {}) }));

export function addressToEndpoint(addr: EndpointAddress, ready: boolean): Endpoint {
  return {
    addresses: [addr.ip],
    conditions: { ready },
    ...(addr.targetRef ? { targetRef: { ...addr.targetRef } } : {}),
    ...(addr.nodeName !== undefined ? { nodeName: addr.nodeName } : {}),
    ...(addr.hostname ? { hostname: addr.hostname } : {}),
  };
}

export function mirrorDesired(endpoints: Endpoints, maxEndpointsPerSubset: number): MirrorDesired {
  const groups = new Map<string, MirrorGroup>();
  let invalid = 0;
  let skipped = 0;
  for (const subset of repackSubsets(endpoints.subsets ?? [])) {
    const ports = toSlicePorts(subset.ports);
    const byType = new Map<AddressType, MirrorGroup>();
    for (const addressType of ['IPv4', 'IPv6'] as const) {
      const key = groupKey(addressType, ports);
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { addressType, ports, endpoints: new EndpointSet() }));
      byType.set(addressType, group);
    }
    const total = (subset.addresses?.length ?? 0) + (subset.notReadyAddresses?.length ?? 0);
    let added = 0;
    const candidates: [EndpointAddress, boolean][] = [
      ...(subset.addresses ?? []).map((a): [EndpointAddress, boolean] => [a, true]),
      ...(subset.notReadyAddresses ?? []).map((a): [EndpointAddress, boolean] => [a, false]),
    ];
    for (const [addr, ready] of candidates) {
      // One subset maps onto one slice: what does not fit is skipped, with a warning.
      if (added >= maxEndpointsPerSubset) break;
      const type = addressTypeOf(addr.ip);
      if (!type) {
        invalid++;
        continue;
      }
      byType.get(type)!.endpoints.insert(addressToEndpoint(addr, ready));
      added++;
    }
    skipped += total - added;
  }
  return { groups, invalid, skipped };
}

/** The mirrored labels: the Endpoints' own, with the service name and this controller as manager. */
export function mirroredLabels(endpoints: Endpoints): Record<string, string> {
  return { ...(endpoints.metadata.labels ?? {}), [LABEL_SERVICE_NAME]: endpoints.metadata.name ?? '', [LABEL_MANAGED_BY]: MIRRORING_CONTROLLER_NAME };
}

/** The mirrored annotations: all of the Endpoints' but its trigger time and kubectl's last-applied copy. */
export function mirroredAnnotations(endpoints: Endpoints): Record<string, string> {
  const out = { ...(endpoints.metadata.annotations ?? {}) };
  delete out[ANNOTATION_LAST_CHANGE_TRIGGER_TIME];
  delete out[ANNOTATION_LAST_APPLIED_CONFIG];
  return out;
}

/** A mirrored slice skeleton: named `name` (an update) or generated from the Endpoints' name (a create). */
export function newMirroredSlice(endpoints: Endpoints, ports: readonly EndpointPort[], addressType: AddressType, name?: string): EndpointSlice {
  const annotations = mirroredAnnotations(endpoints);
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      ...(name ? { name } : { generateName: slicePrefix(endpoints.metadata.name ?? '') }),
      namespace: endpoints.metadata.namespace ?? '',
      labels: mirroredLabels(endpoints),
      ...(Object.keys(annotations).length ? { annotations } : {}),
      ownerReferences: [
        { apiVersion: 'v1', kind: 'Endpoints', name: endpoints.metadata.name ?? '', uid: endpoints.metadata.uid ?? '', controller: true, blockOwnerDeletion: true },
      ],
    },
    addressType,
    endpoints: [],
    ports: ports.map((p) => ({ ...p })),
  };
}
