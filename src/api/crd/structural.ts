// The structural view of a CRD version schema: per node its type, its known fields, map values
// and list items, and the Kubernetes extensions that drive pruning, defaulting, list semantics
// and CEL rules. Value validations inside allOf/anyOf/oneOf/not never add fields (a structural
// schema restates them at the node), so the tree reads only the node level.

import type { CrdSchema, ValidationRule } from './types.ts';
import { isRecord, isSchema } from './field-errors.ts';

export interface SchemaNode {
  readonly schema: CrdSchema;
  /** "object", "array", "string", "integer", "number", "boolean", or "" (int-or-string, untyped). */
  readonly type: string;
  readonly properties: ReadonlyMap<string, SchemaNode> | undefined;
  /** Schema of map values (additionalProperties with a schema). */
  readonly additional: SchemaNode | undefined;
  readonly items: SchemaNode | undefined;
  /** Unknown fields are kept (x-kubernetes-preserve-unknown-fields, or additionalProperties: true). */
  readonly preserveUnknown: boolean;
  readonly embedded: boolean;
  readonly intOrString: boolean;
  readonly nullable: boolean;
  readonly hasDefault: boolean;
  readonly default: unknown;
  readonly listType: 'atomic' | 'set' | 'map' | undefined;
  readonly mapKeys: readonly string[];
  readonly rules: readonly ValidationRule[];
}

/** Deeper schemas are refused when a CRD is validated; compiling stops here regardless. */
export const MAX_SCHEMA_DEPTH = 64;

const EMPTY: CrdSchema = {};

export function structuralNode(schema: CrdSchema, depth = 0): SchemaNode {
  const s = isRecord(schema) ? schema : EMPTY;
  const deeper = depth < MAX_SCHEMA_DEPTH;
  let properties: Map<string, SchemaNode> | undefined;
  if (deeper && isRecord(s.properties)) {
    properties = new Map();
    for (const [name, child] of Object.entries(s.properties)) if (isSchema(child)) properties.set(name, structuralNode(child, depth + 1));
  }
  const extra = s.additionalProperties;
  const additional = deeper && isRecord(extra) ? structuralNode(extra as CrdSchema, depth + 1) : undefined;
  const items = deeper && isRecord(s.items) ? structuralNode(s.items, depth + 1) : undefined;
  const listType = s['x-kubernetes-list-type'];
  const mapKeys = s['x-kubernetes-list-map-keys'];
  const rules = s['x-kubernetes-validations'];
  const intOrString = s['x-kubernetes-int-or-string'] === true;
  return {
    schema: s,
    type: intOrString ? '' : typeof s.type === 'string' ? s.type : '',
    properties,
    additional,
    items,
    preserveUnknown: s['x-kubernetes-preserve-unknown-fields'] === true || extra === true,
    embedded: s['x-kubernetes-embedded-resource'] === true,
    intOrString,
    nullable: s.nullable === true,
    hasDefault: 'default' in s && s.default !== undefined,
    default: s.default,
    listType: listType === 'atomic' || listType === 'set' || listType === 'map' ? listType : undefined,
    mapKeys: Array.isArray(mapKeys) ? mapKeys.filter((k): k is string => typeof k === 'string') : [],
    rules: Array.isArray(rules) ? rules.filter((r): r is ValidationRule => isRecord(r) && typeof r['rule'] === 'string') : [],
  };
}

/** The node that describes field `key` of an object value at `node`, if any. */
export function fieldNode(node: SchemaNode | undefined, key: string): SchemaNode | undefined {
  if (!node) return undefined;
  return node.properties?.get(key) ?? node.additional;
}

/** Visits every node once (pre-order). */
export function* walkNodes(node: SchemaNode): Generator<SchemaNode> {
  yield node;
  if (node.properties) for (const child of node.properties.values()) yield* walkNodes(child);
  if (node.additional) yield* walkNodes(node.additional);
  if (node.items) yield* walkNodes(node.items);
}
