// The catalog of built-in resources Strata serves: names, short names, categories, scope and
// subresources as upstream Kubernetes 1.33 publishes them in discovery.

import { CRUD_VERBS, type GroupVersionKind, type ResourceDefinition, type SubresourceDefinition } from './types.ts';

interface Entry {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Defaults to the full CRUD set. */
  verbs?: readonly string[];
  /** name -> verbs; the kind is the parent kind unless `subresourceKinds` says otherwise. */
  subresources?: Record<string, readonly string[]>;
  subresourceKinds?: Record<string, GroupVersionKind>;
  definition: string;
  storage?: { group: string; resource: string; version: string };
}

const STATUS = ['get', 'patch', 'update'] as const;
const SCALE_KIND: GroupVersionKind = { group: 'autoscaling', version: 'v1', kind: 'Scale' };
const NO_DELETECOLLECTION = CRUD_VERBS.filter((v) => v !== 'deletecollection');

const ENTRIES: Entry[] = [
  // core/v1
  { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, shortNames: ['ns'], verbs: NO_DELETECOLLECTION,
    subresources: { status: STATUS, finalize: ['update'] }, definition: 'io.k8s.api.core.v1.Namespace' },
  { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true, shortNames: ['po'], categories: ['all'],
    subresources: { status: STATUS, binding: ['create'], ephemeralcontainers: STATUS, eviction: ['create'], log: ['get'], exec: ['get', 'create'], attach: ['get', 'create'], portforward: ['get', 'create'] },
    subresourceKinds: {
      binding: { group: '', version: 'v1', kind: 'Binding' },
      eviction: { group: 'policy', version: 'v1', kind: 'Eviction' },
      exec: { group: '', version: 'v1', kind: 'PodExecOptions' },
      attach: { group: '', version: 'v1', kind: 'PodAttachOptions' },
      portforward: { group: '', version: 'v1', kind: 'PodPortForwardOptions' },
    },
    definition: 'io.k8s.api.core.v1.Pod' },
  { group: '', version: 'v1', kind: 'Binding', plural: 'bindings', namespaced: true, verbs: ['create'], definition: 'io.k8s.api.core.v1.Binding' },
  { group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true, shortNames: ['svc'], categories: ['all'],
    subresources: { status: STATUS }, definition: 'io.k8s.api.core.v1.Service' },
  { group: '', version: 'v1', kind: 'Endpoints', plural: 'endpoints', namespaced: true, shortNames: ['ep'], definition: 'io.k8s.api.core.v1.Endpoints' },
  { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, shortNames: ['cm'], definition: 'io.k8s.api.core.v1.ConfigMap' },
  { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true, definition: 'io.k8s.api.core.v1.Secret' },
  { group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true, shortNames: ['sa'],
    subresources: { token: ['create'] }, subresourceKinds: { token: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' } },
    definition: 'io.k8s.api.core.v1.ServiceAccount' },
  { group: '', version: 'v1', kind: 'Node', plural: 'nodes', namespaced: false, shortNames: ['no'], subresources: { status: STATUS, proxy: ['get', 'create', 'update', 'patch', 'delete'] },
    subresourceKinds: { proxy: { group: '', version: 'v1', kind: 'NodeProxyOptions' } }, definition: 'io.k8s.api.core.v1.Node' },
  { group: '', version: 'v1', kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev'], definition: 'io.k8s.api.core.v1.Event' },
  { group: '', version: 'v1', kind: 'PersistentVolume', plural: 'persistentvolumes', namespaced: false, shortNames: ['pv'], subresources: { status: STATUS }, definition: 'io.k8s.api.core.v1.PersistentVolume' },
  { group: '', version: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', namespaced: true, shortNames: ['pvc'], subresources: { status: STATUS }, definition: 'io.k8s.api.core.v1.PersistentVolumeClaim' },
  { group: '', version: 'v1', kind: 'ResourceQuota', plural: 'resourcequotas', namespaced: true, shortNames: ['quota'], subresources: { status: STATUS }, definition: 'io.k8s.api.core.v1.ResourceQuota' },
  { group: '', version: 'v1', kind: 'LimitRange', plural: 'limitranges', namespaced: true, shortNames: ['limits'], definition: 'io.k8s.api.core.v1.LimitRange' },
  { group: '', version: 'v1', kind: 'PodTemplate', plural: 'podtemplates', namespaced: true, definition: 'io.k8s.api.core.v1.PodTemplate' },
  { group: '', version: 'v1', kind: 'ReplicationController', plural: 'replicationcontrollers', namespaced: true, shortNames: ['rc'], categories: ['all'],
    subresources: { status: STATUS, scale: STATUS }, subresourceKinds: { scale: SCALE_KIND }, definition: 'io.k8s.api.core.v1.ReplicationController' },
  // apps/v1
  { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true, shortNames: ['deploy'], categories: ['all'],
    subresources: { status: STATUS, scale: STATUS }, subresourceKinds: { scale: SCALE_KIND }, definition: 'io.k8s.api.apps.v1.Deployment' },
  { group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', namespaced: true, shortNames: ['rs'], categories: ['all'],
    subresources: { status: STATUS, scale: STATUS }, subresourceKinds: { scale: SCALE_KIND }, definition: 'io.k8s.api.apps.v1.ReplicaSet' },
  { group: 'apps', version: 'v1', kind: 'StatefulSet', plural: 'statefulsets', namespaced: true, shortNames: ['sts'], categories: ['all'],
    subresources: { status: STATUS, scale: STATUS }, subresourceKinds: { scale: SCALE_KIND }, definition: 'io.k8s.api.apps.v1.StatefulSet' },
  { group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets', namespaced: true, shortNames: ['ds'], categories: ['all'],
    subresources: { status: STATUS }, definition: 'io.k8s.api.apps.v1.DaemonSet' },
  { group: 'apps', version: 'v1', kind: 'ControllerRevision', plural: 'controllerrevisions', namespaced: true, definition: 'io.k8s.api.apps.v1.ControllerRevision' },
  // batch/v1
  { group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', namespaced: true, categories: ['all'], subresources: { status: STATUS }, definition: 'io.k8s.api.batch.v1.Job' },
  { group: 'batch', version: 'v1', kind: 'CronJob', plural: 'cronjobs', namespaced: true, shortNames: ['cj'], categories: ['all'], subresources: { status: STATUS }, definition: 'io.k8s.api.batch.v1.CronJob' },
  // certificates
  { group: 'certificates.k8s.io', version: 'v1', kind: 'CertificateSigningRequest', plural: 'certificatesigningrequests', namespaced: false, shortNames: ['csr'],
    subresources: { status: STATUS, approval: STATUS }, definition: 'io.k8s.api.certificates.v1.CertificateSigningRequest' },
  // coordination, discovery, events
  { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true, definition: 'io.k8s.api.coordination.v1.Lease' },
  { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', plural: 'endpointslices', namespaced: true, definition: 'io.k8s.api.discovery.v1.EndpointSlice' },
  { group: 'events.k8s.io', version: 'v1', kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev'], definition: 'io.k8s.api.events.v1.Event',
    storage: { group: '', resource: 'events', version: 'v1' } },
  // networking
  { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy', plural: 'networkpolicies', namespaced: true, shortNames: ['netpol'], definition: 'io.k8s.api.networking.v1.NetworkPolicy' },
  { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', plural: 'ingresses', namespaced: true, shortNames: ['ing'], subresources: { status: STATUS }, definition: 'io.k8s.api.networking.v1.Ingress' },
  { group: 'networking.k8s.io', version: 'v1', kind: 'IngressClass', plural: 'ingressclasses', namespaced: false, definition: 'io.k8s.api.networking.v1.IngressClass' },
  // autoscaling: v2 is the storage version, v1 converts
  { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', namespaced: true, shortNames: ['hpa'], categories: ['all'],
    subresources: { status: STATUS }, definition: 'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler' },
  { group: 'autoscaling', version: 'v1', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', namespaced: true, shortNames: ['hpa'], categories: ['all'],
    subresources: { status: STATUS }, definition: 'io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler',
    storage: { group: 'autoscaling', resource: 'horizontalpodautoscalers', version: 'v2' } },
  // policy, rbac, scheduling, storage
  { group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', namespaced: true, shortNames: ['pdb'], subresources: { status: STATUS }, definition: 'io.k8s.api.policy.v1.PodDisruptionBudget' },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', plural: 'roles', namespaced: true, definition: 'io.k8s.api.rbac.v1.Role' },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', namespaced: false, definition: 'io.k8s.api.rbac.v1.ClusterRole' },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding', plural: 'rolebindings', namespaced: true, definition: 'io.k8s.api.rbac.v1.RoleBinding' },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false, definition: 'io.k8s.api.rbac.v1.ClusterRoleBinding' },
  { group: 'scheduling.k8s.io', version: 'v1', kind: 'PriorityClass', plural: 'priorityclasses', namespaced: false, shortNames: ['pc'], definition: 'io.k8s.api.scheduling.v1.PriorityClass' },
  { group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass', plural: 'storageclasses', namespaced: false, shortNames: ['sc'], definition: 'io.k8s.api.storage.v1.StorageClass' },
];

function toDefinition(e: Entry): ResourceDefinition {
  const parent: GroupVersionKind = { group: e.group, version: e.version, kind: e.kind };
  const subresources: SubresourceDefinition[] = Object.entries(e.subresources ?? {}).map(([name, verbs]) => ({
    name,
    kind: e.subresourceKinds?.[name] ?? parent,
    verbs,
  }));
  return Object.freeze({
    group: e.group,
    version: e.version,
    kind: e.kind,
    listKind: `${e.kind}List`,
    plural: e.plural,
    singular: e.kind.toLowerCase(),
    namespaced: e.namespaced,
    shortNames: e.shortNames ?? [],
    categories: e.categories ?? [],
    verbs: e.verbs ?? CRUD_VERBS,
    subresources,
    definition: e.definition,
    storage: e.storage ?? { group: e.group, resource: e.plural, version: e.version },
  });
}

/**
 * authentication.k8s.io and authorization.k8s.io reviews: create-only kinds computed per request
 * and never stored, so they have no strategy, validation or printer of their own. The API server
 * serves them with their handlers (src/apiserver/auth).
 */
const REVIEW_ENTRIES: Entry[] = [
  { group: 'authentication.k8s.io', version: 'v1', kind: 'SelfSubjectReview', plural: 'selfsubjectreviews', namespaced: false, verbs: ['create'], definition: 'io.k8s.api.authentication.v1.SelfSubjectReview' },
  { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenReview', plural: 'tokenreviews', namespaced: false, verbs: ['create'], definition: 'io.k8s.api.authentication.v1.TokenReview' },
  { group: 'authorization.k8s.io', version: 'v1', kind: 'LocalSubjectAccessReview', plural: 'localsubjectaccessreviews', namespaced: true, verbs: ['create'], definition: 'io.k8s.api.authorization.v1.LocalSubjectAccessReview' },
  { group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectAccessReview', plural: 'selfsubjectaccessreviews', namespaced: false, verbs: ['create'], definition: 'io.k8s.api.authorization.v1.SelfSubjectAccessReview' },
  { group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectRulesReview', plural: 'selfsubjectrulesreviews', namespaced: false, verbs: ['create'], definition: 'io.k8s.api.authorization.v1.SelfSubjectRulesReview' },
  { group: 'authorization.k8s.io', version: 'v1', kind: 'SubjectAccessReview', plural: 'subjectaccessreviews', namespaced: false, verbs: ['create'], definition: 'io.k8s.api.authorization.v1.SubjectAccessReview' },
];

/** Built-in stored resources in discovery order (preferred version first within a group). */
export const BUILTIN_RESOURCES: readonly ResourceDefinition[] = Object.freeze(ENTRIES.map(toDefinition));

/**
 * apiextensions.k8s.io: CustomResourceDefinition, served by src/apiserver/crd. Apart from
 * BUILTIN_RESOURCES because the schema fact tables do not cover apiextensions-apiserver types.
 */
export const APIEXTENSIONS_RESOURCES: readonly ResourceDefinition[] = Object.freeze([
  { group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions', namespaced: false,
    shortNames: ['crd', 'crds'], categories: ['api-extensions'], subresources: { status: STATUS },
    definition: 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition' } satisfies Entry,
].map(toDefinition));

/** Built-in computed review resources (SelfSubjectReview, TokenReview, …). */
export const REVIEW_RESOURCES: readonly ResourceDefinition[] = Object.freeze(REVIEW_ENTRIES.map(toDefinition));

/** Groups in the order /apis lists them, each with its versions in preference order. */
export function builtinGroupVersions(): { group: string; versions: string[] }[] {
  const groups = new Map<string, string[]>();
  for (const r of BUILTIN_RESOURCES) {
    const versions = groups.get(r.group) ?? [];
    if (!versions.includes(r.version)) versions.push(r.version);
    groups.set(r.group, versions);
  }
  return [...groups].map(([group, versions]) => ({ group, versions }));
}
