// Upstream defaults for the core/v1 kinds other than pods and workload templates: Service,
// Namespace, Secret, volumes and claims, Node, LimitRange, ResourceQuota, Endpoints.

import { isIPv6 } from '../../machinery/index.ts';
import { canonicalizeResourceList, defaultString, defaultValue, ensureRec, isEmpty, isRec, rec, recs, type Rec } from './fields.ts';
import { defaultPersistentVolumeClaimSpec } from './pod.ts';

export const METADATA_NAME_LABEL = 'kubernetes.io/metadata.name';

function isExternallyAccessible(spec: Rec): boolean {
  const type = spec['type'];
  return type === 'LoadBalancer' || type === 'NodePort' || (type === 'ClusterIP' && !isEmpty(spec['externalIPs']));
}

function isUnsetPort(v: unknown): boolean {
  return v === undefined || v === null || v === 0 || v === '';
}

export function defaultService(obj: Rec): void {
  const spec = ensureRec(obj, 'spec');
  if (!spec) return;
  defaultString(spec, 'sessionAffinity', 'None');
  if (spec['sessionAffinity'] === 'None') {
    delete spec['sessionAffinityConfig'];
  } else if (spec['sessionAffinity'] === 'ClientIP') {
    const clientIP = rec(rec(spec, 'sessionAffinityConfig'), 'clientIP');
    if (clientIP?.['timeoutSeconds'] === undefined || clientIP['timeoutSeconds'] === null) {
      spec['sessionAffinityConfig'] = { clientIP: { timeoutSeconds: 10800 } };
    }
  }
  defaultString(spec, 'type', 'ClusterIP');
  for (const port of recs(spec, 'ports')) {
    defaultString(port, 'protocol', 'TCP');
    if (isUnsetPort(port['targetPort'])) port['targetPort'] = port['port'];
  }
  if (isExternallyAccessible(spec)) defaultString(spec, 'externalTrafficPolicy', 'Cluster');
  const type = spec['type'];
  if (type === 'ClusterIP' || type === 'NodePort' || type === 'LoadBalancer') defaultValue(spec, 'internalTrafficPolicy', 'Cluster');
  if (type === 'LoadBalancer') {
    defaultValue(spec, 'allocateLoadBalancerNodePorts', true);
    for (const ingress of recs(rec(rec(obj, 'status'), 'loadBalancer'), 'ingress')) {
      if (typeof ingress['ip'] === 'string' && ingress['ip'] !== '') defaultValue(ingress, 'ipMode', 'VIP');
    }
  }
  if (type !== 'ExternalName') defaultServiceIPFamilies(spec);
}

/**
 * The registry-side normalization upstream does before allocating: clusterIP and clusterIPs[0]
 * mirror each other, and single-stack IP families are filled in (a headless service without a
 * selector asks for both families, of which this single-stack cluster has one).
 */
function defaultServiceIPFamilies(spec: Rec): void {
  const clusterIP = typeof spec['clusterIP'] === 'string' ? spec['clusterIP'] : '';
  const clusterIPs = Array.isArray(spec['clusterIPs']) ? spec['clusterIPs'] : [];
  if (clusterIP !== '' && clusterIPs.length === 0) spec['clusterIPs'] = [clusterIP];
  if (clusterIP === '' && typeof clusterIPs[0] === 'string' && clusterIPs[0] !== '') spec['clusterIP'] = clusterIPs[0];
  const primary = typeof spec['clusterIP'] === 'string' ? spec['clusterIP'] : '';
  const headless = primary === 'None';
  if (spec['ipFamilyPolicy'] === undefined || spec['ipFamilyPolicy'] === null || spec['ipFamilyPolicy'] === '') {
    spec['ipFamilyPolicy'] = headless && isEmpty(spec['selector']) ? 'RequireDualStack' : 'SingleStack';
  }
  if (isEmpty(spec['ipFamilies'])) spec['ipFamilies'] = [primary !== '' && isIPv6(primary) ? 'IPv6' : 'IPv4'];
}

/**
 * On update, keeps values the server allocated when the new object leaves them out (a `kubectl
 * replace` with the original manifest): clusterIP(s), node ports and the health-check node port.
 */
export function prepareServiceForUpdate(obj: Rec, old: Rec): void {
  const spec = ensureRec(obj, 'spec');
  const oldSpec = rec(old, 'spec');
  if (!spec || !oldSpec) return;
  const needsClusterIP = (s: Rec) => s['type'] !== 'ExternalName';
  const needsNodePort = (s: Rec) => s['type'] === 'NodePort' || (s['type'] === 'LoadBalancer' && s['allocateLoadBalancerNodePorts'] !== false);
  if (needsClusterIP(oldSpec) && needsClusterIP(spec)) {
    if (spec['clusterIP'] === undefined || spec['clusterIP'] === null || spec['clusterIP'] === '') {
      if (oldSpec['clusterIP'] !== undefined) spec['clusterIP'] = oldSpec['clusterIP'];
    }
    if (isEmpty(spec['clusterIPs']) && !isEmpty(oldSpec['clusterIPs'])) spec['clusterIPs'] = oldSpec['clusterIPs'];
  }
  if (needsNodePort(oldSpec) && needsNodePort(spec)) {
    const used = (s: Rec) => new Set(recs(s, 'ports').map((p) => p['nodePort']).filter((n) => typeof n === 'number' && n !== 0));
    const oldUsed = used(oldSpec);
    const inBoth = new Set([...used(spec)].filter((n) => oldUsed.has(n)));
    const byName = new Map(recs(oldSpec, 'ports').map((p) => [p['name'] ?? '', p['nodePort']]));
    for (const port of recs(spec, 'ports')) {
      if (!isUnsetPort(port['nodePort'])) continue;
      const oldValue = byName.get(port['name'] ?? '');
      if (typeof oldValue === 'number' && oldValue !== 0 && !inBoth.has(oldValue)) port['nodePort'] = oldValue;
    }
  }
  const needsHealthCheck = (s: Rec) => s['type'] === 'LoadBalancer' && s['externalTrafficPolicy'] === 'Local';
  if (needsHealthCheck(oldSpec) && needsHealthCheck(spec) && isUnsetPort(spec['healthCheckNodePort'])) {
    spec['healthCheckNodePort'] = oldSpec['healthCheckNodePort'];
  }
}

export function defaultNamespace(obj: Rec): void {
  const meta = ensureRec(obj, 'metadata');
  const name = meta?.['name'];
  if (meta && typeof name === 'string' && name !== '') {
    const labels = ensureRec(meta, 'labels');
    if (labels) labels[METADATA_NAME_LABEL] = name;
  }
  const status = ensureRec(obj, 'status');
  if (status) defaultString(status, 'phase', 'Active');
}

/**
 * What the Namespace registry does on create: the "kubernetes" finalizer is required then, but is
 * not a default, because the namespace controller removes it during deletion.
 */
export function prepareNamespaceForCreate(obj: Rec): void {
  const spec = ensureRec(obj, 'spec');
  if (!spec) return;
  const finalizers = Array.isArray(spec['finalizers']) ? spec['finalizers'] : [];
  if (!finalizers.includes('kubernetes')) spec['finalizers'] = [...finalizers, 'kubernetes'];
  obj['status'] = { phase: 'Active' };
}

/** Secret type defaults to Opaque; stringData is merged into data (base64) as upstream conversion does. */
export function defaultSecret(obj: Rec): void {
  defaultString(obj, 'type', 'Opaque');
  const stringData = rec(obj, 'stringData');
  if (stringData) {
    const data = ensureRec(obj, 'data');
    if (data) {
      for (const [k, v] of Object.entries(stringData)) {
        if (typeof v === 'string') data[k] = Buffer.from(v, 'utf8').toString('base64');
      }
      delete obj['stringData'];
    }
  }
}

/** A PersistentVolumeClaim (also a StatefulSet volumeClaimTemplate): spec defaults and Pending. */
export function defaultPersistentVolumeClaim(obj: Rec): void {
  defaultPersistentVolumeClaimSpec(ensureRec(obj, 'spec'));
  const status = ensureRec(obj, 'status');
  if (!status) return;
  defaultString(status, 'phase', 'Pending');
  canonicalizeResourceList(status['capacity']);
  canonicalizeResourceList(status['allocatedResources']);
}

export function defaultPersistentVolume(obj: Rec): void {
  const spec = ensureRec(obj, 'spec');
  if (spec) {
    defaultString(spec, 'persistentVolumeReclaimPolicy', 'Retain');
    defaultString(spec, 'volumeMode', 'Filesystem');
    canonicalizeResourceList(spec['capacity']);
    const hostPath = rec(spec, 'hostPath');
    if (hostPath) defaultValue(hostPath, 'type', '');
  }
  const status = ensureRec(obj, 'status');
  if (status) defaultString(status, 'phase', 'Pending');
}

export function defaultNode(obj: Rec): void {
  const status = rec(obj, 'status');
  if (!status) return;
  canonicalizeResourceList(status['capacity']);
  if (isRec(status['capacity']) && (status['allocatable'] === undefined || status['allocatable'] === null)) {
    status['allocatable'] = { ...status['capacity'] };
  }
  canonicalizeResourceList(status['allocatable']);
}

const LIMIT_RANGE_LISTS = ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'] as const;

export function defaultLimitRange(obj: Rec): void {
  for (const item of recs(rec(obj, 'spec'), 'limits')) {
    for (const key of LIMIT_RANGE_LISTS) canonicalizeResourceList(item[key]);
    if (item['type'] !== 'Container') continue;
    const defaults = ensureRec(item, 'default');
    const defaultRequest = ensureRec(item, 'defaultRequest');
    if (!defaults || !defaultRequest) continue;
    // Default limit from max; default request from the default limit, else from min.
    for (const [k, v] of Object.entries(rec(item, 'max') ?? {})) if (!(k in defaults)) defaults[k] = v;
    for (const [k, v] of Object.entries(defaults)) if (!(k in defaultRequest)) defaultRequest[k] = v;
    for (const [k, v] of Object.entries(rec(item, 'min') ?? {})) if (!(k in defaultRequest)) defaultRequest[k] = v;
  }
}

export function defaultResourceQuota(obj: Rec): void {
  canonicalizeResourceList(rec(obj, 'spec')?.['hard']);
  const status = rec(obj, 'status');
  canonicalizeResourceList(status?.['hard']);
  canonicalizeResourceList(status?.['used']);
}

export function defaultEndpoints(obj: Rec): void {
  for (const subset of recs(obj, 'subsets')) {
    for (const port of recs(subset, 'ports')) defaultString(port, 'protocol', 'TCP');
  }
}
