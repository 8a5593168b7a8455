// Converts the OpenAPI v3 schemas Strata builds into Swagger 2.0 schemas, the shape kubectl's
// openapi v2 parser (kube-openapi pkg/util/proto) accepts: a `$ref` stands alone (no type, no
// properties; a described reference is `{$ref, description}` rather than v3's allOf wrapper),
// arrays always carry items, primitives are string/number/integer/boolean, and int-or-string is
// `type: string, format: int-or-string`. What v2 cannot say is dropped as upstream's
// ToStructuralOpenAPIV2 does for CRD schemas: anyOf/oneOf/not/allOf, and the items and
// properties of nullable or x-kubernetes-preserve-unknown-fields nodes. Vendor extensions
// (x-kubernetes-patch-merge-key, -patch-strategy, -list-type, -group-version-kind, ...) are kept.

import { COMPONENT_REF_PREFIX, type JsonSchema } from '../../api/schema/index.ts';

export const DEFINITION_REF_PREFIX = '#/definitions/';

/** A Swagger 2.0 schema object (the subset Strata emits), in gnostic's field order. */
export interface SwaggerSchema {
  $ref?: string;
  format?: string;
  title?: string;
  description?: string;
  default?: unknown;
  multipleOf?: number;
  maximum?: number;
  exclusiveMaximum?: boolean;
  minimum?: number;
  exclusiveMinimum?: boolean;
  maxLength?: number;
  minLength?: number;
  pattern?: string;
  maxItems?: number;
  minItems?: number;
  uniqueItems?: boolean;
  maxProperties?: number;
  minProperties?: number;
  required?: string[];
  enum?: unknown[];
  additionalProperties?: SwaggerSchema | boolean;
  type?: string;
  items?: SwaggerSchema;
  properties?: Record<string, SwaggerSchema>;
  readOnly?: boolean;
  example?: unknown;
  [extension: `x-${string}`]: unknown;
}

/** Validation keywords copied as they are (v3.0 and v2 agree on them). */
const NUMBER_KEYS = ['multipleOf', 'maximum', 'minimum', 'maxLength', 'minLength', 'maxItems', 'minItems', 'maxProperties', 'minProperties'] as const;
const BOOLEAN_KEYS = ['exclusiveMaximum', 'exclusiveMinimum', 'uniqueItems', 'readOnly'] as const;

/** '#/components/schemas/X' -> '#/definitions/X'; other refs are left alone. */
export function toV2Ref(ref: string): string {
  return ref.startsWith(COMPONENT_REF_PREFIX) ? DEFINITION_REF_PREFIX + ref.slice(COMPONENT_REF_PREFIX.length) : ref;
}

export function toV2Schema(schema: JsonSchema): SwaggerSchema {
  const loose = schema as Record<string, unknown>;
  const out: SwaggerSchema = {};
  const ref = referenceOf(schema);
  if (ref !== undefined) {
    out.$ref = toV2Ref(ref);
    if (typeof schema.description === 'string') out.description = schema.description;
    copyExtensions(loose, out);
    return out;
  }

  const intOrString = schema['x-kubernetes-int-or-string'] === true;
  const nullable = schema.nullable === true;
  const preserveUnknown = schema['x-kubernetes-preserve-unknown-fields'] === true;
  let type: string | undefined = intOrString ? 'string' : schema.type;
  const format = intOrString && schema.format === undefined ? 'int-or-string' : schema.format;
  if (nullable) type = undefined;
  // kubectl cannot walk items or properties under a value it must not check (null, unknown fields).
  const items = nullable || preserveUnknown || !schema.items ? undefined : toV2Schema(schema.items);
  if (type === 'array' && !items) type = undefined;

  if (typeof format === 'string') out.format = format;
  if (typeof loose['title'] === 'string') out.title = loose['title'];
  if (typeof schema.description === 'string') out.description = schema.description;
  if (schema.default !== undefined) out.default = schema.default;
  for (const key of NUMBER_KEYS) if (typeof loose[key] === 'number') out[key] = loose[key];
  for (const key of BOOLEAN_KEYS) if (typeof loose[key] === 'boolean') out[key] = loose[key];
  if (typeof schema.pattern === 'string') out.pattern = schema.pattern;

  let properties: Record<string, SwaggerSchema> | undefined;
  const nullableFields = new Set<string>();
  if (schema.properties && !nullable && !preserveUnknown) {
    properties = {};
    for (const [name, child] of Object.entries(schema.properties)) {
      properties[name] = toV2Schema(child);
      if (child.nullable === true) nullableFields.add(name);
    }
    // An empty properties object would make kubectl treat the node as a kind with no fields.
    if (Object.keys(properties).length === 0) properties = undefined;
  }
  const additional = schema.additionalProperties;
  // A required field that may be null cannot be checked for presence by a v2 client.
  const required = typeof additional === 'object' && additional.nullable === true
    ? []
    : (schema.required ?? []).filter((name) => !nullableFields.has(name));
  if (required.length > 0) out.required = [...required];
  if (Array.isArray(schema.enum)) out.enum = [...schema.enum];
  if (typeof additional === 'boolean') out.additionalProperties = additional;
  else if (additional) out.additionalProperties = toV2Schema(additional);
  if (type !== undefined) out.type = type;
  if (items) out.items = items;
  if (properties) out.properties = properties;
  if (loose['example'] !== undefined) out.example = loose['example'];
  copyExtensions(loose, out);
  return out;
}

/** The ref a schema stands for: its own, or that of v3's `allOf: [{$ref}]` wrapper around a described field. */
function referenceOf(schema: JsonSchema): string | undefined {
  if (typeof schema.$ref === 'string') return schema.$ref;
  const only = schema.allOf?.length === 1 ? schema.allOf[0] : undefined;
  if (only && typeof only.$ref === 'string' && Object.keys(only).length === 1 && schema.type === undefined && schema.properties === undefined) {
    return only.$ref;
  }
  return undefined;
}

function copyExtensions(from: Record<string, unknown>, to: SwaggerSchema): void {
  for (const [key, value] of Object.entries(from)) {
    if (key.startsWith('x-') && value !== undefined) to[key as `x-${string}`] = value;
  }
}
