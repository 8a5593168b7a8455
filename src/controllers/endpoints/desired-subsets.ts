// The Endpoints subsets a selector service should have, as upstream's syncService builds them:
// every pod that belongs (running, with an IP, and not terminating unless the service publishes
// not-ready addresses) contributes its address of the service's primary IP family, once per
// service port its target resolves on, as ready or not ready; the result is repacked into
// canonical subsets. A headless service without ports lists bare addresses.

import {
  findPort,
  isHeadless,
  isIPv6Address,
  isServiceIPSet,
  podIPs,
  shouldPodBeInEndpoints,
  shouldSetHostname,
  type EndpointAddress,
  type EndpointPod,
  type EndpointsPort,
  type EndpointSubset,
  type Service,
} from '../endpointslice/index.ts';
import { isPodReady } from '../util/pods.ts';
import { repackSubsets } from './repack.ts';

/**
 * The pod's address for the service (upstream's podToEndpointAddressForService): the IP of the
 * service's first family (from ipFamilies, else the cluster IP's family, else for a headless
 * service the pod IP's); undefined when the pod has no IP of that family.
 */
export function endpointAddressFor(svc: Service, pod: EndpointPod): EndpointAddress | undefined {
  let ipv6: boolean;
  const family = svc.spec?.ipFamilies?.[0];
  if (family) ipv6 = family === 'IPv6';
  else if (isServiceIPSet(svc)) ipv6 = isIPv6Address(svc.spec?.clusterIP ?? '');
  else ipv6 = isIPv6Address(pod.status?.podIP ?? '');
  const ip = podIPs(pod).find((candidate) => isIPv6Address(candidate) === ipv6);
  if (!ip) return undefined;
  const nodeName = pod.spec?.nodeName;
  return {
    ip,
    ...(shouldSetHostname(pod, svc) ? { hostname: pod.spec?.hostname ?? '' } : {}),
    ...(nodeName ? { nodeName } : {}),
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '' },
  };
}

export interface DesiredSubsets {
  subsets: EndpointSubset[];
  ready: number;
  notReady: number;
}

export function desiredSubsets(svc: Service, pods: readonly EndpointPod[]): DesiredSubsets {
  const tolerateUnready = svc.spec?.publishNotReadyAddresses === true;
  const ports = svc.spec?.ports ?? [];
  const raw: EndpointSubset[] = [];
  let ready = 0;
  let notReady = 0;
  const add = (pod: EndpointPod, addr: EndpointAddress, port: EndpointsPort | undefined): void => {
    const portList = port ? { ports: [port] } : {};
    if (tolerateUnready || isPodReady(pod)) {
      raw.push({ addresses: [addr], ...portList });
      ready++;
    } else {
      raw.push({ notReadyAddresses: [addr], ...portList });
      notReady++;
    }
  };
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, tolerateUnready)) continue;
    const addr = endpointAddressFor(svc, pod);
    if (!addr) continue;
    if (ports.length === 0) {
      // Only a headless service may do without ports.
      if (isHeadless(svc)) add(pod, addr, undefined);
      continue;
    }
    for (const sp of ports) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      add(pod, addr, { ...(sp.name ? { name: sp.name } : {}), port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol !== undefined ? { appProtocol: sp.appProtocol } : {}) });
    }
  }
  return { subsets: repackSubsets(raw), ready, notReady };
}
