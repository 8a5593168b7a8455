// Builds the OpenAPI v3 schema of every built-in definition from the protobuf fact table (which
// fields exist and their types) and the list-semantics table (merge keys, list and map types).
// Go's JSON shape differs from the proto shape in a few known places, handled here: embedded
// structs are inlined, hand-marshalled types (Quantity, Time, IntOrString, ...) become fixed
// schemas, list wrappers are bare arrays, and TypeMeta (apiVersion, kind) is added to kinds.

import { BUILTIN_RESOURCES } from '../resources.ts';
import type { GroupVersionKind } from '../types.ts';
import { FIELD_DESCRIPTIONS, GENERIC_FIELDS, kindFieldDescription, REQUIRED, TYPE_DESCRIPTIONS } from './descriptions.ts';
import { listSemantics, protoMessages, type PropertySemantics, type ProtoField, type ProtoMessage } from './facts.ts';
import { definitionOfProto, gvkOfDefinition, protoOfDefinition, shortName } from './names.ts';
import { refName, refTo, type JsonSchema } from './types.ts';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

const INT_OR_STRING_SHAPE: JsonSchema = { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] };

/** Types whose Go JSON form is hand-written: their schema is fixed, not derived from proto fields. */
const SPECIAL: Readonly<Record<string, JsonSchema>> = {
  [QUANTITY]: INT_OR_STRING_SHAPE,
  [INT_OR_STRING]: INT_OR_STRING_SHAPE,
  [`${META}Time`]: { type: 'string', format: 'date-time' },
  [`${META}MicroTime`]: { type: 'string', format: 'date-time' },
  [`${META}Duration`]: { type: 'string' },
  [`${META}FieldsV1`]: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
  [`${META}Patch`]: { type: 'object' },
  'io.k8s.apimachinery.pkg.runtime.RawExtension': { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
  'io.k8s.apimachinery.pkg.runtime.Unknown': { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
};

/** Definitions served under another definition's name. */
const ALIASES: Readonly<Record<string, string>> = {
  'io.k8s.apimachinery.pkg.api.resource.QuantityValue': QUANTITY,
};

/** Go slice types that proto wraps as {items: [...]} but JSON writes as a bare array of strings. */
const LIST_WRAPPERS = new Set(['ExtraValue', 'Verbs']);

/** Embedded Go structs (`json:",inline"`): their fields appear directly in the parent. */
const INLINE_TYPES = new Set([
  'LocalObjectReference', 'VolumeSource', 'PersistentVolumeSource', 'EphemeralContainerCommon',
  'IngressRuleValue', 'DeviceConfiguration', 'RuleWithOperations', 'Rule',
]);

/** Proto fields whose JSON name is not the proto name with a lower-case first letter. */
const KEEP_CASE = new Set(['k8s.io.api.core.v1.DaemonEndpoint.Port']);
/** Proto field names taken from Go field names, whose JSON names differ more than in case. */
const JSON_NAMES: Record<string, string> = {
  'k8s.io.api.authentication.v1.BoundObjectReference.uID': 'uid',
  'k8s.io.api.networking.v1.IngressClassParametersReference.aPIGroup': 'apiGroup',
};

/** Kinds (TypeMeta) among messages that have no object or list metadata. */
const TYPE_META_ONLY = new Set([
  'APIGroup', 'APIGroupList', 'APIResourceList', 'APIVersions', 'CreateOptions', 'DeleteOptions', 'GetOptions',
  'ListOptions', 'PatchOptions', 'UpdateOptions', 'ApplyOptions', 'TableOptions',
  'PodLogOptions', 'PodExecOptions', 'PodAttachOptions', 'PodPortForwardOptions', 'PodProxyOptions',
  'NodeProxyOptions', 'ServiceProxyOptions',
].flatMap((k) => [`${META}${k}`, `io.k8s.api.core.v1.${k}`]));

/** Meta types upstream tags with one GVK per served group/version. */
const PER_GROUP_VERSION = new Set([`${META}DeleteOptions`, `${META}WatchEvent`]);

const SCALARS: Readonly<Record<string, JsonSchema>> = {
  string: { type: 'string' },
  bool: { type: 'boolean' },
  int32: { type: 'integer', format: 'int32' },
  int64: { type: 'integer', format: 'int64' },
  uint32: { type: 'integer', format: 'int32' },
  uint64: { type: 'integer', format: 'int64' },
  double: { type: 'number', format: 'double' },
  float: { type: 'number', format: 'float' },
  bytes: { type: 'string', format: 'byte' },
};

const cache = new Map<string, JsonSchema | undefined>();

/**
 * The OpenAPI v3 schema of a built-in definition (io.k8s.api.apps.v1.Deployment), with nested
 * messages as `$ref: '#/components/schemas/<definition>'`. Undefined when the fact tables do not
 * know the definition (CRDs, aggregated APIs). The result is frozen and shared.
 */
export function schemaFor(definition: string): JsonSchema | undefined {
  if (cache.has(definition)) return cache.get(definition);
  const schema = build(definition);
  if (schema) deepFreeze(schema);
  cache.set(definition, schema);
  return schema;
}

export function hasDefinition(definition: string): boolean {
  return definition in SPECIAL || protoMessages().has(protoOfDefinition(definition));
}

/** The definitions a schema refers to directly. */
export function directRefs(schema: JsonSchema, into: Set<string> = new Set()): Set<string> {
  if (schema.$ref) {
    const name = refName(schema.$ref);
    if (name) into.add(name);
  }
  for (const child of Object.values(schema.properties ?? {})) directRefs(child, into);
  if (schema.items) directRefs(schema.items, into);
  if (typeof schema.additionalProperties === 'object') directRefs(schema.additionalProperties, into);
  for (const list of [schema.allOf, schema.anyOf, schema.oneOf]) for (const child of list ?? []) directRefs(child, into);
  return into;
}

/** Every built-in definition reachable from the roots, roots included, in name order. */
export function reachableDefinitions(roots: Iterable<string>): string[] {
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0) {
    const name = queue.pop() as string;
    if (seen.has(name)) continue;
    const schema = schemaFor(name);
    if (!schema) continue;
    seen.add(name);
    for (const ref of directRefs(schema)) if (!seen.has(ref)) queue.push(ref);
  }
  return [...seen].sort();
}

/** Group/versions DeleteOptions and WatchEvent are tagged with when no resource set is given. */
export function builtinGroupVersionKinds(kind: string): GroupVersionKind[] {
  const seen = new Set<string>(['/v1']);
  const out: GroupVersionKind[] = [{ group: '', version: 'v1', kind }];
  for (const r of BUILTIN_RESOURCES) {
    const key = `${r.group}/${r.version}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ group: r.group, version: r.version, kind });
    }
  }
  return out;
}

function build(definition: string): JsonSchema | undefined {
  const alias = ALIASES[definition];
  if (alias) return build(alias);
  const short = shortName(definition);
  const description = TYPE_DESCRIPTIONS[short];
  const special = SPECIAL[definition];
  if (special) return structuredClone(description ? { description, ...special } : special);
  const proto = protoOfDefinition(definition);
  const message = protoMessages().get(proto);
  if (!message) return undefined;
  if (LIST_WRAPPERS.has(short)) return { type: 'array', items: { type: 'string' } };

  const kind = isKind(definition, message);
  const isList = kind && short.endsWith('List') && 'items' in message;
  // Status and lists carry list metadata; their fields are described as such.
  const listLike = kind && (message['metadata']?.t.endsWith('.ListMeta') ?? false);
  const properties: Record<string, JsonSchema> = {};
  collectProperties(definition, proto, message, definition, properties, kind ? short : undefined, listLike);
  if (kind) {
    properties['apiVersion'] = { type: 'string', description: GENERIC_FIELDS['apiVersion'] as string };
    properties['kind'] = { type: 'string', description: GENERIC_FIELDS['kind'] as string };
  }

  const schema: JsonSchema = { type: 'object' };
  if (description) schema.description = description;
  schema.properties = Object.fromEntries(Object.entries(properties).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const required = isList ? ['items'] : REQUIRED[definition];
  if (required && required.length > 0) schema.required = [...required];
  const self = listSemantics()[definition]?.['$self'];
  if (self?.mapType) schema['x-kubernetes-map-type'] = self.mapType;
  const gvks = groupVersionKinds(definition, kind);
  if (gvks.length > 0) schema['x-kubernetes-group-version-kind'] = gvks;
  return schema;
}

function groupVersionKinds(definition: string, kind: boolean): GroupVersionKind[] {
  if (PER_GROUP_VERSION.has(definition)) return builtinGroupVersionKinds(shortName(definition));
  if (definition === `${META}Status`) return [{ group: '', version: 'v1', kind: 'Status' }];
  if (!kind) return [];
  const gvk = gvkOfDefinition(definition);
  return gvk ? [gvk] : [];
}

function isKind(definition: string, message: ProtoMessage): boolean {
  if (TYPE_META_ONLY.has(definition)) return true;
  const meta = message['metadata']?.t;
  if (!meta || !(meta.endsWith('.ObjectMeta') || meta.endsWith('.ListMeta'))) return false;
  // Templates embed object metadata without being objects themselves.
  const short = shortName(definition);
  return !short.endsWith('TemplateSpec') && short !== 'PersistentVolumeClaimTemplate';
}

function collectProperties(
  owner: string, proto: string, message: ProtoMessage, source: string,
  into: Record<string, JsonSchema>, kind: string | undefined, isList: boolean,
): void {
  for (const [protoName, field] of Object.entries(message)) {
    if (isInline(protoName, field)) {
      const inner = protoMessages().get(field.t);
      if (inner) {
        collectProperties(owner, field.t, inner, definitionOfProto(field.t), into, undefined, false);
        continue;
      }
    }
    const qualified = `${proto}.${protoName}`;
    const name = JSON_NAMES[qualified] ?? (KEEP_CASE.has(qualified) ? protoName : lowerFirst(protoName));
    const semantics = listSemantics()[owner]?.[name] ?? listSemantics()[source]?.[name];
    const description = FIELD_DESCRIPTIONS[`${shortName(owner)}.${name}`]
      ?? FIELD_DESCRIPTIONS[`${shortName(source)}.${name}`]
      ?? (kind ? kindFieldDescription(kind, name, isList) : undefined);
    into[name] = decorate(fieldShape(field), semantics, description);
  }
}

function isInline(protoName: string, field: ProtoField): boolean {
  if (field.rep || field.map) return false;
  const type = shortName(field.t);
  // Probe embeds ProbeHandler under the proto name "handler".
  return type === 'ProbeHandler' || (INLINE_TYPES.has(type) && protoName === lowerFirst(type));
}

function fieldShape(field: ProtoField): JsonSchema {
  if (field.map) return { type: 'object', additionalProperties: valueShape(field.map[1]) };
  if (field.rep) return { type: 'array', items: valueShape(field.t) };
  return valueShape(field.t);
}

function valueShape(type: string): JsonSchema {
  const scalar = SCALARS[type];
  if (scalar) return { ...scalar };
  if (LIST_WRAPPERS.has(shortName(type))) return { type: 'array', items: { type: 'string' } };
  const definition = definitionOfProto(type);
  return { $ref: refTo(ALIASES[definition] ?? definition) };
}

function decorate(shape: JsonSchema, semantics: PropertySemantics | undefined, description: string | undefined): JsonSchema {
  const extensions: JsonSchema = {};
  if (semantics?.listType) extensions['x-kubernetes-list-type'] = semantics.listType;
  if (semantics?.listMapKeys) extensions['x-kubernetes-list-map-keys'] = [...semantics.listMapKeys];
  if (semantics?.mapType) extensions['x-kubernetes-map-type'] = semantics.mapType;
  if (semantics?.patchStrategy) extensions['x-kubernetes-patch-strategy'] = semantics.patchStrategy;
  if (semantics?.patchMergeKey) extensions['x-kubernetes-patch-merge-key'] = semantics.patchMergeKey;
  const hasExtras = description !== undefined || Object.keys(extensions).length > 0;
  // OpenAPI 3.0 ignores siblings of $ref, so a described reference is wrapped in allOf as upstream does.
  const base: JsonSchema = shape.$ref && hasExtras ? { allOf: [shape] } : shape;
  return description === undefined ? { ...base, ...extensions } : { description, ...base, ...extensions };
}

function lowerFirst(s: string): string {
  return s.length > 0 ? s[0]!.toLowerCase() + s.slice(1) : s;
}

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}
