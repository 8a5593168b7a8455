import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUILTIN_RESOURCES } from '../../api/resources.ts';
import { customDefinitionName, resolverWith, unknownFieldsIn, type JsonSchema } from '../../api/schema/index.ts';
import { CRUD_VERBS } from '../../api/types.ts';
import { customResourceSchema } from './components.ts';
import { groupVersionKey, openapiV3Document, openapiV3Root, parseGroupVersionKey, servedGroupVersions } from './document.ts';
import { OpenApiService } from './service.ts';
import type { OpenApiDocument, OpenApiResource, Operation } from './types.ts';

const WIDGETS: OpenApiResource = {
  group: 'stable.example.com', version: 'v1', kind: 'Widget', listKind: 'WidgetList', plural: 'widgets', singular: 'widget',
  namespaced: true, shortNames: ['wd'], categories: [], verbs: CRUD_VERBS,
  subresources: [
    { name: 'status', kind: { group: 'stable.example.com', version: 'v1', kind: 'Widget' }, verbs: ['get', 'patch', 'update'] },
    { name: 'scale', kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] },
  ],
  storage: { group: 'stable.example.com', resource: 'widgets', version: 'v1' },
  schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } },
};

const RESOURCES: readonly OpenApiResource[] = [...BUILTIN_RESOURCES, WIDGETS];

function documentOf(key: string): OpenApiDocument {
  const doc = openapiV3Document(RESOURCES, key);
  assert.ok(doc, key);
  return doc;
}

function operations(doc: OpenApiDocument): Operation[] {
  return Object.values(doc.paths).flatMap((item) => [item.get, item.put, item.post, item.patch, item.delete].filter((o): o is Operation => o !== undefined));
}

function refsIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refsIn(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsIn(v, out);
    }
  }
  return out;
}

/** The schema kubectl explain would pick: the component whose GVK list contains the kind. */
function schemaOfKind(doc: OpenApiDocument, group: string, version: string, kind: string): JsonSchema | undefined {
  return Object.values(doc.components.schemas).find((s) => s['x-kubernetes-group-version-kind']?.some((g) => g.group === group && g.version === version && g.kind === kind));
}

describe('openapiV3Root', () => {
  it('lists every served group/version with a hashed URL', () => {
    const root = openapiV3Root(RESOURCES);
    const keys = servedGroupVersions(RESOURCES).map(groupVersionKey);
    assert.deepEqual(Object.keys(root.paths).sort(), [...keys].sort());
    assert.ok(keys.includes('api/v1') && keys.includes('apis/apps/v1') && keys.includes('apis/stable.example.com/v1'));
    assert.match(root.paths['apis/apps/v1']?.serverRelativeURL ?? '', /^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]{128}$/);
  });

  it('parses keys back', () => {
    assert.deepEqual(parseGroupVersionKey('api/v1'), { group: '', version: 'v1' });
    assert.deepEqual(parseGroupVersionKey('apis/apps/v1'), { group: 'apps', version: 'v1' });
    assert.equal(parseGroupVersionKey('apis/apps'), undefined);
    assert.equal(openapiV3Document(RESOURCES, 'apis/nothing/v1'), undefined);
  });
});

describe('openapiV3Document', () => {
  it('resolves every $ref within its own components', () => {
    for (const key of servedGroupVersions(RESOURCES).map(groupVersionKey)) {
      const doc = documentOf(key);
      assert.equal(doc.openapi, '3.0.0');
      for (const ref of refsIn(doc)) {
        assert.ok(ref.startsWith('#/components/schemas/'), ref);
        assert.ok(doc.components.schemas[ref.slice('#/components/schemas/'.length)], `${key}: dangling ${ref}`);
      }
    }
  });

  it('gives every served kind a PATCH with fieldValidation and its GVK, without strategic merge patch', () => {
    for (const r of RESOURCES) {
      const doc = documentOf(groupVersionKey(r));
      const patches = operations(doc).filter((o) => o['x-kubernetes-action'] === 'patch' && o['x-kubernetes-group-version-kind'].kind === r.kind && o['x-kubernetes-group-version-kind'].group === r.group);
      if (!r.verbs.includes('patch')) continue;
      assert.ok(patches.length > 0, `${r.kind}: no PATCH`);
      // kubectl inspects whichever matching PATCH it meets first, so all of them must qualify.
      for (const patch of patches) {
        assert.ok(patch.parameters?.some((p) => p.name === 'fieldValidation' && p.in === 'query'), `${r.kind}: ${patch.operationId}`);
        const types = Object.keys(patch.requestBody?.content ?? {});
        assert.ok(types.includes('application/apply-patch+yaml') && types.includes('application/merge-patch+json') && types.includes('application/json-patch+json'));
        assert.ok(!types.includes('application/strategic-merge-patch+json'));
      }
    }
  });

  it('has a schema with the GVK for every served kind and list, as kubectl explain looks them up', () => {
    for (const r of RESOURCES) {
      const doc = documentOf(groupVersionKey(r));
      const schema = schemaOfKind(doc, r.group, r.version, r.kind);
      assert.ok(schema?.properties?.['metadata'], `${r.group}/${r.version} ${r.kind}`);
      if (!r.schema) assert.ok(schema.description, `${r.kind} description`);
      if (r.verbs.includes('list')) assert.ok(schemaOfKind(doc, r.group, r.version, r.listKind)?.properties?.['items'], r.listKind);
    }
  });

  it('builds the Deployment paths with list, write and subresource operations', () => {
    const doc = documentOf('apis/apps/v1');
    const collection = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments'];
    assert.equal(collection?.get?.['x-kubernetes-action'], 'list');
    assert.deepEqual(collection?.get?.['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' });
    assert.equal(collection?.get?.operationId, 'listAppsV1NamespacedDeployment');
    for (const p of ['labelSelector', 'fieldSelector', 'limit', 'continue', 'resourceVersion', 'watch']) assert.ok(collection?.get?.parameters?.some((q) => q.name === p), p);
    assert.equal(collection?.post?.['x-kubernetes-action'], 'post');
    assert.ok(collection?.post?.parameters?.some((p) => p.name === 'dryRun'));
    assert.equal(collection?.delete?.['x-kubernetes-action'], 'deletecollection');
    const item = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'];
    assert.deepEqual([item?.get, item?.put, item?.patch, item?.delete].map((o) => o?.['x-kubernetes-action']), ['get', 'put', 'patch', 'delete']);
    assert.ok(item?.patch?.parameters?.some((p) => p.name === 'force'));
    assert.equal(item?.get?.responses['200']?.content?.['application/json']?.schema.$ref, '#/components/schemas/io.k8s.api.apps.v1.Deployment');
    assert.ok(doc.paths['/apis/apps/v1/deployments']?.get);
    const scale = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'];
    assert.deepEqual(scale?.patch?.['x-kubernetes-group-version-kind'], { group: 'autoscaling', version: 'v1', kind: 'Scale' });
    assert.ok(doc.components.schemas['io.k8s.api.autoscaling.v1.Scale']);
    assert.equal(doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status']?.patch?.operationId, 'patchAppsV1NamespacedDeploymentStatus');
    for (const meta of ['ObjectMeta', 'ListMeta', 'Status', 'DeleteOptions', 'WatchEvent', 'APIResourceList', 'Patch']) {
      assert.ok(doc.components.schemas[`io.k8s.apimachinery.pkg.apis.meta.v1.${meta}`], meta);
    }
    const containers = doc.components.schemas['io.k8s.api.core.v1.PodSpec']?.properties?.['containers'];
    assert.equal(containers?.['x-kubernetes-list-type'], 'map');
    assert.deepEqual(containers?.['x-kubernetes-list-map-keys'], ['name']);
  });

  it('builds pod subresources and cluster-scoped paths', () => {
    const doc = documentOf('api/v1');
    const exec = doc.paths['/api/v1/namespaces/{namespace}/pods/{name}/exec'];
    assert.equal(exec?.get?.['x-kubernetes-action'], 'connect');
    assert.equal(exec?.post?.operationId, 'connectCoreV1PostNamespacedPodExec');
    assert.deepEqual(doc.paths['/api/v1/namespaces/{namespace}/pods/{name}/eviction']?.post?.['x-kubernetes-group-version-kind'], { group: 'policy', version: 'v1', kind: 'Eviction' });
    assert.ok(doc.components.schemas['io.k8s.api.policy.v1.Eviction']);
    assert.ok(doc.paths['/api/v1/namespaces/{namespace}/pods/{name}/log']?.get);
    assert.ok(doc.paths['/api/v1/nodes/{name}']?.patch);
    assert.equal(doc.paths['/api/v1/nodes/{name}']?.patch?.operationId, 'patchCoreV1Node');
    assert.ok(doc.paths['/api/v1/namespaces/{name}/finalize']?.put);
    assert.equal(doc.paths['/api/v1/namespaces/{namespace}/bindings']?.get, undefined);
    assert.ok(doc.paths['/api/v1/namespaces/{namespace}/bindings']?.post);
    const deleteOptions = doc.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions']?.['x-kubernetes-group-version-kind'] ?? [];
    assert.ok(deleteOptions.some((g) => g.group === 'stable.example.com'));
  });

  it('wraps a CRD schema in the object envelope', () => {
    const doc = documentOf('apis/stable.example.com/v1');
    const widget = doc.components.schemas['com.example.stable.v1.Widget'];
    assert.deepEqual(Object.keys(widget?.properties ?? {}), ['apiVersion', 'kind', 'metadata', 'spec']);
    assert.deepEqual(widget?.['x-kubernetes-group-version-kind'], [{ group: 'stable.example.com', version: 'v1', kind: 'Widget' }]);
    assert.equal(doc.components.schemas['com.example.stable.v1.WidgetList']?.properties?.['items']?.items?.$ref, '#/components/schemas/com.example.stable.v1.Widget');
    assert.ok(doc.paths['/apis/stable.example.com/v1/namespaces/{namespace}/widgets/{name}/scale']?.get);
    assert.ok(doc.components.schemas['io.k8s.api.autoscaling.v1.Scale']);
    // A CRD without a schema is served with an open one.
    const { schema: _, ...schemaless } = WIDGETS;
    const open = openapiV3Document([schemaless], 'apis/stable.example.com/v1');
    assert.equal(open?.components.schemas['com.example.stable.v1.Widget']?.['x-kubernetes-preserve-unknown-fields'], true);
  });
});

describe('OpenApiService', () => {
  it('serves cached bytes whose hash matches the root URL', () => {
    const service = new OpenApiService();
    service.update(RESOURCES);
    const root = JSON.parse(service.root().body.toString()) as { paths: Record<string, { serverRelativeURL: string }> };
    assert.deepEqual(Object.keys(root.paths).sort(), service.keys().sort());
    for (const key of service.keys()) {
      const doc = service.document(key);
      assert.ok(doc);
      assert.equal(root.paths[key]?.serverRelativeURL, doc.url);
      assert.equal(doc.etag, `"${doc.hash}"`);
      assert.equal(service.document(key), doc, 'cached');
    }
    assert.equal(service.document('apis/none/v1'), undefined);
  });

  it('keeps the cache for the same resources and rebuilds when they change', () => {
    const service = new OpenApiService();
    service.update(BUILTIN_RESOURCES);
    const before = service.document('api/v1');
    service.update([...BUILTIN_RESOURCES]);
    assert.equal(service.document('api/v1'), before);
    assert.equal(service.document('apis/stable.example.com/v1'), undefined);
    service.update(RESOURCES);
    assert.ok(service.document('apis/stable.example.com/v1'));
    const after = service.document('api/v1');
    assert.notEqual(after, before);
    // core/v1 changed too: DeleteOptions now lists the new group/version.
    assert.notEqual(after?.hash, before?.hash);
  });

  it('is deterministic across instances', () => {
    const a = new OpenApiService();
    const b = new OpenApiService();
    a.update(RESOURCES);
    b.update(RESOURCES);
    assert.equal(a.root().hash, b.root().hash);
  });
});

describe('customResourceSchema', () => {
  it('lets CRD objects be checked for unknown fields, metadata included', () => {
    const name = customDefinitionName(WIDGETS.group, WIDGETS.version, WIDGETS.kind);
    const resolver = resolverWith({ [name]: customResourceSchema(WIDGETS.schema, WIDGETS) });
    const obj = { apiVersion: 'stable.example.com/v1', kind: 'Widget', metadata: { name: 'w', bogus: 1 }, spec: { size: 1, colour: 'red' } };
    assert.deepEqual(unknownFieldsIn(resolver, name, obj), ['metadata.bogus', 'spec.colour']);
  });
});
