// Objects every cluster has from its first start: the system namespaces, the system
// PriorityClasses, and the `kubernetes` Service (with its Endpoints and EndpointSlice) pointing
// at this API server.

import type { KubeObject } from '../api/types.ts';
import { isAlreadyExists, isNotFound } from '../machinery/status-error.ts';
import { SYSTEM_PRIORITY_CLASSES } from './admission/index.ts';
import type { ApiRegistry } from './api-registry.ts';
import type { ServiceAllocator } from './registry/allocator.ts';
import type { RequestContext } from './registry/strategy.ts';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'] as const;

function ctx(): RequestContext {
  return { user: 'system:apiserver', dryRun: false, fieldManager: 'strata-apiserver', now: new Date() };
}

async function ensure(registry: ApiRegistry, group: string, kind: string, obj: KubeObject, reconcile = false): Promise<void> {
  const served = registry.forKind(group, kind);
  if (!served) throw new Error(`bootstrap: ${kind} is not served`);
  const ns = obj.metadata.namespace;
  try {
    await served.store.create(ns, obj, ctx());
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    if (reconcile) {
      await served.store.update(ns, obj.metadata.name as string, (current) => {
        if (!current) return obj;
        return { ...current, ...Object.fromEntries(Object.entries(obj).filter(([k]) => k !== 'metadata')), metadata: current.metadata };
      }, ctx());
    }
  }
}

export async function bootstrapCluster(registry: ApiRegistry, allocator: ServiceAllocator, apiEndpoint: { ip: string; port: number }): Promise<void> {
  for (const name of SYSTEM_NAMESPACES) {
    await ensure(registry, '', 'Namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } } });
  }
  for (const pc of SYSTEM_PRIORITY_CLASSES) await ensure(registry, 'scheduling.k8s.io', 'PriorityClass', structuredClone(pc));
  const ip = allocator.apiServerIp;
  const services = registry.forKind('', 'Service');
  let exists = false;
  try {
    await services?.store.get('default', 'kubernetes');
    exists = true;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  if (!exists) {
    await ensure(registry, '', 'Service', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: { type: 'ClusterIP', clusterIP: ip, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: apiEndpoint.port }], sessionAffinity: 'None' },
    });
  }
  // Endpoints may not hold loopback addresses (upstream validation), and a server reachable only
  // on loopback has no address a pod could use: like upstream's endpoint reconciler, whose write
  // of a loopback advertise address fails validation, leave the Service without endpoints then.
  if (isLoopback(apiEndpoint.ip)) return;
  await ensure(
    registry,
    '',
    'Endpoints',
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets: [{ addresses: [{ ip: apiEndpoint.ip }], ports: [{ name: 'https', port: apiEndpoint.port, protocol: 'TCP' }] }],
    },
    true,
  );
  await ensure(
    registry,
    'discovery.k8s.io',
    'EndpointSlice',
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [apiEndpoint.ip], conditions: { ready: true } }],
      ports: [{ name: 'https', port: apiEndpoint.port, protocol: 'TCP' }],
    },
    true,
  );
}

function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1';
}
