// Kubernetes API semantics over raw HTTP: object metadata the server owns, generation and the
// status subresource, finalizers and graceful deletion, immutable fields, dry runs, list paging
// and consistency, selectors, watches (resume, bookmarks, timeouts, Tables) and the Service
// ClusterIP/NodePort allocators.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openWatch, requestJson, startStrata, type JsonResponse, type StrataProcess, type WatchEvent } from './harness.ts';

let proc: StrataProcess & { cleanup(): Promise<void> };

const NS = 'sem';
const CMS = `/api/v1/namespaces/${NS}/configmaps`;
const PODS = `/api/v1/namespaces/${NS}/pods`;
const SVCS = `/api/v1/namespaces/${NS}/services`;
const DEPLOYS = `/apis/apps/v1/namespaces/${NS}/deployments`;
const JOBS = `/apis/batch/v1/namespaces/${NS}/jobs`;
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';
const MERGE = { 'content-type': 'application/merge-patch+json' };
const JSON_PATCH = { 'content-type': 'application/json-patch+json' };

before(async () => {
  proc = await startStrata(['--disable-controllers', '--disable-scheduler']); // API and printing semantics on objects as written: no controller or scheduler may change them
  const ns = await requestJson(proc, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  assert.equal(ns.status, 201, ns.raw);
});

after(async () => {
  await proc?.cleanup();
});

function ok(res: JsonResponse, code = 200): any {
  assert.equal(res.status, code, `expected ${code}, got ${res.status}: ${res.raw.slice(0, 600)}`);
  return res.body;
}

function failed(res: JsonResponse, code: number, reason: string): any {
  assert.equal(res.status, code, `expected ${code}, got ${res.status}: ${res.raw.slice(0, 600)}`);
  assert.equal(res.body?.kind, 'Status');
  assert.equal(res.body.status, 'Failure');
  assert.equal(res.body.code, code);
  assert.equal(res.body.reason, reason);
  return res.body;
}

const get = (path: string): Promise<JsonResponse> => requestJson(proc, 'GET', path);
const post = (path: string, body: unknown): Promise<JsonResponse> => requestJson(proc, 'POST', path, body);
const put = (path: string, body: unknown): Promise<JsonResponse> => requestJson(proc, 'PUT', path, body);
const patch = (path: string, body: unknown, headers: Record<string, string> = MERGE): Promise<JsonResponse> => requestJson(proc, 'PATCH', path, body, headers);
const del = (path: string, body?: unknown): Promise<JsonResponse> => requestJson(proc, 'DELETE', path, body);

function configMap(name: string, labels: Record<string, string> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data: { k: 'v' }, ...extra };
}

function deployment(name: string): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: 'nginx:1.27' }] } },
    },
  };
}

function pod(name: string, nodeName?: string, labels: Record<string, string> = {}): Record<string, unknown> {
  const spec: Record<string, unknown> = { containers: [{ name: 'main', image: 'busybox:1.36', command: ['sleep', '3600'] }] };
  if (nodeName) spec['nodeName'] = nodeName;
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec };
}

function service(name: string, spec: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }], ...spec } };
}

const names = (list: any): string[] => list.items.map((i: any) => i.metadata.name).sort();

// ---- server-owned metadata ----

describe('object metadata', () => {
  test('generateName, uid, creationTimestamp and resourceVersion are set by the server', async () => {
    const before = Date.now();
    const a = ok(await post(CMS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-', uid: 'client-chosen', creationTimestamp: '2001-01-01T00:00:00Z' } }), 201);
    const b = ok(await post(CMS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' } }), 201);
    for (const obj of [a, b]) {
      assert.match(obj.metadata.name, /^gen-[a-z0-9]{5}$/);
      assert.match(obj.metadata.uid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.match(obj.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      const created = Date.parse(obj.metadata.creationTimestamp);
      assert.ok(created >= Math.floor(before / 1000) * 1000 - 1000 && created <= Date.now() + 1000, 'creationTimestamp is now, not what the client sent');
      assert.match(obj.metadata.resourceVersion, /^\d+$/);
      assert.equal(obj.metadata.generateName, 'gen-');
    }
    assert.notEqual(a.metadata.name, b.metadata.name);
    assert.notEqual(a.metadata.uid, b.metadata.uid);
    assert.notEqual(a.metadata.uid, 'client-chosen');
    const stored = ok(await get(`${CMS}/${a.metadata.name}`));
    assert.equal(stored.metadata.uid, a.metadata.uid);
    assert.equal(stored.metadata.resourceVersion, a.metadata.resourceVersion);
  });

  test('a long generateName is cut so the generated name has at most 63 characters', async () => {
    const prefix = 'g'.repeat(100);
    const obj = ok(await post(CMS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: prefix } }), 201);
    assert.equal(obj.metadata.name.length, 63);
    assert.ok(obj.metadata.name.startsWith('g'.repeat(58)));
    assert.equal(obj.metadata.generateName, prefix);
  });

  test('keys named like Object.prototype members are ordinary data', async () => {
    const body = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"proto-keys","labels":{"constructor":"x"}},"data":{"__proto__":"a","constructor":"b","toString":"c","hasOwnProperty":"d"}}';
    const created = ok(await requestJson(proc, 'POST', CMS, body), 201);
    const stored = ok(await get(`${CMS}/proto-keys`));
    for (const obj of [created, stored]) {
      assert.deepEqual(Object.keys(obj.data).sort(), ['__proto__', 'constructor', 'hasOwnProperty', 'toString']);
      assert.equal(Object.getOwnPropertyDescriptor(obj.data, '__proto__')?.value, 'a');
      assert.equal(obj.data.constructor, 'b');
    }
    ok(await requestJson(proc, 'PATCH', `${CMS}/proto-keys`, '{"data":{"__proto__":"a2","polluted":"no"}}', MERGE));
    const patched = ok(await get(`${CMS}/proto-keys`));
    assert.equal(Object.getOwnPropertyDescriptor(patched.data, '__proto__')?.value, 'a2');
    assert.equal(patched.data.polluted, 'no');
    // Nothing leaked onto shared prototypes: a selector on an unset label matches nothing.
    assert.deepEqual(names(ok(await get(`${CMS}?labelSelector=polluted%3Dno`))), []);
    assert.deepEqual(names(ok(await get(`${CMS}?labelSelector=constructor%3Dx`))), ['proto-keys']);
  });

  test('an update cannot change uid or creationTimestamp', async () => {
    const cm = ok(await post(CMS, configMap('meta-fixed')), 201);
    const edited = structuredClone(cm);
    edited.metadata.creationTimestamp = '2001-01-01T00:00:00Z';
    edited.data.k = 'v2';
    const updated = ok(await put(`${CMS}/meta-fixed`, edited));
    assert.equal(updated.metadata.creationTimestamp, cm.metadata.creationTimestamp);
    assert.equal(updated.metadata.uid, cm.metadata.uid);
    assert.ok(Number(updated.metadata.resourceVersion) > Number(cm.metadata.resourceVersion));
  });
});

// ---- generation and status ----

describe('generation and the status subresource', () => {
  const path = `${DEPLOYS}/gen`;
  test('generation starts at 1 and bumps only on spec changes', async () => {
    const d = ok(await post(DEPLOYS, deployment('gen')), 201);
    assert.equal(d.metadata.generation, 1);
    const labelled = ok(await patch(path, { metadata: { labels: { extra: 'yes' }, annotations: { note: 'x' } } }));
    assert.equal(labelled.metadata.generation, 1, 'a metadata-only change keeps the generation');
    assert.ok(Number(labelled.metadata.resourceVersion) > Number(d.metadata.resourceVersion));
    const scaled = ok(await patch(path, { spec: { replicas: 3 } }));
    assert.equal(scaled.metadata.generation, 2);
    const same = ok(await patch(path, { spec: { replicas: 3 } }));
    assert.equal(same.metadata.generation, 2, 'a no-op spec patch keeps the generation');
    assert.equal(same.metadata.resourceVersion, scaled.metadata.resourceVersion, 'a no-op write does not bump the resourceVersion');
  });

  test('a status update keeps the generation and ignores spec changes', async () => {
    const current = ok(await get(path));
    const body = structuredClone(current);
    body.status = { observedGeneration: current.metadata.generation, replicas: 5, readyReplicas: 4 };
    body.spec.replicas = 9;
    const written = ok(await put(`${path}/status`, body));
    assert.equal(written.status.replicas, 5);
    assert.equal(written.status.readyReplicas, 4);
    assert.equal(written.spec.replicas, 3, 'the status subresource ignores spec');
    assert.equal(written.metadata.generation, current.metadata.generation);
    const stored = ok(await get(path));
    assert.equal(stored.spec.replicas, 3);
    assert.equal(stored.status.replicas, 5);
    const viaPatch = ok(await patch(`${path}/status`, { status: { availableReplicas: 2 }, spec: { replicas: 7 } }));
    assert.equal(viaPatch.status.availableReplicas, 2);
    assert.equal(viaPatch.spec.replicas, 3);
    assert.equal(viaPatch.metadata.generation, current.metadata.generation);
  });

  test('a main-resource update ignores status changes', async () => {
    const current = ok(await get(path));
    const body = structuredClone(current);
    body.status = { replicas: 100 };
    body.metadata.labels.touched = 'yes';
    const written = ok(await put(path, body));
    assert.equal(written.status.replicas, 5, 'status is kept from storage');
    assert.equal(written.metadata.labels.touched, 'yes');
    const patched = ok(await patch(path, { status: { replicas: 42 } }));
    assert.equal(patched.status.replicas, 5);
  });

  test('status on create is dropped for kinds with a status subresource', async () => {
    const body = deployment('gen-status');
    body['status'] = { replicas: 77 };
    const d = ok(await post(DEPLOYS, body), 201);
    assert.notEqual(d.status?.replicas, 77);
  });
});

// ---- deletion ----

describe('finalizers, preconditions and propagation', () => {
  test('DELETE keeps an object with finalizers until they are removed', async () => {
    ok(await post(CMS, configMap('held', {}, { metadata: { name: 'held', finalizers: ['example.com/hold'] } })), 201);
    const deleting = ok(await del(`${CMS}/held`));
    assert.equal(deleting.kind, 'ConfigMap', 'a pending deletion answers with the object');
    assert.ok(deleting.metadata.deletionTimestamp, 'deletionTimestamp is set');
    assert.equal(deleting.metadata.deletionGracePeriodSeconds, 0);
    const still = ok(await get(`${CMS}/held`));
    assert.equal(still.metadata.deletionTimestamp, deleting.metadata.deletionTimestamp);
    assert.deepEqual(still.metadata.finalizers, ['example.com/hold']);
    // Deleting again changes nothing.
    const again = ok(await del(`${CMS}/held`));
    assert.equal(again.metadata.deletionTimestamp, deleting.metadata.deletionTimestamp);
    // No new finalizers while terminating.
    const added = await patch(`${CMS}/held`, { metadata: { finalizers: ['example.com/hold', 'example.com/more'] } });
    failed(added, 422, 'Invalid');
    // Other edits still work.
    ok(await patch(`${CMS}/held`, { data: { k: 'edited' } }));
    const released = await patch(`${CMS}/held`, { metadata: { finalizers: null } });
    ok(released);
    failed(await get(`${CMS}/held`), 404, 'NotFound');
  });

  test('the finalizer can also be removed with a JSON patch', async () => {
    ok(await post(CMS, configMap('held2', {}, { metadata: { name: 'held2', finalizers: ['a.example.com/x', 'b.example.com/y'] } })), 201);
    ok(await del(`${CMS}/held2`));
    ok(await patch(`${CMS}/held2`, [{ op: 'remove', path: '/metadata/finalizers/0' }], JSON_PATCH));
    const one = ok(await get(`${CMS}/held2`));
    assert.deepEqual(one.metadata.finalizers, ['b.example.com/y']);
    ok(await patch(`${CMS}/held2`, [{ op: 'remove', path: '/metadata/finalizers/0' }], JSON_PATCH));
    failed(await get(`${CMS}/held2`), 404, 'NotFound');
  });

  test('DeleteOptions preconditions: a uid or resourceVersion mismatch is a 409 and nothing is deleted', async () => {
    const cm = ok(await post(CMS, configMap('pre')), 201);
    const wrongUid = await del(`${CMS}/pre`, { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: '00000000-0000-4000-8000-000000000000' } });
    const s = failed(wrongUid, 409, 'Conflict');
    assert.match(s.message, /Precondition failed: UID in precondition/);
    const wrongRv = await del(`${CMS}/pre`, { preconditions: { resourceVersion: '1' } });
    failed(wrongRv, 409, 'Conflict');
    assert.equal(ok(await get(`${CMS}/pre`)).metadata.uid, cm.metadata.uid);
    const done = ok(await del(`${CMS}/pre`, { preconditions: { uid: cm.metadata.uid, resourceVersion: cm.metadata.resourceVersion } }));
    assert.equal(done.kind, 'Status');
    assert.equal(done.status, 'Success');
    assert.equal(done.details.uid, cm.metadata.uid);
    failed(await get(`${CMS}/pre`), 404, 'NotFound');
  });

  test('propagationPolicy=Orphan adds the orphan finalizer; Foreground adds foregroundDeletion', async () => {
    ok(await post(DEPLOYS, deployment('orphaned')), 201);
    const deleting = ok(await del(`${DEPLOYS}/orphaned`, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Orphan' }));
    assert.ok(deleting.metadata.deletionTimestamp);
    assert.ok(deleting.metadata.finalizers.includes('orphan'), JSON.stringify(deleting.metadata.finalizers));
    const stored = ok(await get(`${DEPLOYS}/orphaned`));
    assert.ok(stored.metadata.finalizers.includes('orphan'));
    ok(await patch(`${DEPLOYS}/orphaned`, { metadata: { finalizers: null } }));
    failed(await get(`${DEPLOYS}/orphaned`), 404, 'NotFound');

    ok(await post(DEPLOYS, deployment('foreground')), 201);
    const fg = ok(await requestJson(proc, 'DELETE', `${DEPLOYS}/foreground?propagationPolicy=Foreground`));
    assert.ok(fg.metadata.finalizers.includes('foregroundDeletion'));
    ok(await patch(`${DEPLOYS}/foreground`, { metadata: { finalizers: null } }));
    failed(await get(`${DEPLOYS}/foreground`), 404, 'NotFound');
  });

  test('a scheduled pod is deleted gracefully; an unscheduled pod goes at once', async () => {
    ok(await post(PODS, pod('bound', 'node-a')), 201);
    const deleting = ok(await del(`${PODS}/bound`));
    assert.equal(deleting.kind, 'Pod');
    assert.ok(deleting.metadata.deletionTimestamp, 'deletionTimestamp is set');
    assert.equal(deleting.metadata.deletionGracePeriodSeconds, 30, 'the default terminationGracePeriodSeconds');
    const lingering = ok(await get(`${PODS}/bound`));
    assert.equal(lingering.metadata.deletionGracePeriodSeconds, 30);
    // A shorter grace period shortens the pending deletion; a longer one does not extend it.
    const shorter = ok(await requestJson(proc, 'DELETE', `${PODS}/bound?gracePeriodSeconds=5`));
    assert.equal(shorter.metadata.deletionGracePeriodSeconds, 5);
    assert.ok(Date.parse(shorter.metadata.deletionTimestamp) <= Date.parse(deleting.metadata.deletionTimestamp));
    const longer = ok(await del(`${PODS}/bound`, { gracePeriodSeconds: 60 }));
    assert.equal(longer.metadata.deletionGracePeriodSeconds, 5);
    // Grace period 0 (what a node agent sends once the containers are gone) removes it.
    ok(await del(`${PODS}/bound`, { gracePeriodSeconds: 0 }));
    failed(await get(`${PODS}/bound`), 404, 'NotFound');

    ok(await post(PODS, pod('unbound')), 201);
    const gone = ok(await del(`${PODS}/unbound`));
    assert.equal(gone.metadata.name, 'unbound');
    failed(await get(`${PODS}/unbound`), 404, 'NotFound');
  });
});

// ---- immutability ----

describe('immutable fields', () => {
  test('a Service clusterIP cannot change', async () => {
    const svc = ok(await post(SVCS, service('fixed-ip')), 201);
    const body = structuredClone(svc);
    const [a, b, c, d] = svc.spec.clusterIP.split('.').map(Number);
    body.spec.clusterIP = `${a}.${b}.${c === 250 ? 251 : 250}.${d}`;
    body.spec.clusterIPs = [body.spec.clusterIP];
    const res = await put(`${SVCS}/fixed-ip`, body);
    const s = failed(res, 422, 'Invalid');
    assert.ok(s.details.causes.some((x: any) => String(x.field).startsWith('spec.clusterIP')), JSON.stringify(s.details.causes));
    assert.equal(ok(await get(`${SVCS}/fixed-ip`)).spec.clusterIP, svc.spec.clusterIP);
    // The rejected IP was not left allocated: it can be used by another Service.
    ok(await post(SVCS, service('takes-rejected', { clusterIP: body.spec.clusterIP })), 201);
  });

  test('an immutable ConfigMap rejects data changes and cannot become mutable', async () => {
    ok(await post(CMS, configMap('frozen', {}, { immutable: true })), 201);
    const changed = await patch(`${CMS}/frozen`, { data: { k: 'changed' } });
    const s = failed(changed, 422, 'Invalid');
    assert.ok(s.details.causes.some((x: any) => String(x.field) === 'data'), JSON.stringify(s.details.causes));
    failed(await patch(`${CMS}/frozen`, { immutable: false }), 422, 'Invalid');
    // Metadata may still change.
    ok(await patch(`${CMS}/frozen`, { metadata: { labels: { still: 'editable' } } }));
    assert.equal(ok(await get(`${CMS}/frozen`)).data.k, 'v');
  });

  test('a Job selector cannot change', async () => {
    const job = ok(
      await post(JOBS, {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'once' },
        spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.36' }] } } },
      }),
      201,
    );
    assert.ok(job.spec.selector?.matchLabels, 'the server generates a selector');
    const res = await patch(`${JOBS}/once`, { spec: { selector: { matchLabels: { other: 'x' } } } });
    const s = failed(res, 422, 'Invalid');
    assert.ok(s.details.causes.some((x: any) => String(x.field).startsWith('spec.selector')), JSON.stringify(s.details.causes));
  });
});

// ---- scale ----

describe('the scale subresource', () => {
  const path = `${DEPLOYS}/scaled`;
  test('reads and writes spec.replicas through autoscaling/v1 Scale', async () => {
    const d = ok(await post(DEPLOYS, deployment('scaled')), 201);
    const scale = ok(await get(`${path}/scale`));
    assert.equal(scale.kind, 'Scale');
    assert.equal(scale.apiVersion, 'autoscaling/v1');
    assert.equal(scale.spec.replicas, 2);
    assert.equal(scale.metadata.uid, d.metadata.uid);
    assert.equal(scale.metadata.resourceVersion, d.metadata.resourceVersion);
    assert.equal(scale.status.selector, 'app=scaled');
    const put4 = ok(await put(`${path}/scale`, { ...scale, spec: { replicas: 4 } }));
    assert.equal(put4.spec.replicas, 4);
    const patched = ok(await patch(`${path}/scale`, { spec: { replicas: 5 } }));
    assert.equal(patched.spec.replicas, 5);
    const now = ok(await get(path));
    assert.equal(now.spec.replicas, 5);
    assert.equal(now.metadata.generation, 3, 'each replica change is a spec change');
    // A stale resourceVersion on the Scale is a conflict; a negative count is invalid.
    failed(await put(`${path}/scale`, { ...scale, spec: { replicas: 6 } }), 409, 'Conflict');
    const negative = failed(await patch(`${path}/scale`, { spec: { replicas: -1 } }), 422, 'Invalid');
    assert.equal(negative.details.causes[0].field, 'spec.replicas');
    failed(await patch(`${path}/scale`, { spec: { replicas: 'many' } }), 400, 'BadRequest');
    assert.equal(ok(await get(path)).spec.replicas, 5);
  });
});

// ---- dry run ----

describe('dryRun=All', () => {
  test('create, update, patch and delete change nothing', async () => {
    const created = ok(await post(`${CMS}?dryRun=All`, configMap('dry')), 201);
    assert.equal(created.metadata.name, 'dry');
    failed(await get(`${CMS}/dry`), 404, 'NotFound');

    const real = ok(await post(CMS, configMap('dry-real')), 201);
    const body = structuredClone(real);
    body.data.k = 'changed';
    const updated = ok(await requestJson(proc, 'PUT', `${CMS}/dry-real?dryRun=All`, body));
    assert.equal(updated.data.k, 'changed', 'the answer shows the would-be result');
    ok(await requestJson(proc, 'PATCH', `${CMS}/dry-real?dryRun=All`, { data: { k: 'patched' } }, MERGE));
    const deleted = await requestJson(proc, 'DELETE', `${CMS}/dry-real?dryRun=All`);
    ok(deleted);
    const deletedViaBody = await del(`${CMS}/dry-real`, { dryRun: ['All'] });
    ok(deletedViaBody);
    const stored = ok(await get(`${CMS}/dry-real`));
    assert.equal(stored.data.k, 'v');
    assert.equal(stored.metadata.resourceVersion, real.metadata.resourceVersion);
  });

  test('a dry-run Service create allocates no ClusterIP or NodePort', async () => {
    const dry = ok(await post(`${SVCS}?dryRun=All`, service('dry-np', { type: 'NodePort', ports: [{ port: 80, nodePort: 31999 }] })), 201);
    assert.equal(dry.spec.ports[0].nodePort, 31999);
    failed(await get(`${SVCS}/dry-np`), 404, 'NotFound');
    ok(await post(SVCS, service('real-np', { type: 'NodePort', ports: [{ port: 80, nodePort: 31999 }] })), 201);
  });
});

// ---- lists ----

describe('lists', () => {
  test('limit and continue page through a consistent snapshot', async () => {
    const created: string[] = [];
    for (let i = 0; i < 7; i++) {
      const name = `page-${i}`;
      ok(await post(CMS, configMap(name, { paging: 'yes' })), 201);
      created.push(name);
    }
    const sel = `labelSelector=${encodeURIComponent('paging=yes')}`;
    const first = ok(await get(`${CMS}?${sel}&limit=3`));
    assert.equal(first.kind, 'ConfigMapList');
    assert.equal(first.items.length, 3);
    assert.ok(first.metadata.continue, 'a continue token');
    assert.equal(first.metadata.remainingItemCount, 4);
    // A write between pages must not show up in later pages of the same list.
    ok(await post(CMS, configMap('page-9', { paging: 'yes' })), 201);
    ok(await del(`${CMS}/page-5`));
    const second = ok(await get(`${CMS}?${sel}&limit=3&continue=${encodeURIComponent(first.metadata.continue)}`));
    assert.equal(second.items.length, 3);
    assert.equal(second.metadata.resourceVersion, first.metadata.resourceVersion, 'every page is served at the first page\'s resourceVersion');
    assert.ok(second.metadata.continue);
    const third = ok(await get(`${CMS}?${sel}&limit=3&continue=${encodeURIComponent(second.metadata.continue)}`));
    assert.equal(third.items.length, 1);
    assert.equal(third.metadata.continue, undefined, 'the last page has no continue token');
    const all = [...first.items, ...second.items, ...third.items].map((i: any) => i.metadata.name);
    assert.deepEqual(all, [...created].sort(), 'pages are in key order, without duplicates, as of the first page');
    assert.deepEqual(names(ok(await get(`${CMS}?${sel}`))), ['page-0', 'page-1', 'page-2', 'page-3', 'page-4', 'page-6', 'page-9']);
  });

  test('resourceVersionMatch=Exact lists the state at that resourceVersion', async () => {
    const sel = `labelSelector=${encodeURIComponent('exact=yes')}`;
    ok(await post(CMS, configMap('exact-a', { exact: 'yes' })), 201);
    const before = ok(await get(`${CMS}?${sel}`));
    ok(await post(CMS, configMap('exact-b', { exact: 'yes' })), 201);
    ok(await patch(`${CMS}/exact-a`, { data: { k: 'later' } }));
    const exact = ok(await get(`${CMS}?${sel}&resourceVersion=${before.metadata.resourceVersion}&resourceVersionMatch=Exact`));
    assert.deepEqual(names(exact), ['exact-a']);
    assert.equal(exact.items[0].data.k, 'v', 'the object as it was then');
    assert.equal(exact.metadata.resourceVersion, before.metadata.resourceVersion);
    const notOlder = ok(await get(`${CMS}?${sel}&resourceVersion=${before.metadata.resourceVersion}&resourceVersionMatch=NotOlderThan`));
    assert.deepEqual(names(notOlder), ['exact-a', 'exact-b']);
    assert.ok(Number(notOlder.metadata.resourceVersion) > Number(before.metadata.resourceVersion));
  });

  test('set-based label selectors', async () => {
    ok(await post(CMS, configMap('sel-a', { env: 'a', sel: 'yes' })), 201);
    ok(await post(CMS, configMap('sel-b', { env: 'b', sel: 'yes' })), 201);
    ok(await post(CMS, configMap('sel-c', { env: 'c', sel: 'yes' })), 201);
    ok(await post(CMS, configMap('sel-ax', { env: 'a', x: '1', sel: 'yes' })), 201);
    ok(await post(CMS, configMap('sel-none', { sel: 'yes' })), 201);
    const q = async (s: string): Promise<string[]> => names(ok(await get(`${CMS}?labelSelector=${encodeURIComponent(`sel=yes,${s}`)}`)));
    assert.deepEqual(await q('env in (a,b)'), ['sel-a', 'sel-ax', 'sel-b']);
    assert.deepEqual(await q('!x'), ['sel-a', 'sel-b', 'sel-c', 'sel-none']);
    assert.deepEqual(await q('x'), ['sel-ax']);
    assert.deepEqual(await q('env notin (a)'), ['sel-b', 'sel-c', 'sel-none']);
    assert.deepEqual(await q('env!=a'), ['sel-b', 'sel-c', 'sel-none']);
    assert.deepEqual(await q('env in (a,b),!x'), ['sel-a', 'sel-b']);
    assert.deepEqual(await q('env'), ['sel-a', 'sel-ax', 'sel-b', 'sel-c']);
  });

  test('field selectors: metadata.name, spec.nodeName, status.phase', async () => {
    assert.deepEqual(names(ok(await get(`${CMS}?fieldSelector=${encodeURIComponent('metadata.name=sel-b')}`))), ['sel-b']);
    const notB = names(ok(await get(`${CMS}?labelSelector=sel%3Dyes&fieldSelector=${encodeURIComponent('metadata.name!=sel-b')}`)));
    assert.deepEqual(notB, ['sel-a', 'sel-ax', 'sel-c', 'sel-none']);
    ok(await post(PODS, pod('fs-on-a', 'node-a', { fs: 'yes' })), 201);
    ok(await post(PODS, pod('fs-on-b', 'node-b', { fs: 'yes' })), 201);
    ok(await post(PODS, pod('fs-pending', undefined, { fs: 'yes' })), 201);
    const onA = names(ok(await get(`/api/v1/pods?fieldSelector=${encodeURIComponent('spec.nodeName=node-a')}`)));
    assert.deepEqual(onA, ['fs-on-a']);
    const unscheduled = names(ok(await get(`${PODS}?labelSelector=fs%3Dyes&fieldSelector=${encodeURIComponent('spec.nodeName=')}`)));
    assert.deepEqual(unscheduled, ['fs-pending']);
    const pending = names(ok(await get(`${PODS}?labelSelector=fs%3Dyes&fieldSelector=${encodeURIComponent('status.phase=Pending')}`)));
    assert.deepEqual(pending, ['fs-on-a', 'fs-on-b', 'fs-pending']);
    const running = names(ok(await get(`${PODS}?labelSelector=fs%3Dyes&fieldSelector=${encodeURIComponent('status.phase=Running')}`)));
    assert.deepEqual(running, []);
    const both = names(ok(await get(`${PODS}?fieldSelector=${encodeURIComponent('spec.nodeName=node-b,status.phase=Pending')}`)));
    assert.deepEqual(both, ['fs-on-b']);
    const active = names(ok(await get(`/api/v1/namespaces?fieldSelector=${encodeURIComponent('status.phase=Active')}`)));
    assert.ok(active.includes(NS) && active.includes('default'), JSON.stringify(active));
    for (const p of ['fs-on-a', 'fs-on-b']) ok(await del(`${PODS}/${p}`, { gracePeriodSeconds: 0 }));
  });
});

// ---- watch ----

const watchPath = (query: string): string => `${CMS}?watch=true&${query}`;
const forName = (name: string) => (e: WatchEvent): boolean => e.object?.metadata?.name === name;

describe('watch', () => {
  test('events arrive as chunked JSON lines in order', async () => {
    const list = ok(await get(`${CMS}?labelSelector=w%3D1`));
    const w = await openWatch(proc, watchPath(`labelSelector=w%3D1&resourceVersion=${list.metadata.resourceVersion}`));
    try {
      assert.equal(w.status, 200);
      assert.equal(w.headers['transfer-encoding'], 'chunked');
      assert.match(String(w.headers['content-type']), /^application\/json/);
      const created = ok(await post(CMS, configMap('w-obj', { w: '1' })), 201);
      const added = await w.waitFor(forName('w-obj'));
      assert.equal(added.type, 'ADDED');
      assert.equal(added.object.kind, 'ConfigMap');
      assert.equal(added.object.apiVersion, 'v1');
      assert.equal(added.object.metadata.resourceVersion, created.metadata.resourceVersion);
      const modified = ok(await patch(`${CMS}/w-obj`, { data: { k: 'v2' } }));
      const m = await w.waitFor((e) => e.type === 'MODIFIED');
      assert.equal(m.object.data.k, 'v2');
      assert.equal(m.object.metadata.resourceVersion, modified.metadata.resourceVersion);
      // Labels that stop matching turn into a DELETED event for this watcher.
      ok(await patch(`${CMS}/w-obj`, { metadata: { labels: { w: '2' } } }));
      const left = await w.waitFor((e) => e.type === 'DELETED');
      assert.equal(left.object.metadata.name, 'w-obj');
      ok(await post(CMS, configMap('w-other', { w: '2' })), 201);
      ok(await post(CMS, configMap('w-last', { w: '1' })), 201);
      await w.waitFor(forName('w-last'));
      assert.deepEqual(w.events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED w-obj', 'MODIFIED w-obj', 'DELETED w-obj', 'ADDED w-last']);
      const rvs = w.events.map((e) => Number(e.object.metadata.resourceVersion));
      for (let i = 1; i < rvs.length; i++) assert.ok(rvs[i]! > rvs[i - 1]!, `resourceVersions increase: ${rvs}`);
    } finally {
      w.close();
    }
  });

  test('a watch resumed from a resourceVersion returns exactly the later events', async () => {
    const sel = 'labelSelector=resume%3D1';
    const start = ok(await get(`${CMS}?${sel}`)).metadata.resourceVersion;
    const a = ok(await post(CMS, configMap('resume-a', { resume: '1' })), 201);
    const b = ok(await patch(`${CMS}/resume-a`, { data: { k: 'v2' } }));
    // Same label in another namespace: a namespaced watch must not see it.
    ok(await post('/api/v1/namespaces/default/configmaps', configMap('resume-elsewhere', { resume: '1' })), 201);
    const c = ok(await post(CMS, configMap('resume-b', { resume: '1' })), 201);
    ok(await del(`${CMS}/resume-a`));

    const fromStart = await openWatch(proc, watchPath(`${sel}&resourceVersion=${start}&timeoutSeconds=1`));
    await fromStart.ended;
    assert.deepEqual(
      fromStart.events.map((e) => [e.type, e.object.metadata.name]),
      [['ADDED', 'resume-a'], ['MODIFIED', 'resume-a'], ['ADDED', 'resume-b'], ['DELETED', 'resume-a']],
    );
    assert.equal(fromStart.events[0]!.object.metadata.resourceVersion, a.metadata.resourceVersion);
    assert.equal(fromStart.events[1]!.object.metadata.resourceVersion, b.metadata.resourceVersion);

    const fromB = await openWatch(proc, watchPath(`${sel}&resourceVersion=${b.metadata.resourceVersion}&timeoutSeconds=1`));
    await fromB.ended;
    assert.deepEqual(fromB.events.map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'resume-b'], ['DELETED', 'resume-a']]);
    assert.equal(fromB.events[0]!.object.metadata.resourceVersion, c.metadata.resourceVersion);

    // resourceVersion 0 (or none) starts with the current state as ADDED events.
    const fromNow = await openWatch(proc, watchPath(`${sel}&resourceVersion=0&timeoutSeconds=1`));
    await fromNow.ended;
    assert.deepEqual(fromNow.events.map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'resume-b']]);
  });

  test('a fieldSelector watch on one name sees its whole life, including a finalizer-held deletion', async () => {
    const rv = ok(await get(CMS)).metadata.resourceVersion;
    const w = await openWatch(proc, watchPath(`resourceVersion=${rv}&fieldSelector=${encodeURIComponent('metadata.name=lifecycle')}`));
    try {
      ok(await post(CMS, configMap('lifecycle-other')), 201);
      ok(await post(CMS, configMap('lifecycle', {}, { metadata: { name: 'lifecycle', finalizers: ['example.com/hold'] } })), 201);
      ok(await del(`${CMS}/lifecycle`));
      ok(await patch(`${CMS}/lifecycle`, { metadata: { finalizers: null } }));
      const deleted = await w.waitFor((e) => e.type === 'DELETED');
      // Removing the last finalizer deletes in the same write (upstream deleteWithoutFinalizers):
      // no MODIFIED without finalizers in between.
      assert.deepEqual(w.events.map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'lifecycle'], ['MODIFIED', 'lifecycle'], ['DELETED', 'lifecycle']]);
      assert.ok(w.events[1]!.object.metadata.deletionTimestamp, 'the deletion shows as a MODIFIED with deletionTimestamp');
      assert.ok(Number(deleted.object.metadata.resourceVersion) > Number(w.events[1]!.object.metadata.resourceVersion));
    } finally {
      w.close();
    }
  });

  test('410 Expired for a resourceVersion older than the watch window', { skip: 'the window is 5 minutes and compaction cannot be forced over the API; covered in restart.test.ts, where a restarted server\'s window starts at its start revision' }, () => {});

  test('with allowWatchBookmarks and timeoutSeconds=1 a BOOKMARK ends the stream', async () => {
    const rv = ok(await get(CMS)).metadata.resourceVersion;
    const started = Date.now();
    const w = await openWatch(proc, watchPath(`resourceVersion=${rv}&allowWatchBookmarks=true&timeoutSeconds=1&labelSelector=nothing%3Dhere`));
    await w.ended;
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 900 && elapsed < 5000, `the stream ended after ${elapsed} ms`);
    const bookmarks = w.events.filter((e) => e.type === 'BOOKMARK');
    assert.equal(bookmarks.length, 1, JSON.stringify(w.events));
    const bm = bookmarks[0]!.object;
    assert.equal(bm.kind, 'ConfigMap');
    assert.equal(bm.apiVersion, 'v1');
    assert.match(bm.metadata.resourceVersion, /^\d+$/);
    assert.ok(Number(bm.metadata.resourceVersion) >= Number(rv));
  });

  test('without allowWatchBookmarks no BOOKMARK is sent, and timeoutSeconds still ends the stream', async () => {
    const started = Date.now();
    const w = await openWatch(proc, watchPath('timeoutSeconds=1&labelSelector=nothing%3Dhere'));
    await w.ended;
    assert.ok(Date.now() - started < 5000);
    assert.deepEqual(w.events, []);
  });

  test('Table watch events carry one row each', async () => {
    const rv = ok(await get(CMS)).metadata.resourceVersion;
    const w = await openWatch(proc, watchPath(`resourceVersion=${rv}&labelSelector=tw%3D1`), { accept: `${TABLE},application/json` });
    try {
      ok(await post(CMS, configMap('tw-1', { tw: '1' })), 201);
      ok(await post(CMS, configMap('tw-2', { tw: '1' })), 201);
      const first = await w.waitFor(() => true);
      const second = await w.waitFor((e) => e !== first);
      for (const e of [first, second]) {
        assert.equal(e.type, 'ADDED');
        assert.equal(e.object.kind, 'Table');
        assert.equal(e.object.apiVersion, 'meta.k8s.io/v1');
        assert.equal(e.object.rows.length, 1);
        assert.equal(e.object.rows[0].object.kind, 'PartialObjectMetadata');
      }
      assert.ok(first.object.columnDefinitions.length > 0, 'the first event has the columns');
      assert.equal(first.object.columnDefinitions[0].name, 'Name');
      assert.equal(first.object.rows[0].cells[0], 'tw-1');
      assert.equal(second.object.rows[0].cells[0], 'tw-2');
    } finally {
      w.close();
    }
  });
});

describe('Tables', () => {
  test('list and get as Table', async () => {
    const table = ok(await requestJson(proc, 'GET', `${CMS}?labelSelector=sel%3Dyes`, undefined, { accept: `${TABLE},application/json` }));
    assert.equal(table.kind, 'Table');
    assert.equal(table.apiVersion, 'meta.k8s.io/v1');
    assert.match(table.metadata.resourceVersion, /^\d+$/);
    assert.equal(table.columnDefinitions[0].name, 'Name');
    for (const c of table.columnDefinitions) {
      assert.equal(typeof c.type, 'string');
      assert.equal(typeof c.priority, 'number');
    }
    assert.deepEqual(table.rows.map((r: any) => r.cells[0]).sort(), ['sel-a', 'sel-ax', 'sel-b', 'sel-c', 'sel-none']);
    for (const r of table.rows) {
      assert.equal(r.cells.length, table.columnDefinitions.length);
      assert.equal(r.object.kind, 'PartialObjectMetadata');
      assert.equal(r.object.metadata.namespace, NS);
      assert.equal(r.object.metadata.labels.sel, 'yes');
    }
    const full = ok(await requestJson(proc, 'GET', `${CMS}?labelSelector=sel%3Dyes&includeObject=Object`, undefined, { accept: TABLE }));
    assert.equal(full.rows[0].object.kind, 'ConfigMap');
    assert.ok(full.rows[0].object.data);
    const none = ok(await requestJson(proc, 'GET', `${CMS}?labelSelector=sel%3Dyes&includeObject=None`, undefined, { accept: TABLE }));
    assert.equal(none.rows[0].object, undefined);
    const one = ok(await requestJson(proc, 'GET', `${CMS}/sel-a`, undefined, { accept: TABLE }));
    assert.equal(one.kind, 'Table');
    assert.equal(one.rows.length, 1);
    assert.equal(one.rows[0].cells[0], 'sel-a');
    const paged = ok(await requestJson(proc, 'GET', `${CMS}?labelSelector=sel%3Dyes&limit=2`, undefined, { accept: TABLE }));
    assert.equal(paged.rows.length, 2);
    assert.ok(paged.metadata.continue);
  });
});

// ---- Service allocation ----

describe('Service ClusterIP and NodePort allocation', () => {
  test('30 concurrent Service creates get 30 distinct ClusterIPs', async () => {
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => post(SVCS, service(`par-${i}`))));
    const ips = results.map((r) => ok(r, 201).spec.clusterIP as string);
    assert.equal(new Set(ips).size, 30, `duplicate ClusterIPs: ${ips}`);
    for (const ip of ips) {
      assert.match(ip, /^10\.43\.\d+\.\d+$/);
      assert.notEqual(ip, '10.43.0.1', 'the kubernetes Service address is never handed out');
    }
    for (const r of results) assert.deepEqual(r.body.spec.clusterIPs, [r.body.spec.clusterIP]);
    const kubernetes = ok(await get('/api/v1/namespaces/default/services/kubernetes'));
    assert.equal(kubernetes.spec.clusterIP, '10.43.0.1');
  });

  test('deleting a Service releases its ClusterIP; an IP in use cannot be taken', async () => {
    const victim = ok(await get(`${SVCS}/par-0`));
    const ip = victim.spec.clusterIP;
    const taken = await post(SVCS, service('thief', { clusterIP: ip }));
    const s = failed(taken, 422, 'Invalid');
    assert.ok(s.details.causes.some((x: any) => String(x.field).startsWith('spec.clusterIP')), JSON.stringify(s.details.causes));
    ok(await del(`${SVCS}/par-0`));
    const reused = ok(await post(SVCS, service('heir', { clusterIP: ip })), 201);
    assert.equal(reused.spec.clusterIP, ip);
    const outside = await post(SVCS, service('outsider', { clusterIP: '192.168.7.7' }));
    failed(outside, 422, 'Invalid');
    const headless = ok(await post(SVCS, service('headless', { clusterIP: 'None' })), 201);
    assert.equal(headless.spec.clusterIP, 'None');
  });

  test('NodePorts are allocated in 30000-32767 and conflicts are 422', async () => {
    const np = ok(await post(SVCS, service('np-a', { type: 'NodePort', ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }] })), 201);
    const ports = np.spec.ports.map((p: any) => p.nodePort);
    for (const p of ports) assert.ok(p >= 30000 && p <= 32767, `nodePort ${p} in range`);
    assert.notEqual(ports[0], ports[1]);
    const clash = await post(SVCS, service('np-b', { type: 'NodePort', ports: [{ port: 80, nodePort: ports[0] }] }));
    const s = failed(clash, 422, 'Invalid');
    assert.ok(s.details.causes.some((x: any) => x.field === 'spec.ports[0].nodePort'), JSON.stringify(s.details.causes));
    const outOfRange = await post(SVCS, service('np-c', { type: 'NodePort', ports: [{ port: 80, nodePort: 29999 }] }));
    failed(outOfRange, 422, 'Invalid');
    const chosen = ok(await post(SVCS, service('np-d', { type: 'NodePort', ports: [{ port: 80, nodePort: 31234 }] })), 201);
    assert.equal(chosen.spec.ports[0].nodePort, 31234);
    // Releasing on delete makes the port available again.
    ok(await del(`${SVCS}/np-d`));
    ok(await post(SVCS, service('np-e', { type: 'NodePort', ports: [{ port: 80, nodePort: 31234 }] })), 201);
    // Updating a NodePort Service without nodePorts keeps the allocated ones.
    const current = ok(await get(`${SVCS}/np-a`));
    const body = structuredClone(current);
    for (const p of body.spec.ports) delete p.nodePort;
    body.metadata.labels = { touched: 'yes' };
    const updated = ok(await put(`${SVCS}/np-a`, body));
    assert.deepEqual(updated.spec.ports.map((p: any) => p.nodePort), ports);
  });

  test('allocations are rolled back when a write fails and released when no longer held', async () => {
    ok(await post(SVCS, service('alloc-a')), 201);
    // A create that loses (AlreadyExists) must not keep the IP or port it asked for.
    failed(await post(SVCS, service('alloc-a', { type: 'NodePort', clusterIP: '10.43.200.1', ports: [{ port: 80, nodePort: 31501 }] })), 409, 'AlreadyExists');
    // A create whose second port conflicts must give back the first.
    ok(await post(SVCS, service('alloc-b', { type: 'NodePort', ports: [{ port: 80, nodePort: 31502 }] })), 201);
    failed(await post(SVCS, service('alloc-c', { type: 'NodePort', ports: [{ name: 'x', port: 80, nodePort: 31503 }, { name: 'y', port: 81, nodePort: 31502 }] })), 422, 'Invalid');
    ok(await post(SVCS, service('alloc-d', { type: 'NodePort', clusterIP: '10.43.200.1', ports: [{ name: 'x', port: 80, nodePort: 31501 }, { name: 'y', port: 81, nodePort: 31503 }] })), 201);
    // NodePort -> ClusterIP frees the node port; ClusterIP -> ExternalName frees the IP.
    const b = ok(await get(`${SVCS}/alloc-b`));
    const toClusterIP = structuredClone(b);
    toClusterIP.spec.type = 'ClusterIP';
    for (const p of toClusterIP.spec.ports) delete p.nodePort;
    assert.equal(ok(await put(`${SVCS}/alloc-b`, toClusterIP)).spec.ports[0].nodePort, undefined);
    ok(await post(SVCS, service('alloc-e', { type: 'NodePort', ports: [{ port: 80, nodePort: 31502 }] })), 201);
    const a = ok(await get(`${SVCS}/alloc-a`));
    const external = structuredClone(a);
    external.spec = { type: 'ExternalName', externalName: 'example.com' };
    const ext = ok(await put(`${SVCS}/alloc-a`, external));
    assert.equal(ext.spec.clusterIP, undefined);
    ok(await post(SVCS, service('alloc-f', { clusterIP: a.spec.clusterIP })), 201);
    // A Service held by a finalizer keeps its IP until it is really gone.
    ok(await post(SVCS, { ...service('alloc-g', { clusterIP: '10.43.200.2' }), metadata: { name: 'alloc-g', finalizers: ['example.com/hold'] } }), 201);
    ok(await del(`${SVCS}/alloc-g`));
    failed(await post(SVCS, service('alloc-h', { clusterIP: '10.43.200.2' })), 422, 'Invalid');
    ok(await patch(`${SVCS}/alloc-g`, { metadata: { finalizers: null } }));
    ok(await post(SVCS, service('alloc-h', { clusterIP: '10.43.200.2' })), 201);
  });

  test('30 concurrent NodePort creates get distinct ports', async () => {
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => post(SVCS, service(`npp-${i}`, { type: 'NodePort' }))));
    const ports = results.map((r) => ok(r, 201).spec.ports[0].nodePort as number);
    assert.equal(new Set(ports).size, 30, `duplicate nodePorts: ${ports}`);
  });
});

test('429 Too Many Requests', { skip: 'needs more than --max-inflight (600) requests in flight at once; not reliably triggerable on a shared 2-core machine' }, () => {});
