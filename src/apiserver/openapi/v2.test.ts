import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { BUILTIN_RESOURCES } from '../../api/resources.ts';
import { customDefinitionName, type JsonSchema } from '../../api/schema/index.ts';
import { CRUD_VERBS } from '../../api/types.ts';
import type { OpenApiResource } from './types.ts';
import { openapiV2Document, SWAGGER_METHODS, type SwaggerDocument, type SwaggerOperation } from './v2-document.ts';
import { encodeOpenApiV2, encodeSchema } from './v2-protobuf.ts';
import { toV2Schema, type SwaggerSchema } from './v2-schema.ts';
import { negotiateOpenApiV2, OPENAPI_V2_PROTOBUF, OpenApiV2Service } from './v2-service.ts';

const WIDGETS: OpenApiResource = {
  group: 'stable.example.com', version: 'v1', kind: 'Widget', listKind: 'WidgetList', plural: 'widgets', singular: 'widget',
  namespaced: true, shortNames: ['wd'], categories: [], verbs: CRUD_VERBS,
  subresources: [{ name: 'status', kind: { group: 'stable.example.com', version: 'v1', kind: 'Widget' }, verbs: ['get', 'patch', 'update'] }],
  storage: { group: 'stable.example.com', resource: 'widgets', version: 'v1' },
  schema: {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        required: ['size', 'note'],
        properties: {
          size: { type: 'integer', minimum: 1, maximum: 10 } as JsonSchema,
          note: { type: 'string', nullable: true },
          port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
          extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { a: { type: 'string' } } },
          mode: { type: 'string', enum: ['on', 'off'], default: 'on' },
        },
      },
    },
  },
};

const RESOURCES: readonly OpenApiResource[] = [...BUILTIN_RESOURCES, WIDGETS];
const DOC = openapiV2Document(RESOURCES);

/**
 * The checks kube-openapi's pkg/util/proto parser (NewOpenAPIData) makes on every definition; one
 * failure makes kubectl refuse the whole document ("SchemaError(...)").
 */
function parserErrors(doc: SwaggerDocument): string[] {
  const errors: string[] = [];
  const visit = (s: SwaggerSchema, path: string): void => {
    if (s.$ref !== undefined) {
      if (s.type !== undefined || s.properties !== undefined) errors.push(`${path}: a reference with a type or properties`);
      if (!s.$ref.startsWith('#/definitions/') || !doc.definitions[s.$ref.slice('#/definitions/'.length)]) errors.push(`${path}: unknown model ${s.$ref}`);
      return;
    }
    if (s.type === 'array') {
      if (!s.items) errors.push(`${path}: array without items`);
      else visit(s.items, `${path}[]`);
    } else if (s.type === 'object' || (s.type === undefined && s.properties)) {
      for (const [name, child] of Object.entries(s.properties ?? {})) visit(child, `${path}.${name}`);
      if (typeof s.additionalProperties === 'object') visit(s.additionalProperties, `${path}{}`);
    } else if (s.type !== undefined && !['string', 'number', 'integer', 'boolean'].includes(s.type)) {
      errors.push(`${path}: unknown primitive type ${s.type}`);
    }
  };
  for (const [name, schema] of Object.entries(doc.definitions)) visit(schema, name);
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of SWAGGER_METHODS) {
      for (const p of item[method]?.parameters ?? []) if (p.schema) visit(p.schema, `${path} ${method} ${p.name}`);
      for (const [code, r] of Object.entries(item[method]?.responses ?? {})) if (r.schema) visit(r.schema, `${path} ${method} ${code}`);
    }
  }
  return errors;
}

function definitionOfKind(doc: SwaggerDocument, group: string, version: string, kind: string): SwaggerSchema | undefined {
  return Object.values(doc.definitions).find((d) => (d['x-kubernetes-group-version-kind'] as { group: string; version: string; kind: string }[] | undefined)
    ?.some((g) => g.group === group && g.version === version && g.kind === kind));
}

function operations(doc: SwaggerDocument): SwaggerOperation[] {
  return Object.values(doc.paths).flatMap((item) => SWAGGER_METHODS.map((m) => item[m]).filter((o): o is SwaggerOperation => o !== undefined));
}

describe('toV2Schema', () => {
  it('turns a described v3 allOf reference into a v2 $ref with its description and extensions', () => {
    const v3: JsonSchema = { description: 'd', allOf: [{ $ref: '#/components/schemas/a.B' }], 'x-kubernetes-map-type': 'atomic' };
    assert.deepEqual(toV2Schema(v3), { $ref: '#/definitions/a.B', description: 'd', 'x-kubernetes-map-type': 'atomic' });
    assert.deepEqual(toV2Schema({ $ref: '#/components/schemas/a.B' }), { $ref: '#/definitions/a.B' });
  });

  it('writes int-or-string as a string with format int-or-string', () => {
    const out = toV2Schema({ description: 'port', 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] });
    assert.equal(out.type, 'string');
    assert.equal(out.format, 'int-or-string');
    assert.equal(out.description, 'port');
    assert.equal('anyOf' in out, false);
  });

  it('drops what kubectl cannot walk, as upstream does for CRD schemas', () => {
    const out = toV2Schema(WIDGETS.schema!.properties!['spec']!);
    const props = out.properties!;
    assert.deepEqual(out.required, ['size'], 'a nullable field is not required in v2');
    assert.deepEqual(props['note'], {}, 'nullable: no type');
    assert.deepEqual(props['extra'], { type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
    assert.deepEqual(props['size'], { minimum: 1, maximum: 10, type: 'integer' });
    assert.deepEqual(props['mode'], { default: 'on', enum: ['on', 'off'], type: 'string' });
    assert.deepEqual(toV2Schema({ type: 'array', 'x-kubernetes-preserve-unknown-fields': true, items: { type: 'string' } }), { 'x-kubernetes-preserve-unknown-fields': true });
    assert.deepEqual(toV2Schema({ type: 'object', properties: {} }), { type: 'object' });
    assert.deepEqual(toV2Schema({ type: 'object', additionalProperties: false }), { type: 'object', additionalProperties: false });
  });
});

describe('openapiV2Document', () => {
  it('is a document kubectl\'s v2 parser accepts', () => {
    assert.equal(DOC.swagger, '2.0');
    assert.deepEqual(parserErrors(DOC), []);
    assert.ok(!JSON.stringify(DOC).includes('#/components/'));
    assert.ok(!JSON.stringify(DOC).includes('"anyOf"') && !JSON.stringify(DOC).includes('"allOf"'));
  });

  it('has a definition with the GVK for every served kind and list', () => {
    for (const r of RESOURCES) {
      const def = definitionOfKind(DOC, r.group, r.version, r.kind);
      assert.ok(def?.properties?.['metadata'], `${r.group}/${r.version} ${r.kind}`);
      if (r.verbs.includes('list')) assert.ok(definitionOfKind(DOC, r.group, r.version, r.listKind)?.properties?.['items'], r.listKind);
    }
    const widget = DOC.definitions[customDefinitionName('stable.example.com', 'v1', 'Widget')];
    assert.equal(widget?.properties?.['spec']?.properties?.['port']?.format, 'int-or-string');
  });

  it('keeps descriptions, required fields and the list and patch extensions', () => {
    const deployment = DOC.definitions['io.k8s.api.apps.v1.Deployment'];
    assert.ok(deployment?.description);
    assert.deepEqual(deployment['x-kubernetes-group-version-kind'], [{ group: 'apps', version: 'v1', kind: 'Deployment' }]);
    assert.equal(deployment.properties?.['spec']?.$ref, '#/definitions/io.k8s.api.apps.v1.DeploymentSpec');
    assert.ok(deployment.properties?.['spec']?.description);
    const podSpec = DOC.definitions['io.k8s.api.core.v1.PodSpec'];
    assert.ok(podSpec);
    assert.ok(podSpec.required?.includes('containers'));
    const containers = podSpec.properties?.['containers'];
    assert.equal(containers?.type, 'array');
    assert.equal(containers?.items?.$ref, '#/definitions/io.k8s.api.core.v1.Container');
    assert.equal(containers?.['x-kubernetes-patch-merge-key'], 'name');
    assert.equal(containers?.['x-kubernetes-patch-strategy'], 'merge');
    assert.equal(containers?.['x-kubernetes-list-type'], 'map');
    assert.deepEqual(containers?.['x-kubernetes-list-map-keys'], ['name']);
    assert.equal(DOC.definitions['io.k8s.api.core.v1.Container']?.properties?.['ports']?.['x-kubernetes-patch-merge-key'], 'containerPort');
    assert.deepEqual(DOC.definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString']?.type, 'string');
    // One document for all group/versions: DeleteOptions names each of them.
    const gvs = (DOC.definitions['io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions']?.['x-kubernetes-group-version-kind'] as { group: string }[]).map((g) => g.group);
    assert.ok(gvs.includes('') && gvs.includes('apps') && gvs.includes('stable.example.com'));
  });

  it('gives every patchable kind a PATCH with fieldValidation that does not offer strategic merge patch', () => {
    for (const r of RESOURCES.filter((res) => res.verbs.includes('patch'))) {
      const patches = operations(DOC).filter((o) => o['x-kubernetes-action'] === 'patch' && o['x-kubernetes-group-version-kind'].kind === r.kind && o['x-kubernetes-group-version-kind'].group === r.group);
      assert.ok(patches.length > 0, r.kind);
      for (const op of patches) {
        assert.ok(op.parameters?.some((p) => p.in === 'query' && p.name === 'fieldValidation'), op.operationId);
        assert.ok(op.consumes.includes('application/merge-patch+json'));
        assert.ok(!op.consumes.includes('application/strategic-merge-patch+json'));
      }
    }
  });

  it('converts the Deployment paths with body, query and path parameters', () => {
    const item = DOC.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'];
    assert.deepEqual(item?.parameters?.map((p) => [p.name, p.in, p.required ?? false]), [['name', 'path', true], ['namespace', 'path', true], ['pretty', 'query', false]]);
    assert.equal(item?.put?.parameters?.[0]?.in, 'body');
    assert.equal(item?.put?.parameters?.[0]?.schema?.$ref, '#/definitions/io.k8s.api.apps.v1.Deployment');
    assert.equal(item?.get?.responses['200']?.schema?.$ref, '#/definitions/io.k8s.api.apps.v1.Deployment');
    assert.deepEqual(item?.get?.produces, ['application/json', 'application/yaml']);
    const list = DOC.paths['/apis/apps/v1/namespaces/{namespace}/deployments']?.get;
    assert.ok(list?.produces.includes('application/json;stream=watch'));
    assert.deepEqual(list?.['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' });
  });
});

// ---- An independent reader of the wire format, with gnostic's field numbers written out again ----

type Field = { n: number; wire: number; v: bigint | Uint8Array };

function readFields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return result;
      shift += 7n;
    }
  };
  while (pos < buf.length) {
    const tag = Number(varint());
    const wire = tag & 7;
    if (wire === 0) out.push({ n: tag >>> 3, wire, v: varint() });
    else if (wire === 1) {
      out.push({ n: tag >>> 3, wire, v: buf.subarray(pos, pos + 8) });
      pos += 8;
    } else if (wire === 2) {
      const len = Number(varint());
      out.push({ n: tag >>> 3, wire, v: buf.subarray(pos, pos + len) });
      pos += len;
    } else throw new Error(`unexpected wire type ${wire}`);
  }
  assert.equal(pos, buf.length);
  return out;
}

const text = (v: Field['v']): string => new TextDecoder('utf-8', { fatal: true }).decode(v as Uint8Array);
const bytesOf = (fields: Field[], n: number): Uint8Array[] => fields.filter((f) => f.n === n).map((f) => f.v as Uint8Array);
const one = (fields: Field[], n: number): Uint8Array | undefined => bytesOf(fields, n)[0];
const strings = (fields: Field[], n: number): string[] => bytesOf(fields, n).map(text);
const named = (buf: Uint8Array): [string, Uint8Array] => {
  const f = readFields(buf);
  return [text(one(f, 1)!), one(f, 2) ?? new Uint8Array()];
};
/** gnostic Any: the value as YAML text in field 2, read as yaml.v2 (YAML 1.1) would. */
const anyValue = (buf: Uint8Array): unknown => parseYaml(text(one(readFields(buf), 2)!), { version: '1.1' });

/** openapi.v2.Schema back to JSON, from the field numbers in OpenAPIv2.proto. */
function decodeSchema(buf: Uint8Array): SwaggerSchema {
  const f = readFields(buf);
  const s: Record<string, unknown> = {};
  const str = (n: number, key: string): void => void (one(f, n) && (s[key] = text(one(f, n)!)));
  const num = (n: number, key: string): void => {
    const field = f.find((x) => x.n === n);
    if (field) s[key] = field.wire === 1 ? new DataView((field.v as Uint8Array).slice().buffer).getFloat64(0, true) : Number(BigInt.asIntN(64, field.v as bigint));
  };
  str(1, '$ref');
  str(2, 'format');
  str(4, 'description');
  if (one(f, 5)) s['default'] = anyValue(one(f, 5)!);
  for (const [n, key] of [[7, 'maximum'], [9, 'minimum'], [11, 'maxLength'], [12, 'minLength'], [14, 'maxItems'], [15, 'minItems']] as const) num(n, key);
  str(13, 'pattern');
  if (f.some((x) => x.n === 16)) s['uniqueItems'] = true;
  if (strings(f, 19).length > 0) s['required'] = strings(f, 19);
  if (bytesOf(f, 20).length > 0) s['enum'] = bytesOf(f, 20).map(anyValue);
  const additional = one(f, 21);
  if (additional) {
    const a = readFields(additional);
    s['additionalProperties'] = a[0]!.n === 2 ? a[0]!.v === 1n : decodeSchema(a[0]!.v as Uint8Array);
  }
  const type = one(f, 22);
  if (type) s['type'] = strings(readFields(type), 1)[0];
  const items = one(f, 23);
  if (items) s['items'] = decodeSchema(one(readFields(items), 1)!);
  const properties = one(f, 25);
  if (properties) s['properties'] = Object.fromEntries(bytesOf(readFields(properties), 1).map(named).map(([k, v]) => [k, decodeSchema(v)]));
  for (const [name, value] of bytesOf(f, 31).map(named)) s[name] = anyValue(value);
  return s as SwaggerSchema;
}

/** JSON with keys sorted, to compare documents whose key order differs. */
const canonical = (v: unknown): string => JSON.stringify(v, (_, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));

describe('encodeOpenApiV2', () => {
  const bytes = encodeOpenApiV2(DOC);
  const top = readFields(bytes);

  it('writes the Document header fields', () => {
    assert.deepEqual(strings(top, 1), ['2.0']);
    const info = readFields(one(top, 2)!);
    assert.deepEqual([strings(info, 1), strings(info, 2)], [[DOC.info.title], [DOC.info.version]]);
  });

  it('round-trips every definition through the gnostic Schema message', () => {
    const definitions = bytesOf(readFields(one(top, 9)!), 1).map(named);
    assert.deepEqual(definitions.map(([name]) => name), Object.keys(DOC.definitions));
    for (const [name, value] of definitions) assert.equal(canonical(decodeSchema(value)), canonical(DOC.definitions[name]), name);
  });

  it('writes GVK extensions as YAML a yaml.v2 reader maps back, and additionalProperties false', () => {
    const deployment = decodeSchema(encodeSchema(DOC.definitions['io.k8s.api.apps.v1.Deployment']!));
    assert.deepEqual(deployment['x-kubernetes-group-version-kind'], [{ group: 'apps', version: 'v1', kind: 'Deployment' }]);
    assert.deepEqual(decodeSchema(encodeSchema({ type: 'object', additionalProperties: false })), { type: 'object', additionalProperties: false });
    assert.deepEqual(decodeSchema(encodeSchema({ enum: ['on', 'yes', 'null', '1'] })), { enum: ['on', 'yes', 'null', '1'] });
    assert.deepEqual(decodeSchema(encodeSchema({ type: 'integer', minimum: -3, maxLength: 5 })), { type: 'integer', minimum: -3, maxLength: 5 });
  });

  it('writes the PATCH operation as client-go\'s QueryParamVerifier and kubectl\'s GetConsumes read it', () => {
    const paths = bytesOf(readFields(one(top, 8)!), 2).map(named);
    assert.deepEqual(paths.map(([p]) => p), Object.keys(DOC.paths));
    const [, item] = paths.find(([p]) => p === '/apis/apps/v1/namespaces/{namespace}/deployments/{name}')!;
    const patch = readFields(one(readFields(item), 8)!);
    const gvk = bytesOf(patch, 13).map(named).find(([n]) => n === 'x-kubernetes-group-version-kind')!;
    assert.deepEqual(anyValue(gvk[1]), { group: 'apps', version: 'v1', kind: 'Deployment' });
    assert.ok(strings(patch, 7).includes('application/merge-patch+json'));
    // parameters: ParametersItem.parameter(1) -> Parameter.non_body_parameter(2) -> query_parameter_sub_schema(3) -> name(4)
    const queryNames = bytesOf(patch, 8).flatMap((p) => {
      const nonBody = one(readFields(one(readFields(p), 1)!), 2);
      const query = nonBody && one(readFields(nonBody), 3);
      return query ? strings(readFields(query), 4) : [];
    });
    assert.ok(queryNames.includes('fieldValidation'), queryNames.join());
    // path-level name parameter: path_parameter_sub_schema(4), required(1) = true, in(2) = path
    const first = readFields(one(readFields(one(readFields(one(readFields(bytesOf(readFields(item), 9)[0]!), 1)!), 2)!), 4)!);
    assert.deepEqual([strings(first, 4), strings(first, 2), first.find((x) => x.n === 1)?.v], [['name'], ['path'], 1n]);
  });
});

describe('negotiateOpenApiV2', () => {
  it('answers as kube-openapi\'s handler does', () => {
    assert.equal(negotiateOpenApiV2('application/com.github.proto-openapi.spec.v2@v1.0+protobuf'), 'protobuf');
    assert.equal(negotiateOpenApiV2('application/com.github.proto-openapi.spec.v2.v1.0+protobuf'), 'protobuf');
    assert.equal(negotiateOpenApiV2('application/json'), 'json');
    assert.equal(negotiateOpenApiV2('application/json, */*'), 'json');
    assert.equal(negotiateOpenApiV2('*/*'), 'json');
    assert.equal(negotiateOpenApiV2(undefined), 'json');
    assert.equal(negotiateOpenApiV2('application/json;q=0.5, application/com.github.proto-openapi.spec.v2@v1.0+protobuf'), 'protobuf');
    assert.equal(negotiateOpenApiV2('application/*;q=0.9, application/com.github.proto-openapi.spec.v2@v1.0+protobuf;q=0.9'), 'protobuf');
    assert.equal(negotiateOpenApiV2('text/html'), undefined);
    assert.equal(negotiateOpenApiV2('application/yaml, application/json;q=0'), undefined);
  });
});

describe('OpenApiV2Service', () => {
  it('caches each format per resource set and rebuilds when it changes', () => {
    const service = new OpenApiV2Service();
    service.update(BUILTIN_RESOURCES);
    const pb = service.negotiate('application/com.github.proto-openapi.spec.v2@v1.0+protobuf');
    assert.equal(pb?.contentType, OPENAPI_V2_PROTOBUF);
    assert.match(pb?.etag ?? '', /^"[0-9A-F]{128}"$/);
    assert.equal(service.get('protobuf'), pb, 'cached');
    const json = service.negotiate('application/json');
    assert.equal(json?.contentType, 'application/json');
    assert.equal((JSON.parse(json!.body.toString()) as SwaggerDocument).swagger, '2.0');
    assert.equal(service.negotiate('text/plain'), undefined);
    service.update([...BUILTIN_RESOURCES]);
    assert.equal(service.get('protobuf'), pb, 'same resources keep the cache');
    service.update(RESOURCES);
    assert.notEqual(service.get('protobuf').etag, pb?.etag);
    assert.ok((JSON.parse(service.get('json').body.toString()) as SwaggerDocument).definitions[customDefinitionName('stable.example.com', 'v1', 'Widget')]);
  });
});
