// Turns a stored CustomResourceDefinition into what the registry serves: one ResourceDefinition
// per served version (all sharing the storage version's store), each with its converter
// (conversion None: defaults and pruning of that version's schema, apiVersion rewritten),
// printer, OpenAPI schema, unknown-field check and scale paths.

import {
  compileVersionSchema, crdPrinter, type CrdNames, type CustomResourceDefinition, type ScaleSubresource, type VersionSchema,
} from '../../api/crd/index.ts';
import { apiVersionOf, CRUD_VERBS, type KubeObject, type ResourceDefinition, type SubresourceDefinition } from '../../api/types.ts';
import type { ServedExtras } from '../api-registry.ts';

const STATUS_VERBS = ['get', 'patch', 'update'] as const;

export interface CompiledCrd {
  readonly group: string;
  readonly plural: string;
  readonly namespaced: boolean;
  readonly storageVersion: string;
  /** Every version's compiled schema (the storage version's is needed even when not served). */
  readonly versions: ReadonlyMap<string, VersionSchema>;
  readonly scale: ReadonlyMap<string, ScaleSubresource>;
  readonly statusEnabled: boolean;
  readonly selectableFields: readonly string[];
  /** The storage version as a definition (the store and strategy are built from it). */
  readonly storageDef: ResourceDefinition;
  readonly served: readonly { def: ResourceDefinition; extras: ServedExtras }[];
  /**
   * What the store itself depends on: kind, scope, storage version, status split and field
   * selectors. When it changes the store is rebuilt; otherwise schemas are swapped in place.
   */
  readonly shape: string;
}

/** Compiles a CRD that passed validation; `names` are its accepted names. Throws on a broken schema. */
export function compileCrd(crd: CustomResourceDefinition, names: CrdNames): CompiledCrd {
  const spec = crd.spec;
  const group = spec.group;
  const plural = names.plural;
  const kind = names.kind;
  const listKind = names.listKind || `${kind}List`;
  const namespaced = spec.scope === 'Namespaced';
  const storage = spec.versions.find((v) => v.storage);
  if (!storage) throw new Error(`CustomResourceDefinition ${crd.metadata.name} has no storage version`);
  const versions = new Map<string, VersionSchema>();
  const scale = new Map<string, ScaleSubresource>();
  for (const v of spec.versions) {
    versions.set(v.name, compileVersionSchema(v.schema?.openAPIV3Schema));
    if (v.subresources?.scale) scale.set(v.name, v.subresources.scale);
  }
  const statusEnabled = spec.versions.some((v) => v.served && v.subresources?.status !== undefined && v.subresources.status !== null);
  const selectableFields = [...new Set(spec.versions.flatMap((v) => (v.served ? (v.selectableFields ?? []).map((f) => f.jsonPath.replace(/^\./, '')) : [])))].sort();

  const defOf = (version: string, subresourceNames: { status: boolean; scale: boolean }): ResourceDefinition => {
    const subresources: SubresourceDefinition[] = [];
    if (subresourceNames.scale) subresources.push({ name: 'scale', kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: STATUS_VERBS });
    if (subresourceNames.status) subresources.push({ name: 'status', kind: { group, version, kind }, verbs: STATUS_VERBS });
    return Object.freeze({
      group,
      version,
      kind,
      listKind,
      plural,
      singular: names.singular || kind.toLowerCase(),
      namespaced,
      shortNames: [...(names.shortNames ?? [])],
      categories: [...(names.categories ?? [])],
      verbs: CRUD_VERBS,
      subresources,
      storage: { group, resource: plural, version: storage.name },
    });
  };

  const served: { def: ResourceDefinition; extras: ServedExtras }[] = [];
  for (const v of spec.versions) {
    if (!v.served) continue;
    const schema = versions.get(v.name) as VersionSchema;
    const extras: ServedExtras = {
      printer: crdPrinter(v.additionalPrinterColumns),
      openapiSchema: v.schema?.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      unknownFields: (obj) => schema.unknownFields(obj),
      converter: versionConverter(apiVersionOf(group, v.name), schema),
    };
    if (v.subresources?.scale) extras.scale = v.subresources.scale;
    served.push({ def: defOf(v.name, { status: statusEnabled, scale: v.subresources?.scale !== undefined }), extras });
  }
  const storageDef = defOf(storage.name, { status: statusEnabled, scale: storage.subresources?.scale !== undefined });
  const shape = JSON.stringify([kind, listKind, namespaced, storage.name, statusEnabled, selectableFields]);
  return { group, plural, namespaced, storageVersion: storage.name, versions, scale, statusEnabled, selectableFields, storageDef, served, shape };
}

/**
 * Conversion strategy None for one served version. Writes are defaulted and pruned by this
 * version's schema (upstream does it while decoding) and keep their apiVersion until the
 * strategy moves them to the storage version; reads get this apiVersion and its defaults.
 */
function versionConverter(apiVersion: string, schema: VersionSchema): { toStorage(obj: KubeObject): KubeObject; fromStorage(obj: KubeObject): KubeObject } {
  return {
    toStorage(obj) {
      const out = Object.isFrozen(obj) ? structuredClone(obj) : obj;
      schema.normalize(out);
      return out;
    },
    fromStorage(obj) {
      // The stored object itself when nothing changes, so lists and watches keep its cached JSON.
      if (!schema.defaultsMissing(obj)) return obj.apiVersion === apiVersion ? obj : { ...obj, apiVersion };
      const out = structuredClone(obj);
      out.apiVersion = apiVersion;
      schema.applyDefaults(out);
      return out;
    },
  };
}
