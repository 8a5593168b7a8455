// What a service's slices should say about one pod, as upstream's reconciler utils: the address
// types a service has slices for, a pod's ports (its resolved target ports under the service's
// port names), the endpoint (addresses of one family, ready/serving/terminating, node, zone,
// target, hostname), and the labels and skeleton of a new slice.

import type { KubeObject } from '../../api/types.ts';
import { isPodReady } from '../util/pods.ts';
import { findPort, isHeadless, isIPv6Address, isServiceIPSet, podIPs, shouldSetHostname } from './pod-endpoints.ts';
import {
  LABEL_HEADLESS,
  LABEL_MANAGED_BY,
  LABEL_SERVICE_NAME,
  LABEL_TOPOLOGY_ZONE,
  type AddressType,
  type Endpoint,
  type EndpointPod,
  type EndpointPort,
  type EndpointSlice,
  type Service,
} from './types.ts';
import { sortPorts } from './endpoint-set.ts';

/**
 * The address types a service gets slices for: one per IP family; without families (a server
 * that predates dual-stack) the family of the cluster IP, or both for a headless service.
 */
export function addressTypesForService(svc: Service): AddressType[] {
  const types = new Set<AddressType>();
  for (const family of svc.spec?.ipFamilies ?? []) {
    if (family === 'IPv4') types.add('IPv4');
    if (family === 'IPv6') types.add('IPv6');
  }
  if (types.size > 0) return [...types];
  if (isServiceIPSet(svc)) return [isIPv6Address(svc.spec?.clusterIP ?? '') ? 'IPv6' : 'IPv4'];
  return ['IPv4', 'IPv6'];
}

/** The pod's ports for the service: every service port whose target resolves on the pod, in canonical order. */
export function endpointPortsFor(svc: Service, pod: EndpointPod): EndpointPort[] {
  const ports = svc.spec?.ports ?? [];
  // A headless service may have no ports at all.
  if (ports.length === 0 && isHeadless(svc)) return [];
  const out: EndpointPort[] = [];
  for (const sp of ports) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    out.push({ name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol !== undefined ? { appProtocol: sp.appProtocol } : {}) });
  }
  return sortPorts(out);
}

/** The pod's addresses of one family. */
export const addressesOfType = (pod: EndpointPod, type: AddressType): string[] =>
  podIPs(pod).filter((ip) => (type === 'IPv6' ? isIPv6Address(ip) : type === 'IPv4' && !isIPv6Address(ip)));

/**
 * The slice endpoint for a pod. Ready is never true for a terminating pod unless the service
 * publishes not-ready addresses; serving is the pod's readiness either way.
 */
export function podToEndpoint(pod: EndpointPod, node: KubeObject | undefined, svc: Service, type: AddressType): Endpoint {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata.deletionTimestamp;
  const ready = svc.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  const zone = node?.metadata.labels?.[LABEL_TOPOLOGY_ZONE];
  const nodeName = pod.spec?.nodeName;
  return {
    addresses: addressesOfType(pod, type),
    conditions: { ready, serving, terminating },
    ...(shouldSetHostname(pod, svc) ? { hostname: pod.spec?.hostname ?? '' } : {}),
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '' },
    ...(nodeName ? { nodeName } : {}),
    ...(zone ? { zone } : {}),
  };
}

const RESERVED_LABELS = new Set([LABEL_SERVICE_NAME, LABEL_MANAGED_BY, LABEL_HEADLESS]);

/**
 * A slice's labels: the service's own (reserved keys excepted), the headless marker for a
 * service without a virtual IP, and the service name and managing controller.
 */
export function sliceLabels(svc: Service, controllerName: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.metadata.labels ?? {})) if (!RESERVED_LABELS.has(k)) labels[k] = v;
  if (!isServiceIPSet(svc)) labels[LABEL_HEADLESS] = '';
  labels[LABEL_SERVICE_NAME] = svc.metadata.name ?? '';
  labels[LABEL_MANAGED_BY] = controllerName;
  return labels;
}

/** The generateName prefix of a service's slices ("<service>-"). */
export const slicePrefix = (name: string): string => `${name}-`;

/** A new, empty slice of the service for one address type and port list, owned by the service. */
export function newSlice(svc: Service, ports: readonly EndpointPort[], addressType: AddressType, controllerName: string): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: slicePrefix(svc.metadata.name ?? ''),
      namespace: svc.metadata.namespace ?? '',
      labels: sliceLabels(svc, controllerName),
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: svc.metadata.name ?? '', uid: svc.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    addressType,
    endpoints: [],
    ports: ports.map((p) => ({ ...p })),
  };
}

/** True when an owner reference of the slice is this service (upstream's ownedBy). */
export const ownedBy = (slice: EndpointSlice, svc: Service): boolean =>
  (slice.metadata.ownerReferences ?? []).some((r) => r.apiVersion === 'v1' && r.kind === 'Service' && r.uid === svc.metadata.uid);
