// Shapes of the OpenAPI v3 documents served under /openapi/v3, and what the builder takes in.

import type { JsonSchema } from '../../api/schema/index.ts';
import type { GroupVersionKind, ResourceDefinition } from '../../api/types.ts';

/** A served resource; CRD kinds bring their own schema (the version's openAPIV3Schema). */
export interface OpenApiResource extends ResourceDefinition {
  readonly schema?: JsonSchema;
}

export interface Parameter {
  name: string;
  in: 'query' | 'path';
  description: string;
  required?: boolean;
  schema: JsonSchema & { uniqueItems?: boolean };
}

export interface MediaType {
  schema: JsonSchema;
}

export interface Operation {
  tags: string[];
  description: string;
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, MediaType>; required: boolean };
  responses: Record<string, { description: string; content?: Record<string, MediaType> }>;
  'x-kubernetes-action': 'get' | 'list' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection' | 'connect';
  'x-kubernetes-group-version-kind': GroupVersionKind;
}

export interface PathItem {
  parameters?: Parameter[];
  get?: Operation;
  put?: Operation;
  post?: Operation;
  patch?: Operation;
  delete?: Operation;
}

export interface OpenApiDocument {
  openapi: '3.0.0';
  info: { title: string; version: string };
  paths: Record<string, PathItem>;
  components: { schemas: Record<string, JsonSchema> };
}

export interface OpenApiRoot {
  paths: Record<string, { serverRelativeURL: string }>;
}
