// The OpenAPI v3 schema subset Strata emits and reads: what kubectl explain, client-side tools and
// the structural checks (unknown fields, JSON types) need, plus the Kubernetes vendor extensions.

import type { GroupVersionKind } from '../types.ts';

export type SchemaType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';

export interface JsonSchema {
  type?: SchemaType;
  format?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  required?: string[];
  $ref?: string;
  allOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  pattern?: string;
  'x-kubernetes-group-version-kind'?: GroupVersionKind[];
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  /** Other vendor extensions (x-kubernetes-validations from CRDs, ...). */
  [extension: `x-${string}`]: unknown;
}

/** A field-level problem found by the structural checks, with a path as upstream prints it. */
export interface SchemaFieldError {
  /** `spec.template.spec.containers[0].ports[0].containerPort` */
  field: string;
  message: string;
}

export const COMPONENT_REF_PREFIX = '#/components/schemas/';

export function refTo(definition: string): string {
  return COMPONENT_REF_PREFIX + definition;
}

/** The definition name a `$ref` points at, or undefined for a foreign ref. */
export function refName(ref: string): string | undefined {
  return ref.startsWith(COMPONENT_REF_PREFIX) ? ref.slice(COMPONENT_REF_PREFIX.length) : undefined;
}
