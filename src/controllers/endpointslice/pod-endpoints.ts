// Facts about pods and services that the Endpoints and EndpointSlice controllers share (upstream's
// k8s.io/endpointslice/util and podutil.FindPort): which services a pod belongs to, whether a pod
// has a place among a service's endpoints at all, its addresses, the port a service port resolves
// to on it, and which pod changes are worth a resync of its services.

import { isIPv6 } from '../../machinery/ip.ts';
import { isPodReady } from '../util/pods.ts';
import { serviceKey, type EndpointPod, type Service, type ServicePort } from './types.ts';

/**
 * A service has a selector when it names at least one label: upstream tests for a nil map, and an
 * empty selector is stored as none, so `{}` and a missing selector both mean "endpoints come from
 * elsewhere" (custom Endpoints, mirrored to slices).
 */
export const hasSelector = (svc: Service): boolean => Object.keys(svc.spec?.selector ?? {}).length > 0;

/** Upstream's IsServiceIPSet: a virtual IP was allocated (not headless, not ExternalName). */
export const isServiceIPSet = (svc: Service): boolean => {
  const ip = svc.spec?.clusterIP;
  return !!ip && ip !== 'None';
};

export const isHeadless = (svc: Service): boolean => svc.spec?.clusterIP === 'None';

export const isExternalName = (svc: Service): boolean => svc.spec?.type === 'ExternalName';

export function selectsPod(svc: Service, pod: EndpointPod): boolean {
  if (!hasSelector(svc) || svc.metadata.namespace !== pod.metadata.namespace) return false;
  const labels = pod.metadata.labels ?? {};
  return Object.entries(svc.spec?.selector ?? {}).every(([k, v]) => labels[k] === v);
}

/** Keys of the services (among `services`, those of the pod's namespace) whose selector matches the pod. */
export function podServiceMemberships(services: readonly Service[], pod: EndpointPod): Set<string> {
  const keys = new Set<string>();
  for (const svc of services) if (selectsPod(svc, pod)) keys.add(serviceKey(svc.metadata.namespace ?? '', svc.metadata.name ?? ''));
  return keys;
}

export const isPodTerminal = (pod: EndpointPod): boolean => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

export function podIPs(pod: EndpointPod): string[] {
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).filter((ip) => !!ip);
  if (ips.length > 0) return ips;
  return pod.status?.podIP ? [pod.status.podIP] : [];
}

/**
 * Upstream's ShouldPodBeInEndpoints: not finished, has an IP, and (unless the caller keeps
 * terminating pods) not being deleted.
 */
export function shouldPodBeInEndpoints(pod: EndpointPod, includeTerminating: boolean): boolean {
  if (isPodTerminal(pod)) return false;
  if (podIPs(pod).length === 0) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  return true;
}

/** A pod's DNS hostname is published when it names the service as its subdomain. */
export function shouldSetHostname(pod: EndpointPod, svc: Service): boolean {
  return !!pod.spec?.hostname && pod.spec.subdomain === svc.metadata.name && svc.metadata.namespace === pod.metadata.namespace;
}

/**
 * The port a service port reaches on this pod (podutil.FindPort): a numeric targetPort as is, a
 * named one looked up among the containers' ports of the same protocol (and sidecars', init
 * containers that keep running). Undefined when the name resolves to nothing on this pod.
 */
export function findPort(pod: EndpointPod, svcPort: ServicePort): number | undefined {
  const target = svcPort.targetPort ?? svcPort.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = svcPort.protocol ?? 'TCP';
  const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  for (const c of [...(pod.spec?.containers ?? []), ...sidecars]) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

/** Whether one pod IP belongs to the IPv6 family (anything else counts as IPv4, as upstream). */
export const isIPv6Address = (ip: string): boolean => isIPv6(ip);

const sameLabels = (a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean => {
  const ak = Object.keys(a ?? {});
  return ak.length === Object.keys(b ?? {}).length && ak.every((k) => b?.[k] === a?.[k]);
};

/**
 * Upstream's podEndpointsChanged: [whether an existing endpoint of the pod changes (deletion,
 * readiness, IPs, phase), whether the set of services it belongs to may change (labels, hostname,
 * subdomain)].
 */
export function podEndpointsChanged(old: EndpointPod, cur: EndpointPod): [podChanged: boolean, labelsChanged: boolean] {
  const labelsChanged =
    !sameLabels(old.metadata.labels, cur.metadata.labels) || old.spec?.hostname !== cur.spec?.hostname || old.spec?.subdomain !== cur.spec?.subdomain;
  if (old.metadata.deletionTimestamp !== cur.metadata.deletionTimestamp) return [true, labelsChanged];
  if (isPodReady(old) !== isPodReady(cur)) return [true, labelsChanged];
  // A pod that finished leaves its services (the kubelet usually flips Ready first, but not always).
  if (isPodTerminal(old) !== isPodTerminal(cur)) return [true, labelsChanged];
  const a = podIPs(old);
  const b = podIPs(cur);
  if (a.length !== b.length || a.some((ip, i) => ip !== b[i])) return [true, labelsChanged];
  return [false, labelsChanged];
}

/**
 * The services to resync after a pod update: none for a resync or an irrelevant change; the new
 * memberships for an endpoint change; with a label change, the union (endpoint also changed) or
 * the symmetric difference (only membership changed) of the old and new memberships.
 */
export function servicesToUpdateOnPodChange(services: readonly Service[], old: EndpointPod, cur: EndpointPod): Set<string> {
  if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return new Set();
  const [podChanged, labelsChanged] = podEndpointsChanged(old, cur);
  if (!podChanged && !labelsChanged) return new Set();
  const now = podServiceMemberships(services, cur);
  if (!labelsChanged) return now;
  const before = podServiceMemberships(services, old);
  if (podChanged) return new Set([...before, ...now]);
  const diff = new Set<string>();
  for (const k of before) if (!now.has(k)) diff.add(k);
  for (const k of now) if (!before.has(k)) diff.add(k);
  return diff;
}

/** A create refused because the namespace is terminating: retrying cannot help, upstream drops the key. */
export function isNamespaceTerminating(err: unknown): boolean {
  const status = (err as { status?: { details?: { causes?: { reason?: string }[] } } } | undefined)?.status;
  return status?.details?.causes?.some((c) => c.reason === 'NamespaceTerminating') ?? false;
}
