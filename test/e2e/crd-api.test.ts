// CustomResourceDefinitions over the raw HTTP API of `strata server`: a new kind is served within
// a second on every path a built-in kind has (legacy and aggregated discovery, OpenAPI v3,
// tables, CRUD, list and watch with label and field selectors), in both scopes; several versions
// share one storage version (conversion None rewrites apiVersion); webhook conversion is refused;
// strict field validation; watches end when the CRD goes.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openWatch, requestJson, startStrata } from './harness.ts';

type Strata = Awaited<ReturnType<typeof startStrata>>;

const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const AGGREGATED = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

function gadgetCrd(group: string, scope: 'Namespaced' | 'Cluster', versions: Record<string, unknown>[] = [{ name: 'v1', served: true, storage: true }]): Record<string, unknown> {
  const schema = {
    openAPIV3Schema: {
      type: 'object',
      properties: { spec: { type: 'object', properties: { color: { type: 'string' }, size: { type: 'integer', default: 1 } } } },
    },
  };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `gadgets.${group}` },
    spec: {
      group,
      scope,
      names: { plural: 'gadgets', kind: 'Gadget', shortNames: ['gd'], categories: ['gear'] },
      versions: versions.map((v) => ({ schema, selectableFields: [{ jsonPath: '.spec.color' }], ...v })),
    },
  };
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('CustomResourceDefinitions over HTTP', { timeout: 120_000 }, () => {
  let s: Strata;
  before(async () => {
    s = await startStrata();
  });
  after(async () => {
    await s?.cleanup();
  });

  test('a new kind is served within a second on every path', async () => {
    const group = 'fast.example.com';
    const t0 = Date.now();
    const created = await requestJson(s, 'POST', CRDS, gadgetCrd(group, 'Namespaced'));
    assert.equal(created.status, 201, created.raw);
    await waitFor('legacy discovery', async () => (await requestJson(s, 'GET', `/apis/${group}/v1`)).status === 200);
    const elapsed = Date.now() - t0;
    assert.ok(elapsed < 1000, `served after ${elapsed} ms`);

    const resources = (await requestJson(s, 'GET', `/apis/${group}/v1`)).body.resources;
    assert.deepEqual(resources.find((r: any) => r.name === 'gadgets'), {
      name: 'gadgets', singularName: 'gadget', namespaced: true, kind: 'Gadget',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'], shortNames: ['gd'], categories: ['gear'],
      ...(resources.find((r: any) => r.name === 'gadgets').storageVersionHash ? { storageVersionHash: resources.find((r: any) => r.name === 'gadgets').storageVersionHash } : {}),
    });
    const groups = (await requestJson(s, 'GET', '/apis')).body.groups;
    assert.deepEqual(groups.find((g: any) => g.name === group)?.preferredVersion, { groupVersion: `${group}/v1`, version: 'v1' });
    const aggregated = (await requestJson(s, 'GET', '/apis', undefined, { accept: AGGREGATED })).body;
    const item = aggregated.items.find((i: any) => i.metadata.name === group);
    assert.equal(item.versions[0].resources[0].resource, 'gadgets');
    assert.equal(item.versions[0].resources[0].scope, 'Namespaced');

    const root = (await requestJson(s, 'GET', '/openapi/v3')).body;
    const doc = (await requestJson(s, 'GET', root.paths[`apis/${group}/v1`].serverRelativeURL)).body;
    const schema = Object.values(doc.components.schemas).find((c: any) => c['x-kubernetes-group-version-kind']?.some((g: any) => g.kind === 'Gadget')) as any;
    assert.equal(schema.properties.spec.properties.size.type, 'integer');
    assert.ok(doc.paths[`/apis/${group}/v1/namespaces/{namespace}/gadgets/{name}`].patch.parameters.some((p: any) => p.name === 'fieldValidation'));

    // CRUD with defaults; the default table (NAME, AGE) for a CRD without columns.
    const base = `/apis/${group}/v1/namespaces/default/gadgets`;
    for (const [name, color, tier] of [['a', 'red', 'x'], ['b', 'blue', 'x'], ['c', 'red', 'y']] as const) {
      const r = await requestJson(s, 'POST', base, { apiVersion: `${group}/v1`, kind: 'Gadget', metadata: { name, labels: { tier } }, spec: { color } });
      assert.equal(r.status, 201, r.raw);
      assert.equal(r.body.spec.size, 1);
    }
    const table = (await requestJson(s, 'GET', base, undefined, { accept: TABLE })).body;
    assert.deepEqual(table.columnDefinitions.map((c: any) => [c.name, c.type]), [['Name', 'string'], ['Age', 'date']]);
    assert.deepEqual(table.rows.map((r: any) => r.cells[0]), ['a', 'b', 'c']);

    const names = async (query: string): Promise<string[]> => (await requestJson(s, 'GET', `${base}?${query}`)).body.items.map((i: any) => i.metadata.name);
    assert.deepEqual(await names('labelSelector=tier%3Dx'), ['a', 'b']);
    assert.deepEqual(await names('fieldSelector=spec.color%3Dred'), ['a', 'c']);
    assert.deepEqual(await names('fieldSelector=spec.color%3Dred&labelSelector=tier%3Dy'), ['c']);
    assert.equal((await requestJson(s, 'GET', `${base}?fieldSelector=spec.size%3D1`)).status, 400);

    // A watch with selectors sees only matching changes.
    const list = await requestJson(s, 'GET', `${base}?labelSelector=tier%3Dx`);
    const w = await openWatch(s, `${base}?watch=true&labelSelector=tier%3Dx&fieldSelector=spec.color%3Dred&resourceVersion=${list.body.metadata.resourceVersion}`);
    try {
      await requestJson(s, 'PATCH', `${base}/b`, { spec: { color: 'red' } }, { 'content-type': 'application/merge-patch+json' });
      await requestJson(s, 'PATCH', `${base}/c`, { spec: { size: 5 } }, { 'content-type': 'application/merge-patch+json' });
      await requestJson(s, 'DELETE', `${base}/a`);
      await w.waitFor((e) => e.type === 'DELETED' && e.object.metadata.name === 'a');
      assert.deepEqual(w.events.map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'b'], ['DELETED', 'a']]);
    } finally {
      w.close();
    }

    // Strict field validation names unknown fields; Warn prunes them and says so.
    const strict = await requestJson(s, 'POST', `${base}?fieldValidation=Strict`, { apiVersion: `${group}/v1`, kind: 'Gadget', metadata: { name: 'd' }, spec: { colour: 'red' } });
    assert.equal(strict.status, 400);
    assert.equal(strict.body.message, 'strict decoding error: unknown field "spec.colour"');
    const warn = await requestJson(s, 'POST', base, { apiVersion: `${group}/v1`, kind: 'Gadget', metadata: { name: 'd' }, spec: { colour: 'red' } });
    assert.equal(warn.status, 201);
    assert.deepEqual(warn.body.spec, { size: 1 });
    assert.match(String(warn.headers['warning']), /unknown field \\"spec.colour\\"/);
  });

  test('cluster-scoped kinds', async () => {
    const group = 'cluster.example.com';
    assert.equal((await requestJson(s, 'POST', CRDS, gadgetCrd(group, 'Cluster'))).status, 201);
    await waitFor('served', async () => (await requestJson(s, 'GET', `/apis/${group}/v1`)).status === 200);
    const r = await requestJson(s, 'POST', `/apis/${group}/v1/gadgets`, { apiVersion: `${group}/v1`, kind: 'Gadget', metadata: { name: 'g1', namespace: 'ignored' }, spec: {} });
    assert.equal(r.status, 201, r.raw);
    assert.equal(r.body.metadata.namespace, undefined);
    assert.equal((await requestJson(s, 'GET', `/apis/${group}/v1/namespaces/default/gadgets/g1`)).status, 404);
    assert.equal((await requestJson(s, 'GET', `/apis/${group}/v1/gadgets/g1`)).status, 200);
    assert.equal((await requestJson(s, 'GET', `/apis/${group}/v1`)).body.resources[0].namespaced, false);
  });

  test('several versions share the storage version; conversion None rewrites apiVersion', async () => {
    const group = 'multi.example.com';
    const crd = gadgetCrd(group, 'Namespaced', [
      { name: 'v1beta1', served: true, storage: false },
      { name: 'v1', served: true, storage: true },
      { name: 'v1alpha1', served: false, storage: false },
    ]);
    assert.equal((await requestJson(s, 'POST', CRDS, crd)).status, 201);
    await waitFor('served', async () => (await requestJson(s, 'GET', `/apis/${group}/v1beta1`)).status === 200);
    assert.equal((await requestJson(s, 'GET', `/apis/${group}/v1alpha1`)).status, 404);
    assert.deepEqual((await requestJson(s, 'GET', `/apis/${group}`)).body.versions.map((v: any) => v.version), ['v1', 'v1beta1']);

    const created = await requestJson(s, 'POST', `/apis/${group}/v1beta1/namespaces/default/gadgets`, { apiVersion: `${group}/v1beta1`, kind: 'Gadget', metadata: { name: 'm' }, spec: { color: 'red' } });
    assert.equal(created.status, 201, created.raw);
    assert.equal(created.body.apiVersion, `${group}/v1beta1`);
    const v1 = await requestJson(s, 'GET', `/apis/${group}/v1/namespaces/default/gadgets/m`);
    assert.equal(v1.body.apiVersion, `${group}/v1`);
    assert.equal(v1.body.metadata.resourceVersion, created.body.metadata.resourceVersion);
    const list = await requestJson(s, 'GET', `/apis/${group}/v1beta1/gadgets`);
    assert.deepEqual(list.body.items.map((i: any) => i.apiVersion), [`${group}/v1beta1`]);
    assert.equal(list.body.apiVersion, `${group}/v1beta1`);
    const updated = await requestJson(s, 'PUT', `/apis/${group}/v1/namespaces/default/gadgets/m`, { ...v1.body, spec: { color: 'blue', size: 2 } });
    assert.equal(updated.status, 200, updated.raw);
    assert.equal(updated.body.metadata.generation, 2);
    const crdNow = (await requestJson(s, 'GET', `${CRDS}/gadgets.${group}`)).body;
    assert.deepEqual(crdNow.status.storedVersions, ['v1']);
    // A version of another group/kind in the body is refused.
    const wrong = await requestJson(s, 'POST', `/apis/${group}/v1/namespaces/default/gadgets`, { apiVersion: `${group}/v1beta1`, kind: 'Gadget', metadata: { name: 'n' } });
    assert.equal(wrong.status, 400);
  });

  test('webhook conversion is refused clearly', async () => {
    const crd = gadgetCrd('hook.example.com', 'Namespaced') as any;
    crd.spec.conversion = { strategy: 'Webhook', webhook: { conversionReviewVersions: ['v1'], clientConfig: { url: 'https://converter.example.com/convert' } } };
    const r = await requestJson(s, 'POST', CRDS, crd);
    assert.equal(r.status, 422);
    assert.match(r.body.message, /spec\.conversion\.strategy: Forbidden: conversion webhooks are not supported by this server/);
  });

  test('watches of a kind end when its CRD is deleted', async () => {
    const group = 'ends.example.com';
    assert.equal((await requestJson(s, 'POST', CRDS, gadgetCrd(group, 'Namespaced'))).status, 201);
    await waitFor('served', async () => (await requestJson(s, 'GET', `/apis/${group}/v1`)).status === 200);
    await requestJson(s, 'POST', `/apis/${group}/v1/namespaces/default/gadgets`, { apiVersion: `${group}/v1`, kind: 'Gadget', metadata: { name: 'x' }, spec: {} });
    const w = await openWatch(s, `/apis/${group}/v1/gadgets?watch=true`);
    try {
      await w.waitFor((e) => e.type === 'ADDED');
      assert.equal((await requestJson(s, 'DELETE', `${CRDS}/gadgets.${group}`)).status, 200);
      await w.waitFor((e) => e.type === 'DELETED' && e.object.metadata.name === 'x');
      await Promise.race([w.ended, new Promise((_, reject) => setTimeout(() => reject(new Error('the watch did not end')), 5000))]);
    } finally {
      w.close();
    }
    await waitFor('CRD gone', async () => (await requestJson(s, 'GET', `${CRDS}/gadgets.${group}`)).status === 404);
    assert.equal((await requestJson(s, 'GET', `/apis/${group}/v1`)).status, 404);
  });
});
