// Shapes shared by every kind: object metadata, the generic object, and the description of a
// served resource (names, scope, verbs, subresources) that discovery, OpenAPI and the registry read.

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: 'Apply' | 'Update';
  apiVersion?: string;
  time?: string;
  fieldsType?: 'FieldsV1';
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: ManagedFieldsEntry[];
  selfLink?: string;
}

/** Any API object. spec/status/data are kind-specific and typed loosely on purpose. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface SubresourceDefinition {
  /** e.g. "status", "scale", "binding", "log" */
  name: string;
  /** The kind the subresource speaks (Scale for scale, the parent kind for status). */
  kind: GroupVersionKind;
  verbs: readonly string[];
}

/** Everything the API server needs to know to name and route a resource. */
export interface ResourceDefinition {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  /** Plural lower-case name used in URLs, e.g. "deployments". */
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: readonly string[];
  categories: readonly string[];
  verbs: readonly string[];
  subresources: readonly SubresourceDefinition[];
  /** OpenAPI definition name for built-ins (io.k8s.api.apps.v1.Deployment); undefined for CRDs. */
  definition?: string;
  /**
   * Storage identity: resources served at several versions (HPA v1/v2) or in several groups
   * (core and events.k8s.io Events) share one storage prefix and convert on the way in and out.
   */
  storage: { group: string; resource: string; version: string };
}

export const CRUD_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;

export function gvkOf(def: Pick<ResourceDefinition, 'group' | 'version' | 'kind'>): GroupVersionKind {
  return { group: def.group, version: def.version, kind: def.kind };
}

export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}
