// Quota evaluators, as upstream's quota registry: each knows one resource, which quota names it
// measures, what one object charges, which scopes can select its objects, and whether an update
// can change its charge (so the controller recomputes only then). Pods, services and persistent
// volume claims have their own; configmaps, secrets, replication controllers and resource quotas
// are object counts under both names (`configmaps` and `count/configmaps`); any other resource is
// counted generically as `count/<resource>.<group>`.

import type { KubeObject } from '../../api/types.ts';
import type { ResourceType } from '../../client/index.ts';
import { podMatchesScope, podMatchingResources, podUsage, type ScopeRequirement } from './pod-usage.ts';
import { equalLists, parseList, quantityOf, type Usage } from './resource-list.ts';

export interface Evaluator {
  /** The resource whose objects it measures. */
  type: ResourceType;
  /** The names out of `names` it measures. */
  matchingResources(names: readonly string[]): string[];
  /** What one object charges. */
  usage(obj: KubeObject, nowMs: number): Usage;
  /** Whether a scope requirement selects the object; objects of kinds without scopes match none. */
  matchesScope(req: ScopeRequirement, obj: KubeObject): boolean;
  /** Whether an update can change what the object charges. */
  changed(old: KubeObject, obj: KubeObject, nowMs: number): boolean;
}

const one = quantityOf(1);
const noScope = (): boolean => false;

/** `count/<resource>` for the core group, `count/<resource>.<group>` otherwise. */
export const countName = (type: Pick<ResourceType, 'group' | 'resource'>): string => (type.group ? `count/${type.resource}.${type.group}` : `count/${type.resource}`);

/** An evaluator that charges 1 per object under `count/...` (and `alias`, for the legacy names). */
export function objectCountEvaluator(type: ResourceType, alias?: string): Evaluator {
  const names = new Set([countName(type), ...(alias ? [alias] : [])]);
  return {
    type,
    matchingResources: (input) => input.filter((n) => names.has(n)),
    usage: () => new Map([...names].map((n) => [n, one])),
    matchesScope: noScope,
    changed: () => false,
  };
}

const scopeFacts = (pod: KubeObject): string =>
  JSON.stringify([(pod['spec'] as { activeDeadlineSeconds?: number } | undefined)?.activeDeadlineSeconds, (pod['status'] as { qosClass?: string } | undefined)?.qosClass]);

export const podEvaluator: Evaluator = {
  type: { group: '', version: 'v1', resource: 'pods' },
  matchingResources: podMatchingResources,
  usage: podUsage,
  matchesScope: podMatchesScope,
  // Phase, deletion and (in-place resized) resources change the charge; an active deadline or a
  // QoS class recorded later changes which scopes select the pod. Binding to a node changes neither.
  changed: (old, obj, now) =>
    !equalLists(podUsage(old, now), podUsage(obj, now)) || scopeFacts(old) !== scopeFacts(obj),
};

interface ServiceSpec {
  type?: string;
  ports?: { nodePort?: number }[];
  allocateLoadBalancerNodePorts?: boolean;
}

function serviceUsage(svc: KubeObject): Usage {
  const spec = (svc['spec'] ?? {}) as ServiceSpec;
  const ports = spec.ports ?? [];
  let nodePorts = 0;
  let loadBalancers = 0;
  if (spec.type === 'NodePort') nodePorts = ports.length;
  if (spec.type === 'LoadBalancer') {
    loadBalancers = 1;
    // Without allocated node ports only explicitly requested ones count.
    nodePorts = spec.allocateLoadBalancerNodePorts === false ? ports.filter((p) => (p.nodePort ?? 0) !== 0).length : ports.length;
  }
  return new Map([
    ['count/services', one],
    ['services', one],
    ['services.nodeports', quantityOf(nodePorts)],
    ['services.loadbalancers', quantityOf(loadBalancers)],
  ]);
}

const SERVICE_RESOURCES = new Set(['count/services', 'services', 'services.nodeports', 'services.loadbalancers']);

export const serviceEvaluator: Evaluator = {
  type: { group: '', version: 'v1', resource: 'services' },
  matchingResources: (input) => input.filter((n) => SERVICE_RESOURCES.has(n)),
  usage: serviceUsage,
  matchesScope: noScope,
  changed: (old, obj) => !equalLists(serviceUsage(old), serviceUsage(obj)),
};

const STORAGE_CLASS_SUFFIX = '.storageclass.storage.k8s.io/';
const PVC_RESOURCES = new Set(['count/persistentvolumeclaims', 'persistentvolumeclaims', 'requests.storage']);

function pvcUsage(pvc: KubeObject): Usage {
  const spec = (pvc['spec'] ?? {}) as { storageClassName?: string; resources?: { requests?: unknown } };
  const status = (pvc['status'] ?? {}) as { allocatedResources?: unknown };
  const storageClass = pvc.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? spec.storageClassName ?? '';
  const usage: Usage = new Map([['persistentvolumeclaims', one], ['count/persistentvolumeclaims', one]]);
  if (storageClass) usage.set(`${storageClass}${STORAGE_CLASS_SUFFIX}persistentvolumeclaims`, one);
  const requested = parseList(spec.resources?.requests).get('storage');
  const allocated = parseList(status.allocatedResources).get('storage');
  // An expansion in progress charges what was allocated when that is more.
  const storage = requested && allocated && allocated.nano > requested.nano ? allocated : (requested ?? allocated);
  if (storage) {
    usage.set('requests.storage', storage);
    if (storageClass) usage.set(`${storageClass}${STORAGE_CLASS_SUFFIX}requests.storage`, storage);
  }
  return usage;
}

export const pvcEvaluator: Evaluator = {
  type: { group: '', version: 'v1', resource: 'persistentvolumeclaims' },
  matchingResources: (input) =>
    input.filter((n) => PVC_RESOURCES.has(n) || n.endsWith(`${STORAGE_CLASS_SUFFIX}persistentvolumeclaims`) || n.endsWith(`${STORAGE_CLASS_SUFFIX}requests.storage`)),
  usage: pvcUsage,
  matchesScope: noScope,
  changed: (old, obj) => !equalLists(pvcUsage(old), pvcUsage(obj)),
};

/** The evaluators every quota controller has; generic `count/...` ones are added on demand. */
export const BUILTIN_EVALUATORS: readonly Evaluator[] = [
  podEvaluator,
  serviceEvaluator,
  pvcEvaluator,
  objectCountEvaluator({ group: '', version: 'v1', resource: 'configmaps' }, 'configmaps'),
  objectCountEvaluator({ group: '', version: 'v1', resource: 'secrets' }, 'secrets'),
  objectCountEvaluator({ group: '', version: 'v1', resource: 'replicationcontrollers' }, 'replicationcontrollers'),
  objectCountEvaluator({ group: '', version: 'v1', resource: 'resourcequotas' }, 'resourcequotas'),
];

/** The group and resource a generic `count/<resource>[.<group>]` name counts; undefined for other names. */
export function parseCountName(name: string): { group: string; resource: string } | undefined {
  if (!name.startsWith('count/')) return undefined;
  const rest = name.slice('count/'.length);
  const dot = rest.indexOf('.');
  const resource = dot < 0 ? rest : rest.slice(0, dot);
  if (!resource) return undefined;
  return { resource, group: dot < 0 ? '' : rest.slice(dot + 1) };
}
