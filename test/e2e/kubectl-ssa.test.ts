// Server-side apply with real kubectl: `apply --server-side` creates, re-applies without writing,
// changes and removes fields, reports a conflict with another field manager and then forces it;
// the migration of an object made by client-side apply (kubectl's kubectl-last-applied follow-up
// and managedFields upgrade); `get --show-managed-fields`; updates through PUT, patch and scale
// recording managedFields; and the wire details (409 causes, 422 without fieldManager, 201 on
// create-on-apply, status subresource apply) with raw requests; custom resources merging by
// their x-kubernetes-list-type / x-kubernetes-map-type; kubectl 1.27, 1.31 and 1.33.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { KUBECTL_127, KUBECTL_131, KUBECTL_133, requestJson, startStrata } from './harness.ts';

type Strata = Awaited<ReturnType<typeof startStrata>>;

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

interface Entry {
  manager: string;
  operation: string;
  apiVersion: string;
  time?: string;
  fieldsType: string;
  fieldsV1: Record<string, any>;
  subresource?: string;
}

const GADGET_CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.ssa.example
spec:
  group: ssa.example
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              items:
                type: array
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [name]
                items:
                  type: object
                  required: [name]
                  properties: {name: {type: string}, value: {type: string}}
              tags: {type: array, x-kubernetes-list-type: set, items: {type: string}}
              args: {type: array, items: {type: string}}
              selector: {type: object, x-kubernetes-map-type: atomic, additionalProperties: {type: string}}
              settings: {type: object, additionalProperties: {type: string}}
`;

function deployment(name: string, o: { replicas?: number; image?: string; env?: string[]; labels?: Record<string, string> } = {}): string {
  const env = (o.env ?? ['MODE']).map((n) => ({ name: n, value: 'on' }));
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: o.labels ?? { app: name, tier: 'web' } },
    spec: {
      replicas: o.replicas ?? 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'main', image: o.image ?? 'nginx:1.25', env, ports: [{ containerPort: 80 }] }] },
      },
    },
  });
}

describe('kubectl apply --server-side', { timeout: 180_000 }, () => {
  let s: Strata;
  before(async () => {
    s = await startStrata(['--disable-controllers', '--disable-scheduler']); // API semantics on objects as written: no controller or scheduler may change them
  });
  after(async () => {
    await s?.cleanup();
  });

  const get = (name: string, binary?: string): Record<string, any> => JSON.parse(s.k(['get', 'deploy', name, '-o', 'json', '--show-managed-fields'], binary ? { binary } : {}));
  const managed = (obj: Record<string, any>): Entry[] => obj['metadata']['managedFields'] ?? [];
  const entry = (obj: Record<string, any>, manager: string, operation = 'Apply'): Entry | undefined => managed(obj).find((e) => e.manager === manager && e.operation === operation);

  test('creates, re-applies without writing, changes and removes fields', () => {
    assert.equal(s.k(['apply', '--server-side', '-f', '-'], { input: deployment('web') }).trim(), 'deployment.apps/web serverside-applied');
    const first = get('web');
    assert.equal(first['spec']['replicas'], 2);
    const kubectl = entry(first, 'kubectl');
    assert.ok(kubectl, 'kubectl owns what it applied');
    assert.equal(kubectl.apiVersion, 'apps/v1');
    assert.equal(kubectl.fieldsType, 'FieldsV1');
    assert.match(kubectl.time ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(kubectl.fieldsV1['f:spec']['f:replicas'], {});
    assert.deepEqual(kubectl.fieldsV1['f:metadata']['f:labels'], { 'f:app': {}, 'f:tier': {} });
    assert.deepEqual(Object.keys(kubectl.fieldsV1['f:spec']['f:template']['f:spec']['f:containers']), ['k:{"name":"main"}']);
    assert.equal(kubectl.fieldsV1['f:spec']['f:progressDeadlineSeconds'], undefined, 'defaults are nobody\'s');

    s.k(['apply', '--server-side', '-f', '-'], { input: deployment('web') });
    assert.equal(get('web')['metadata']['resourceVersion'], first['metadata']['resourceVersion'], 'an unchanged apply writes nothing');

    s.k(['apply', '--server-side', '-f', '-'], { input: deployment('web', { image: 'nginx:1.26', env: ['MODE', 'DEBUG'] }) });
    const changed = get('web');
    assert.equal(changed['spec']['template']['spec']['containers'][0]['image'], 'nginx:1.26');
    assert.deepEqual(changed['spec']['template']['spec']['containers'][0]['env'].map((e: { name: string }) => e.name), ['MODE', 'DEBUG']);
    assert.equal(changed['metadata']['generation'], 2);

    // Dropping a label and an env entry from the manifest removes them from the object.
    s.k(['apply', '--server-side', '-f', '-'], { input: deployment('web', { image: 'nginx:1.26', env: ['DEBUG'], labels: { app: 'web' } }) });
    const removed = get('web');
    assert.deepEqual(removed['metadata']['labels'], { app: 'web' });
    assert.deepEqual(removed['spec']['template']['spec']['containers'][0]['env'], [{ name: 'DEBUG', value: 'on' }]);
    assert.deepEqual(entry(removed, 'kubectl')?.fieldsV1['f:metadata']['f:labels'], { 'f:app': {} });
  });

  test('a conflict with another manager is reported, then forced', () => {
    const conflict = s.kubectl(['apply', '--server-side', '--field-manager=other', '-f', '-'], { input: deployment('web', { replicas: 5, image: 'nginx:1.26', env: ['DEBUG'], labels: { app: 'web' } }) });
    assert.equal(conflict.code, 1);
    assert.match(conflict.stderr, /Apply failed with 1 conflict: conflict with "kubectl": \.spec\.replicas/);
    assert.match(conflict.stderr, /--force-conflicts/);
    assert.equal(get('web')['spec']['replicas'], 2, 'nothing was written');

    const forced = s.k(['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', '-'], { input: deployment('web', { replicas: 5, image: 'nginx:1.26', env: ['DEBUG'], labels: { app: 'web' } }) });
    assert.equal(forced.trim(), 'deployment.apps/web serverside-applied');
    const obj = get('web');
    assert.equal(obj['spec']['replicas'], 5);
    assert.deepEqual(entry(obj, 'other')?.fieldsV1['f:spec']['f:replicas'], {}, 'the forcing manager owns the field');
    assert.equal(entry(obj, 'kubectl')?.fieldsV1['f:spec']['f:replicas'], undefined, 'the previous owner lost it');
    assert.ok(entry(obj, 'kubectl')?.fieldsV1['f:spec']['f:template'], 'fields both applied with the same value stay shared');

    // kubectl now re-applying its old replicas conflicts with "other".
    const back = s.kubectl(['apply', '--server-side', '-f', '-'], { input: deployment('web', { replicas: 2, image: 'nginx:1.26', env: ['DEBUG'], labels: { app: 'web' } }) });
    assert.equal(back.code, 1);
    assert.match(back.stderr, /conflict with "other": \.spec\.replicas/);
  });

  test('get -o yaml shows managedFields only with --show-managed-fields', () => {
    const hidden = parse(s.k(['get', 'deploy', 'web', '-o', 'yaml'])) as Record<string, any>;
    assert.equal(hidden['metadata']['managedFields'], undefined);
    const shown = parse(s.k(['get', 'deploy', 'web', '-o', 'yaml', '--show-managed-fields'])) as Record<string, any>;
    const managers = (shown['metadata']['managedFields'] as Entry[]).map((e) => `${e.manager}/${e.operation}`);
    assert.deepEqual(managers, ['kubectl/Apply', 'other/Apply']);
  });

  test('migrates an object made by client-side apply', () => {
    assert.equal(s.k(['apply', '-f', '-'], { input: deployment('legacy') }).trim(), 'deployment.apps/legacy created');
    const before = get('legacy');
    assert.deepEqual(managed(before).map((e) => `${e.manager}/${e.operation}`), ['kubectl-client-side-apply/Update']);
    assert.ok(entry(before, 'kubectl-client-side-apply', 'Update')?.fieldsV1['f:metadata']['f:annotations'][`f:${LAST_APPLIED}`]);

    // Changing replicas and the image: the client-side manager owns both, but the live values
    // still match last-applied, so kubectl takes them over without a conflict.
    const r = s.kubectl(['apply', '--server-side', '-f', '-', '-v=6'], { input: deployment('legacy', { replicas: 3, image: 'nginx:1.27' }) });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /fieldManager=kubectl-last-applied/, 'kubectl sent the last-applied follow-up');
    const after = get('legacy');
    assert.equal(after['spec']['replicas'], 3);
    assert.equal(after['spec']['template']['spec']['containers'][0]['image'], 'nginx:1.27');
    const managers = managed(after).map((e) => `${e.manager}/${e.operation}`).sort();
    assert.deepEqual(managers, ['kubectl-last-applied/Apply', 'kubectl/Apply'], 'the client-side entry moved to kubectl');
    assert.deepEqual(entry(after, 'kubectl-last-applied')?.fieldsV1, { 'f:metadata': { 'f:annotations': { [`f:${LAST_APPLIED}`]: {} } } });
    const lastApplied = JSON.parse(after['metadata']['annotations'][LAST_APPLIED]) as Record<string, any>;
    assert.equal(lastApplied['spec']['replicas'], 3, 'the annotation follows server-side applies');

    // And client-side apply still works on top.
    assert.equal(s.k(['apply', '-f', '-'], { input: deployment('legacy', { replicas: 4, image: 'nginx:1.27' }) }).trim(), 'deployment.apps/legacy configured');
    assert.equal(get('legacy')['spec']['replicas'], 4);
  });

  test('updates record managedFields: create, patch, scale, edit by PUT', async () => {
    s.k(['create', 'configmap', 'cfg', '--from-literal=a=1']);
    const cm = JSON.parse(s.k(['get', 'cm', 'cfg', '-o', 'json', '--show-managed-fields'])) as Record<string, any>;
    const created = managed(cm);
    assert.equal(created.length, 1);
    assert.equal(created[0]?.operation, 'Update');
    assert.equal(created[0]?.manager, 'kubectl-create');
    assert.deepEqual(created[0]?.fieldsV1, { 'f:data': { '.': {}, 'f:a': {} } });

    s.k(['patch', 'cm', 'cfg', '--type=merge', '-p', '{"data":{"b":"2"}}']);
    const patched = JSON.parse(s.k(['get', 'cm', 'cfg', '-o', 'json', '--show-managed-fields'])) as Record<string, any>;
    assert.deepEqual(managed(patched).find((e) => e.manager === 'kubectl-patch')?.fieldsV1, { 'f:data': { 'f:b': {} } });

    s.k(['scale', 'deploy', 'web', '--replicas=1']);
    const scaled = get('web');
    const scaleEntry = managed(scaled).find((e) => e.subresource === 'scale');
    assert.deepEqual(scaleEntry && { manager: scaleEntry.manager, operation: scaleEntry.operation, fields: scaleEntry.fieldsV1 }, { manager: 'kubectl', operation: 'Update', fields: { 'f:spec': { 'f:replicas': {} } } });
    assert.equal(entry(scaled, 'other')?.fieldsV1['f:spec']['f:replicas'], undefined, 'the update took the field');

    // A PUT without a fieldManager is recorded under the User-Agent's product name.
    const put = await requestJson(s, 'PUT', '/api/v1/namespaces/default/configmaps/cfg', { ...patched, data: { a: '1', b: '2', c: '3' } }, { 'user-agent': 'my-tool/1.0 (linux)' });
    assert.equal(put.status, 200);
    assert.deepEqual(managed(put.body).find((e) => e.manager === 'my-tool')?.fieldsV1, { 'f:data': { 'f:c': {} } });
  });

  test('the wire: 409 causes, 422 without fieldManager, 201 create-on-apply, status apply, 400 bad config', async () => {
    const path = '/apis/apps/v1/namespaces/default/deployments/wire';
    const headers = { 'content-type': 'application/apply-patch+yaml' };
    const missing = await requestJson(s, 'PATCH', path, deployment('wire'), headers);
    assert.equal(missing.status, 422);
    assert.equal(missing.body.reason, 'Invalid');
    assert.match(missing.body.message, /fieldManager: Required value: is required for apply patch/);

    const created = await requestJson(s, 'PATCH', `${path}?fieldManager=a`, deployment('wire'), headers);
    assert.equal(created.status, 201);
    assert.equal((await requestJson(s, 'PATCH', `${path}?fieldManager=a`, deployment('wire'), headers)).status, 200);

    const yaml = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: wire\nspec:\n  replicas: 7\n  paused: true\n`;
    const conflict = await requestJson(s, 'PATCH', `${path}?fieldManager=b`, yaml, headers);
    assert.equal(conflict.status, 409);
    assert.equal(conflict.body.kind, 'Status');
    assert.equal(conflict.body.reason, 'Conflict');
    assert.equal(conflict.body.message, 'Apply failed with 1 conflict: conflict with "a": .spec.replicas');
    assert.deepEqual(conflict.body.details.causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "a"', field: '.spec.replicas' }]);
    const forced = await requestJson(s, 'PATCH', `${path}?fieldManager=b&force=true`, yaml, headers);
    assert.equal(forced.status, 200);
    assert.equal(forced.body.spec.replicas, 7);

    const status = await requestJson(s, 'PATCH', `${path}/status?fieldManager=ctrl`, `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: wire\nstatus:\n  observedGeneration: 9\n  replicas: 7\n`, headers);
    assert.equal(status.status, 200);
    assert.equal(status.body.status.replicas, 7);
    const ctrl = managed(status.body).find((e) => e.manager === 'ctrl');
    assert.deepEqual(ctrl && { subresource: ctrl.subresource, fields: ctrl.fieldsV1 }, { subresource: 'status', fields: { 'f:status': { 'f:observedGeneration': {}, 'f:replicas': {} } } });
    assert.equal((await requestJson(s, 'PATCH', `/apis/apps/v1/namespaces/default/deployments/none/status?fieldManager=ctrl`, 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: none\n', headers)).status, 404);

    const dup = await requestJson(s, 'PATCH', `${path}?fieldManager=a`, `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: wire\nspec:\n  template:\n    spec:\n      containers:\n      - name: x\n        image: a\n      - name: x\n        image: b\n`, headers);
    assert.equal(dup.status, 400);
    assert.match(dup.body.message, /duplicate entries for key \[name="x"\]/);
    const version = await requestJson(s, 'PATCH', `${path}?fieldManager=a`, 'apiVersion: apps/v1beta1\nkind: Deployment\nmetadata:\n  name: wire\n', headers);
    assert.equal(version.status, 400);
    assert.match(version.body.message, /Incorrect version specified in apply patch/);
    const forceOnMerge = await requestJson(s, 'PATCH', `${path}?force=true`, '{"spec":{"paused":false}}', { 'content-type': 'application/merge-patch+json' });
    assert.equal(forceOnMerge.status, 422);
  });

  test('custom resources merge by x-kubernetes-list-type and x-kubernetes-map-type', async () => {
    s.k(['apply', '-f', '-'], { input: GADGET_CRD });
    const deadline = Date.now() + 20_000;
    while (s.kubectl(['get', 'gadgets']).code !== 0) {
      if (Date.now() > deadline) throw new Error('gadgets never served');
      await new Promise((r) => setTimeout(r, 200));
    }
    const gadget = (spec: Record<string, unknown>): string => JSON.stringify({ apiVersion: 'ssa.example/v1', kind: 'Gadget', metadata: { name: 'g' }, spec });
    const as = (manager: string, spec: Record<string, unknown>, force = false) =>
      s.kubectl(['apply', '--server-side', `--field-manager=${manager}`, ...(force ? ['--force-conflicts'] : []), '-f', '-'], { input: gadget(spec) });
    const read = () => JSON.parse(s.k(['get', 'gadget', 'g', '-o', 'json', '--show-managed-fields'])) as Record<string, any>;

    assert.equal(as('a', { items: [{ name: 'i', value: '1' }], tags: ['t1'], args: ['x'], selector: { app: 'a' }, settings: { one: '1' } }).code, 0);
    assert.equal(as('b', { items: [{ name: 'j', value: '2' }], tags: ['t2'], settings: { two: '2' } }).code, 0);
    let g = read();
    assert.deepEqual(g['spec']['items'], [{ name: 'i', value: '1' }, { name: 'j', value: '2' }], 'list-map items from both managers');
    assert.deepEqual(g['spec']['tags'], ['t1', 't2'], 'set items from both managers');
    assert.deepEqual(g['spec']['settings'], { one: '1', two: '2' }, 'granular map keys from both managers');
    const b = managed(g).find((e) => e.manager === 'b');
    assert.deepEqual(b?.fieldsV1['f:spec']['f:items'], { 'k:{"name":"j"}': { '.': {}, 'f:name': {}, 'f:value': {} } });

    // Atomic values (a plain list, a map-type atomic object) are owned whole: a change conflicts.
    const atomic = as('b', { args: ['y'], selector: { app: 'b' } });
    assert.equal(atomic.code, 1);
    assert.match(atomic.stderr, /Apply failed with 2 conflicts: conflicts with "a":\n- \.spec\.args\n- \.spec\.selector/);
    assert.equal(as('b', { items: [{ name: 'j', value: '2' }], tags: ['t2'], settings: { two: '2' }, args: ['y'] }, true).code, 0);
    assert.deepEqual(read()['spec']['args'], ['y']);

    // a stops applying item i and its setting: they go; b's stay.
    assert.equal(as('a', { tags: ['t1'], selector: { app: 'a' } }).code, 0);
    g = read();
    assert.deepEqual(g['spec']['items'], [{ name: 'j', value: '2' }]);
    assert.deepEqual(g['spec']['settings'], { two: '2' });
    assert.deepEqual(g['spec']['args'], ['y'], 'b owns args now');
  });

  for (const [label, binary] of [['1.33', KUBECTL_133], ['1.31', KUBECTL_131], ['1.27', KUBECTL_127]] as const) {
    test(`kubectl ${label}: server-side apply, conflict, force`, () => {
      const name = `v${label.replace('.', '')}`;
      const k = (args: string[], input: string) => s.kubectl(args, { binary, input });
      const first = k(['apply', '--server-side', '-f', '-'], deployment(name));
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /serverside-applied/);
      const conflict = k(['apply', '--server-side', '--field-manager=rival', '-f', '-'], deployment(name, { replicas: 9 }));
      assert.equal(conflict.code, 1);
      assert.match(conflict.stderr, /conflict with "kubectl": \.spec\.replicas/);
      const forced = k(['apply', '--server-side', '--field-manager=rival', '--force-conflicts', '-f', '-'], deployment(name, { replicas: 9 }));
      assert.equal(forced.code, 0, forced.stderr);
      assert.equal(get(name, binary)['spec']['replicas'], 9);
    });
  }
});
