// components.schemas of one group/version document: every schema reachable from the served kinds
// of that group/version (their lists and subresource kinds included) plus the shared meta types.
// Built-in kinds come from the fact-table model; CRD kinds wrap their own schema with the object
// envelope (apiVersion, kind, metadata) as upstream does.

import {
  customDefinitionName, definitionOfGvk, GENERIC_FIELDS, hasDefinition, kindFieldDescription, reachableDefinitions,
  refTo, schemaFor, type JsonSchema,
} from '../../api/schema/index.ts';
import type { GroupVersionKind, SubresourceDefinition } from '../../api/types.ts';
import { DELETE_OPTIONS, PATCH, STATUS, type ResourceSchemas } from './paths.ts';
import type { OpenApiResource } from './types.ts';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const OBJECT_META = `${META}ObjectMeta`;
const LIST_META = `${META}ListMeta`;
const WATCH_EVENT = `${META}WatchEvent`;

/** Shared types every group/version document carries. */
export const META_COMPONENTS: readonly string[] = [
  OBJECT_META, LIST_META, STATUS, DELETE_OPTIONS, WATCH_EVENT, `${META}APIResourceList`, PATCH,
];

export interface GroupVersionComponents {
  schemas: Record<string, JsonSchema>;
  /** Component names per resource, in the order given. */
  names: ResourceSchemas[];
}

/**
 * @param resources the resources of one group/version
 * @param allGroupVersions every served group/version; DeleteOptions and WatchEvent list one GVK each
 */
export function buildComponents(
  resources: readonly OpenApiResource[], allGroupVersions: readonly { group: string; version: string }[],
): GroupVersionComponents {
  const builtinRoots = new Set(META_COMPONENTS);
  const custom = new Map<string, JsonSchema>();
  const names: ResourceSchemas[] = [];
  const wantedGvks = new Map<string, GroupVersionKind[]>();
  const want = (name: string, gvk: GroupVersionKind): void => {
    wantedGvks.set(name, [...(wantedGvks.get(name) ?? []), gvk]);
  };

  for (const r of resources) {
    const gvk = { group: r.group, version: r.version, kind: r.kind };
    const listGvk = { group: r.group, version: r.version, kind: r.listKind };
    const builtin = !r.schema && r.definition !== undefined && hasDefinition(r.definition);
    const listable = r.verbs.includes('list');
    let kind: string;
    let list: string | undefined;
    if (builtin) {
      kind = r.definition as string;
      builtinRoots.add(kind);
      if (hasDefinition(`${kind}List`)) builtinRoots.add((list = `${kind}List`));
    } else {
      kind = r.schema ? customDefinitionName(r.group, r.version, r.kind) : (r.definition ?? customDefinitionName(r.group, r.version, r.kind));
      custom.set(kind, customResourceSchema(r.schema, gvk));
    }
    if (!list && listable) custom.set((list = customDefinitionName(r.group, r.version, r.listKind)), listSchema(kind, listGvk));
    want(kind, gvk);
    if (list) want(list, listGvk);
    const subresource = (sub: SubresourceDefinition): string | undefined => {
      if (sameGvk(sub.kind, gvk)) return kind;
      const def = definitionOfGvk(sub.kind);
      if (def) builtinRoots.add(def);
      return def;
    };
    for (const sub of r.subresources) subresource(sub);
    names.push({ kind, list, subresource });
  }

  const schemas: Record<string, JsonSchema> = {};
  for (const name of reachableDefinitions(builtinRoots)) schemas[name] = schemaFor(name) as JsonSchema;
  for (const [name, schema] of custom) schemas[name] = schema;

  // A kind served under a group/version other than its definition's still needs its GVK listed
  // on the schema: kubectl explain and the patch logic find schemas by GVK.
  for (const [name, gvks] of wantedGvks) {
    const schema = schemas[name];
    if (!schema) continue;
    const present = schema['x-kubernetes-group-version-kind'] ?? [];
    const missing = gvks.filter((g) => !present.some((p) => sameGvk(p, g)));
    if (missing.length > 0) schemas[name] = { ...schema, 'x-kubernetes-group-version-kind': [...present, ...missing] };
  }
  for (const name of [DELETE_OPTIONS, WATCH_EVENT]) {
    const schema = schemas[name];
    if (schema) schemas[name] = { ...schema, 'x-kubernetes-group-version-kind': perGroupVersion(name, allGroupVersions) };
  }
  return { schemas: sortedRecord(schemas), names };
}

function perGroupVersion(definition: string, gvs: readonly { group: string; version: string }[]): GroupVersionKind[] {
  const kind = definition.slice(definition.lastIndexOf('.') + 1);
  const out: GroupVersionKind[] = [{ group: '', version: 'v1', kind }];
  for (const gv of gvs) if (!out.some((g) => g.group === gv.group && g.version === gv.version)) out.push({ ...gv, kind });
  return out;
}

/**
 * A served object: the kind's own schema (or an open one) inside the standard envelope, with
 * metadata as a reference to ObjectMeta. Also what CRD field validation checks against:
 * `unknownFieldsIn(resolverWith({ [name]: customResourceSchema(schema, gvk) }), name, obj)`.
 */
export function customResourceSchema(schema: JsonSchema | undefined, gvk: GroupVersionKind): JsonSchema {
  const base: JsonSchema = schema ? { ...schema } : { 'x-kubernetes-preserve-unknown-fields': true };
  const properties: Record<string, JsonSchema> = {
    ...(schema?.properties ?? {}),
    apiVersion: { type: 'string', description: GENERIC_FIELDS['apiVersion'] as string },
    kind: { type: 'string', description: GENERIC_FIELDS['kind'] as string },
    metadata: { description: kindFieldDescription(gvk.kind, 'metadata', false) as string, allOf: [{ $ref: refTo(OBJECT_META) }] },
  };
  const tag = { group: gvk.group, version: gvk.version, kind: gvk.kind };
  return { ...base, type: 'object', properties: sortedRecord(properties), 'x-kubernetes-group-version-kind': [tag] };
}

function listSchema(kindComponent: string, listGvk: GroupVersionKind): JsonSchema {
  return {
    type: 'object',
    description: `A list of ${listGvk.kind.replace(/List$/, '')} objects.`,
    properties: {
      apiVersion: { type: 'string', description: GENERIC_FIELDS['apiVersion'] as string },
      items: { type: 'array', description: kindFieldDescription(listGvk.kind, 'items', true) as string, items: { $ref: refTo(kindComponent) } },
      kind: { type: 'string', description: GENERIC_FIELDS['kind'] as string },
      metadata: { description: kindFieldDescription(listGvk.kind, 'metadata', true) as string, allOf: [{ $ref: refTo(LIST_META) }] },
    },
    required: ['items'],
    'x-kubernetes-group-version-kind': [listGvk],
  };
}

function sameGvk(a: GroupVersionKind, b: GroupVersionKind): boolean {
  return a.group === b.group && a.version === b.version && a.kind === b.kind;
}

export function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
