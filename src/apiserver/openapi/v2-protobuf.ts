// Encodes the Swagger 2.0 document as gnostic's `openapi.v2.Document` protobuf message, the form
// client-go asks for (Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf) and
// unmarshals with the generated gnostic types. Field numbers are those of
// github.com/google/gnostic openapiv2/OpenAPIv2.proto. Maps become repeated Named* pairs in
// document order; vendor extension values (and default/enum/example) travel as YAML text in
// `Any.yaml`: kube-openapi reads them with yaml.Unmarshal, so JSON text (a YAML flow value that
// never hits YAML 1.1's implicit booleans such as `on`) is what is written. Proto3 scalars at
// their default value are left out, as a protobuf encoder would.

import { ProtobufWriter } from '../../machinery/index.ts';
import type { SwaggerDocument, SwaggerOperation, SwaggerParameter, SwaggerPathItem, SwaggerResponse } from './v2-document.ts';
import type { SwaggerSchema } from './v2-schema.ts';

/** openapi.v2.Document */
const DOCUMENT = { swagger: 1, info: 2, paths: 8, definitions: 9 } as const;
/** openapi.v2.Info */
const INFO = { title: 1, version: 2 } as const;
/** openapi.v2.Paths, openapi.v2.NamedPathItem */
const PATHS = { path: 2 } as const;
/** openapi.v2.PathItem */
const PATH_ITEM = { get: 2, put: 3, post: 4, delete: 5, patch: 8, parameters: 9 } as const;
/** openapi.v2.Operation */
const OPERATION = { tags: 1, description: 3, operationId: 5, produces: 6, consumes: 7, parameters: 8, responses: 9, schemes: 10, vendorExtension: 13 } as const;
/** openapi.v2.ParametersItem -> Parameter -> BodyParameter | NonBodyParameter */
const PARAMETERS_ITEM = { parameter: 1 } as const;
const PARAMETER = { bodyParameter: 1, nonBodyParameter: 2 } as const;
const BODY_PARAMETER = { description: 1, name: 2, in: 3, required: 4, schema: 5 } as const;
const NON_BODY_PARAMETER = { query: 3, path: 4 } as const;
/** openapi.v2.QueryParameterSubSchema and PathParameterSubSchema differ from `type` on. */
const QUERY_PARAMETER = { required: 1, in: 2, description: 3, name: 4, type: 6, uniqueItems: 20 } as const;
const PATH_PARAMETER = { required: 1, in: 2, description: 3, name: 4, type: 5, uniqueItems: 19 } as const;
/** openapi.v2.Responses -> NamedResponseValue -> ResponseValue -> Response -> SchemaItem */
const RESPONSES = { responseCode: 1 } as const;
const RESPONSE_VALUE = { response: 1 } as const;
const RESPONSE = { description: 1, schema: 2 } as const;
const SCHEMA_ITEM = { schema: 1 } as const;
/** openapi.v2.Schema */
const SCHEMA = {
  ref: 1, format: 2, title: 3, description: 4, default: 5, multipleOf: 6, maximum: 7, exclusiveMaximum: 8,
  minimum: 9, exclusiveMinimum: 10, maxLength: 11, minLength: 12, pattern: 13, maxItems: 14, minItems: 15,
  uniqueItems: 16, maxProperties: 17, minProperties: 18, required: 19, enum: 20, additionalProperties: 21,
  type: 22, items: 23, properties: 25, readOnly: 27, example: 30, vendorExtension: 31,
} as const;
/** openapi.v2.AdditionalPropertiesItem (a oneof: presence counts, so `false` is written). */
const ADDITIONAL_PROPERTIES = { schema: 1, boolean: 2 } as const;
/** Map entries (NamedSchema, NamedAny, NamedPathItem, NamedResponseValue): name = 1, value = 2. */
const NAMED = { name: 1, value: 2 } as const;
/** openapi.v2.Any */
const ANY = { yaml: 2 } as const;
/** TypeItem, ItemsItem, Properties and Definitions hold their one repeated field at 1. */
const REPEATED = 1;

export function encodeOpenApiV2(doc: SwaggerDocument): Uint8Array {
  const w = new ProtobufWriter();
  w.string(DOCUMENT.swagger, doc.swagger);
  w.message(DOCUMENT.info, (m) => {
    str(m, INFO.title, doc.info.title);
    str(m, INFO.version, doc.info.version);
  });
  w.message(DOCUMENT.paths, (m) => {
    for (const [name, item] of Object.entries(doc.paths)) {
      m.message(PATHS.path, (n) => n.string(NAMED.name, name).message(NAMED.value, (v) => pathItem(v, item)));
    }
  });
  w.message(DOCUMENT.definitions, (m) => namedSchemas(m, doc.definitions));
  return w.finish();
}

/** The `Schema` message alone, for tests and tools. */
export function encodeSchema(schema: SwaggerSchema): Uint8Array {
  const w = new ProtobufWriter();
  writeSchema(w, schema);
  return w.finish();
}

function pathItem(w: ProtobufWriter, item: SwaggerPathItem): void {
  for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
    const op = item[method];
    if (op) w.message(PATH_ITEM[method], (m) => operation(m, op));
  }
  for (const p of item.parameters ?? []) w.message(PATH_ITEM.parameters, (m) => parametersItem(m, p));
}

function operation(w: ProtobufWriter, op: SwaggerOperation): void {
  for (const tag of op.tags) w.string(OPERATION.tags, tag);
  str(w, OPERATION.description, op.description);
  str(w, OPERATION.operationId, op.operationId);
  for (const t of op.produces) w.string(OPERATION.produces, t);
  for (const t of op.consumes) w.string(OPERATION.consumes, t);
  for (const p of op.parameters ?? []) w.message(OPERATION.parameters, (m) => parametersItem(m, p));
  w.message(OPERATION.responses, (m) => {
    for (const [code, response] of Object.entries(op.responses)) {
      m.message(RESPONSES.responseCode, (n) => n.string(NAMED.name, code).message(NAMED.value, (v) => v.message(RESPONSE_VALUE.response, (r) => writeResponse(r, response))));
    }
  });
  for (const scheme of op.schemes) w.string(OPERATION.schemes, scheme);
  vendorExtensions(w, OPERATION.vendorExtension, op as unknown as Record<string, unknown>);
}

function writeResponse(w: ProtobufWriter, response: SwaggerResponse): void {
  str(w, RESPONSE.description, response.description);
  const schema = response.schema;
  if (schema) w.message(RESPONSE.schema, (m) => m.message(SCHEMA_ITEM.schema, (s) => writeSchema(s, schema)));
}

function parametersItem(w: ProtobufWriter, p: SwaggerParameter): void {
  w.message(PARAMETERS_ITEM.parameter, (param) => {
    const schema = p.schema;
    if (p.in === 'body') {
      param.message(PARAMETER.bodyParameter, (b) => {
        str(b, BODY_PARAMETER.description, p.description);
        str(b, BODY_PARAMETER.name, p.name);
        str(b, BODY_PARAMETER.in, p.in);
        if (p.required) b.bool(BODY_PARAMETER.required, true);
        if (schema) b.message(BODY_PARAMETER.schema, (s) => writeSchema(s, schema));
      });
      return;
    }
    const fields = p.in === 'path' ? PATH_PARAMETER : QUERY_PARAMETER;
    param.message(PARAMETER.nonBodyParameter, (nb) => nb.message(p.in === 'path' ? NON_BODY_PARAMETER.path : NON_BODY_PARAMETER.query, (q) => {
      if (p.required) q.bool(fields.required, true);
      str(q, fields.in, p.in);
      str(q, fields.description, p.description);
      str(q, fields.name, p.name);
      str(q, fields.type, p.type);
      if (p.uniqueItems) q.bool(fields.uniqueItems, true);
    }));
  });
}

function namedSchemas(w: ProtobufWriter, schemas: Record<string, SwaggerSchema>): void {
  for (const [name, schema] of Object.entries(schemas)) {
    w.message(REPEATED, (n) => n.string(NAMED.name, name).message(NAMED.value, (v) => writeSchema(v, schema)));
  }
}

function writeSchema(w: ProtobufWriter, s: SwaggerSchema): void {
  str(w, SCHEMA.ref, s.$ref);
  str(w, SCHEMA.format, s.format);
  str(w, SCHEMA.title, s.title);
  str(w, SCHEMA.description, s.description);
  if (s.default !== undefined) w.message(SCHEMA.default, (m) => any(m, s.default));
  dbl(w, SCHEMA.multipleOf, s.multipleOf);
  dbl(w, SCHEMA.maximum, s.maximum);
  if (s.exclusiveMaximum) w.bool(SCHEMA.exclusiveMaximum, true);
  dbl(w, SCHEMA.minimum, s.minimum);
  if (s.exclusiveMinimum) w.bool(SCHEMA.exclusiveMinimum, true);
  int(w, SCHEMA.maxLength, s.maxLength);
  int(w, SCHEMA.minLength, s.minLength);
  str(w, SCHEMA.pattern, s.pattern);
  int(w, SCHEMA.maxItems, s.maxItems);
  int(w, SCHEMA.minItems, s.minItems);
  if (s.uniqueItems) w.bool(SCHEMA.uniqueItems, true);
  int(w, SCHEMA.maxProperties, s.maxProperties);
  int(w, SCHEMA.minProperties, s.minProperties);
  for (const name of s.required ?? []) w.string(SCHEMA.required, name);
  for (const value of s.enum ?? []) w.message(SCHEMA.enum, (m) => any(m, value));
  const additional = s.additionalProperties;
  if (typeof additional === 'boolean') w.message(SCHEMA.additionalProperties, (m) => m.bool(ADDITIONAL_PROPERTIES.boolean, additional));
  else if (additional) w.message(SCHEMA.additionalProperties, (m) => m.message(ADDITIONAL_PROPERTIES.schema, (a) => writeSchema(a, additional)));
  const type = s.type;
  if (type) w.message(SCHEMA.type, (m) => m.string(REPEATED, type));
  const items = s.items;
  if (items) w.message(SCHEMA.items, (m) => m.message(REPEATED, (i) => writeSchema(i, items)));
  const properties = s.properties;
  if (properties) w.message(SCHEMA.properties, (m) => namedSchemas(m, properties));
  if (s.readOnly) w.bool(SCHEMA.readOnly, true);
  if (s.example !== undefined) w.message(SCHEMA.example, (m) => any(m, s.example));
  vendorExtensions(w, SCHEMA.vendorExtension, s);
}

function vendorExtensions(w: ProtobufWriter, field: number, from: object): void {
  for (const [name, value] of Object.entries(from)) {
    if (!name.startsWith('x-') || value === undefined) continue;
    w.message(field, (m) => m.string(NAMED.name, name).message(NAMED.value, (v) => any(v, value)));
  }
}

/** openapi.v2.Any with the value as YAML (JSON is a YAML flow value). */
function any(w: ProtobufWriter, value: unknown): void {
  w.string(ANY.yaml, `${JSON.stringify(value)}\n`);
}

function str(w: ProtobufWriter, field: number, value: string | undefined): void {
  if (value) w.string(field, value);
}

function dbl(w: ProtobufWriter, field: number, value: number | undefined): void {
  if (value !== undefined && value !== 0) w.double(field, value);
}

function int(w: ProtobufWriter, field: number, value: number | undefined): void {
  if (value !== undefined && value !== 0) w.varint(field, Math.trunc(value));
}
