// The strategy of a CRD's custom objects, shared by every served version (they share one generic
// store). It is upstream's customresource strategy: the request version's schema validates
// (OpenAPI value validations, list types, CEL rules with oldSelf on update), status is reset on
// create and split off when the status subresource is on, generation follows upstream's rule,
// and the object is stored at the storage version. Schemas change with the CRD while the store
// lives on, so the strategy reads them from a mutable CustomKind.

import { getDotPath, type ScaleSubresource, type VersionSchema } from '../../api/crd/index.ts';
import { apiVersionOf, parseApiVersion, type KubeObject, type ResourceDefinition } from '../../api/types.ts';
import {
  jsonEqual, methodNotAllowed, nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate, type FieldError,
} from '../../machinery/index.ts';
import { baseStrategy, type Strategy } from '../registry/strategy.ts';

/** The live description of a CRD's kind; the controller replaces its parts when the CRD changes. */
export interface CustomKind {
  readonly group: string;
  readonly plural: string;
  readonly namespaced: boolean;
  readonly storageVersion: string;
  versions: ReadonlyMap<string, VersionSchema>;
  /** Scale subresource paths, per version name. */
  scale: ReadonlyMap<string, ScaleSubresource>;
  /** Set once the CRD is being deleted: new objects are refused. */
  terminating: boolean;
}

/**
 * The version a write arrived in. The generic store hands the same object to defaults,
 * prepareFor*, and validate*; prepare rewrites apiVersion to the storage version, so it notes
 * the request version here for validation to pick the right schema.
 */
const requestVersion = new WeakMap<KubeObject, string>();

function versionOf(kind: CustomKind, obj: KubeObject): string {
  const v = typeof obj.apiVersion === 'string' ? parseApiVersion(obj.apiVersion).version : '';
  return kind.versions.has(v) ? v : kind.storageVersion;
}

function toStorageVersion(kind: CustomKind, obj: KubeObject): void {
  requestVersion.set(obj, versionOf(kind, obj));
  obj.apiVersion = apiVersionOf(kind.group, kind.storageVersion);
}

function withoutMeta(obj: KubeObject, dropStatus: boolean): Record<string, unknown> {
  const { metadata: _m, apiVersion: _a, ...rest } = obj;
  if (dropStatus) delete rest['status'];
  return rest;
}

export function customStrategy(def: ResourceDefinition, kind: CustomKind, options: { status: boolean; selectableFields: readonly string[] }): Strategy {
  const base = baseStrategy(def);
  const schemaOf = (obj: KubeObject): VersionSchema | undefined => kind.versions.get(requestVersion.get(obj) ?? versionOf(kind, obj));

  /** The scale subresource's replicas must fit an int32 Scale (unless the schema already objected). */
  const validateScale = (obj: KubeObject, errors: FieldError[]): FieldError[] => {
    const scale = kind.scale.get(requestVersion.get(obj) ?? kind.storageVersion);
    if (!scale) return errors;
    const field = scale.specReplicasPath.slice(1);
    const replicas = getDotPath(obj, scale.specReplicasPath);
    if (replicas === undefined || errors.some((e) => e.field === field)) return errors;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0 || replicas > 2147483647) {
      errors.push({ type: 'FieldValueInvalid', field, message: `Invalid value: ${JSON.stringify(replicas)}: should be a non-negative integer` });
    }
    return errors;
  };

  return {
    ...base,
    statusSubresource: options.status,
    selectableFields: options.selectableFields,
    fields(obj) {
      const out: Record<string, string> = {};
      for (const field of options.selectableFields) {
        const v = getDotPath(obj, `.${field}`);
        out[field] = v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
      }
      return out;
    },
    prepareForCreate(obj) {
      if (kind.terminating) {
        throw methodNotAllowed(`create not allowed while custom resource definition is terminating`);
      }
      toStorageVersion(kind, obj);
      // Upstream drops status on create when the status subresource is on (no `status: {}`).
      if (options.status) delete obj['status'];
      obj.metadata.generation = 1;
    },
    prepareForUpdate(obj, old) {
      toStorageVersion(kind, obj);
      // Any change beyond metadata (and status, when it has its own subresource) is a new generation.
      const changed = !jsonEqual(withoutMeta(obj, options.status), withoutMeta(old, options.status));
      obj.metadata.generation = (old.metadata.generation ?? 0) + (changed ? 1 : 0);
    },
    validate(obj) {
      const errors = validateObjectMeta(obj.metadata, { namespaced: kind.namespaced, nameValidator: nameIsDNSSubdomain });
      errors.push(...(schemaOf(obj)?.validate(obj) ?? []));
      return validateScale(obj, errors);
    },
    validateUpdate(obj, old) {
      const errors = validateObjectMetaUpdate(obj.metadata, old.metadata);
      errors.push(...(schemaOf(obj)?.validate(obj, old) ?? []));
      return validateScale(obj, errors);
    },
  };
}
