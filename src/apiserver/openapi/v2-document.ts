// The Swagger 2.0 document served at /openapi/v2: one document for every served group/version,
// built from the same components and path items as the v3 documents and converted. kubectl
// 1.27/1.28 validate manifests and explain kinds against its definitions (found by their
// x-kubernetes-group-version-kind), and read its paths for two decisions:
//   - a PATCH operation of the kind with a `fieldValidation` query parameter makes them send
//     fieldValidation=Strict and leave the check to the server (client-go QueryParamVerifier);
//   - the PATCH operation's `consumes` picks the apply patch type (kubectl apply patcher.go).
//     Like the v3 documents, it does not list strategic merge patch, so kubectl computes SMPs
//     from its compiled-in types (KUBECTL-WIRE §5.2, §5.4); the schemas still carry the patch
//     extensions for any client that reads them.

import type { GroupVersionKind } from '../../api/types.ts';
import { buildComponents, sortedRecord } from './components.ts';
import { DEFAULT_INFO, servedGroupVersions, type DocumentInfo } from './document.ts';
import { resourcePaths } from './paths.ts';
import type { OpenApiResource, Operation, Parameter, PathItem } from './types.ts';
import { toV2Schema, type SwaggerSchema } from './v2-schema.ts';

export interface SwaggerParameter {
  name: string;
  in: 'query' | 'path' | 'body';
  description?: string;
  required?: boolean;
  type?: string;
  uniqueItems?: boolean;
  schema?: SwaggerSchema;
}

export interface SwaggerResponse {
  description: string;
  schema?: SwaggerSchema;
}

export interface SwaggerOperation {
  tags: string[];
  description: string;
  operationId: string;
  produces: string[];
  consumes: string[];
  parameters?: SwaggerParameter[];
  responses: Record<string, SwaggerResponse>;
  schemes: string[];
  'x-kubernetes-action': Operation['x-kubernetes-action'];
  'x-kubernetes-group-version-kind': GroupVersionKind;
}

export const SWAGGER_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
export type SwaggerMethod = (typeof SWAGGER_METHODS)[number];

export type SwaggerPathItem = { [M in SwaggerMethod]?: SwaggerOperation } & { parameters?: SwaggerParameter[] };

export interface SwaggerDocument {
  swagger: '2.0';
  info: { title: string; version: string };
  paths: Record<string, SwaggerPathItem>;
  definitions: Record<string, SwaggerSchema>;
}

export function openapiV2Document(resources: readonly OpenApiResource[], info: DocumentInfo = DEFAULT_INFO): SwaggerDocument {
  const { schemas, names } = buildComponents(resources, servedGroupVersions(resources));
  const paths: Record<string, PathItem> = {};
  resources.forEach((r, i) => Object.assign(paths, resourcePaths(r, names[i]!)));
  const definitions: Record<string, SwaggerSchema> = {};
  for (const [name, schema] of Object.entries(schemas)) definitions[name] = toV2Schema(schema);
  const v2Paths: Record<string, SwaggerPathItem> = {};
  for (const [path, item] of Object.entries(paths)) v2Paths[path] = toV2PathItem(item);
  return { swagger: '2.0', info: { title: info.title, version: info.version }, paths: sortedRecord(v2Paths), definitions: sortedRecord(definitions) };
}

function toV2PathItem(item: PathItem): SwaggerPathItem {
  const out: SwaggerPathItem = {};
  for (const method of SWAGGER_METHODS) {
    const op = item[method];
    if (op) out[method] = toV2Operation(op);
  }
  if (item.parameters && item.parameters.length > 0) out.parameters = item.parameters.map(toV2Parameter);
  return out;
}

function toV2Operation(op: Operation): SwaggerOperation {
  const parameters: SwaggerParameter[] = [];
  const body = op.requestBody;
  const bodySchema = body ? Object.values(body.content)[0]?.schema : undefined;
  if (body && bodySchema) parameters.push({ name: 'body', in: 'body', required: body.required, schema: toV2Schema(bodySchema) });
  for (const p of op.parameters ?? []) parameters.push(toV2Parameter(p));
  const produces: string[] = [];
  const responses: Record<string, SwaggerResponse> = {};
  for (const [code, response] of Object.entries(op.responses)) {
    const content = Object.entries(response.content ?? {});
    for (const [type] of content) if (!produces.includes(type)) produces.push(type);
    const schema = content[0]?.[1].schema;
    responses[code] = schema ? { description: response.description, schema: toV2Schema(schema) } : { description: response.description };
  }
  return {
    tags: [...op.tags],
    description: op.description,
    operationId: op.operationId,
    produces: produces.length > 0 ? produces : ['*/*'],
    consumes: body ? Object.keys(body.content) : ['*/*'],
    ...(parameters.length > 0 ? { parameters } : {}),
    responses,
    schemes: ['https'],
    'x-kubernetes-action': op['x-kubernetes-action'],
    'x-kubernetes-group-version-kind': { ...op['x-kubernetes-group-version-kind'] },
  };
}

function toV2Parameter(p: Parameter): SwaggerParameter {
  const out: SwaggerParameter = { name: p.name, in: p.in, description: p.description };
  if (p.required !== undefined) out.required = p.required;
  if (p.schema.type !== undefined) out.type = p.schema.type;
  if (p.schema.uniqueItems !== undefined) out.uniqueItems = p.schema.uniqueItems;
  return out;
}
