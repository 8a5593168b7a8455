// The strategy of apiextensions.k8s.io/v1 CustomResourceDefinition itself (upstream's
// registry/customresourcedefinition/strategy.go and etcd.go): defaults and validation of the
// definition, status reset on create, the storage version recorded in status.storedVersions, and
// on the first delete the customresourcecleanup finalizer plus a Terminating condition, so the
// CRD controller can delete every custom object before the definition goes away.

import {
  CRD_CLEANUP_FINALIZER, CRD_OPENAPI_SCHEMA, defaultCrd, pruneObject, structuralNode, unknownFieldPaths, validateCrd, validateCrdUpdate,
  type CrdCondition, type CrdStatus,
} from '../../api/crd/index.ts';
import { APIEXTENSIONS_RESOURCES } from '../../api/resources.ts';
import type { KubeObject, ResourceDefinition } from '../../api/types.ts';
import type { ApiRegistry, ServedExtras } from '../api-registry.ts';
import { baseStrategy, type Strategy } from '../registry/strategy.ts';

const SCHEMA_ROOT = structuralNode(CRD_OPENAPI_SCHEMA);

/** What the CRD kind brings beyond its strategy: its OpenAPI schema and strict field checks. */
export const CRD_KIND_EXTRAS: ServedExtras = {
  openapiSchema: CRD_OPENAPI_SCHEMA,
  unknownFields: (obj) => unknownFieldPaths(SCHEMA_ROOT, obj),
};

/** Serves apiextensions.k8s.io/v1 CustomResourceDefinition (before the registry starts). */
export function registerCrdKind(registry: ApiRegistry): void {
  for (const def of APIEXTENSIONS_RESOURCES) registry.add(def, crdStrategy(def), CRD_KIND_EXTRAS);
}

export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Sets a condition, keeping lastTransitionTime when the status did not change. */
export function setCondition(status: CrdStatus, condition: CrdCondition, now: Date): void {
  const conditions = (status.conditions ??= []);
  const i = conditions.findIndex((c) => c.type === condition.type);
  const previous = i >= 0 ? conditions[i] : undefined;
  const next: CrdCondition = {
    type: condition.type,
    status: condition.status,
    lastTransitionTime: previous && previous.status === condition.status && previous.lastTransitionTime ? previous.lastTransitionTime : rfc3339(now),
  };
  if (condition.reason !== undefined) next.reason = condition.reason;
  if (condition.message !== undefined) next.message = condition.message;
  if (i >= 0) conditions[i] = next;
  else conditions.push(next);
}

function storageVersion(crd: KubeObject): string | undefined {
  const versions = (crd['spec'] as { versions?: unknown } | undefined)?.versions;
  if (!Array.isArray(versions)) return undefined;
  const v = versions.find((x) => typeof x === 'object' && x !== null && (x as { storage?: unknown }).storage === true) as { name?: unknown } | undefined;
  return typeof v?.name === 'string' ? v.name : undefined;
}

function recordStorageVersion(crd: KubeObject): void {
  const storage = storageVersion(crd);
  if (!storage) return;
  const status = (typeof crd['status'] === 'object' && crd['status'] !== null ? crd['status'] : (crd['status'] = {})) as CrdStatus;
  const stored = Array.isArray(status.storedVersions) ? status.storedVersions : (status.storedVersions = []);
  if (!stored.includes(storage)) stored.push(storage);
}

export function crdStrategy(def: ResourceDefinition): Strategy {
  return baseStrategy(def, {
    defaults(crd) {
      pruneObject(SCHEMA_ROOT, crd);
      defaultCrd(crd);
    },
    prepareForCreate(crd) {
      crd['status'] = { acceptedNames: { plural: '', kind: '' }, storedVersions: [] } satisfies CrdStatus;
      recordStorageVersion(crd);
    },
    prepareForUpdate(crd) {
      recordStorageVersion(crd);
    },
    validate: (crd) => validateCrd(crd),
    validateUpdate: (crd, old) => validateCrdUpdate(crd, old),
    // The first delete adds the cleanup finalizer (upstream etcd.go Delete), so it is always pending.
    hasPendingFinalizers: (crd) => (crd.metadata.finalizers?.length ?? 0) > 0 || !crd.metadata.deletionTimestamp,
    prepareForDeletion(crd) {
      const finalizers = (crd.metadata.finalizers ??= []);
      if (!finalizers.includes(CRD_CLEANUP_FINALIZER)) {
        finalizers.push(CRD_CLEANUP_FINALIZER);
        const status = (typeof crd['status'] === 'object' && crd['status'] !== null ? crd['status'] : (crd['status'] = {})) as CrdStatus;
        setCondition(status, {
          type: 'Terminating',
          status: 'True',
          reason: 'InstanceDeletionPending',
          message: 'CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon',
        }, new Date());
      }
    },
  });
}
