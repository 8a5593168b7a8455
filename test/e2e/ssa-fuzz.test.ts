// Seeded fuzzing of server-side apply and the managedFields of other writes over HTTP: random
// (and sometimes malformed) applied configurations, status applies, merge and JSON patches and
// PUTs carrying garbage managedFields, by several managers, on ConfigMaps, Deployments and a
// custom resource with list-map, set and atomic lists. Never a 5xx; every answer is JSON; a
// failed write leaves the object as it was (no partial write); a successful one is what a
// read returns; stored managedFields are always well formed; the server stays up.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { requestJson, startStrata, type JsonResponse } from './harness.ts';
import { seededRandom } from './prng.ts';

type Strata = Awaited<ReturnType<typeof startStrata>>;

const CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'gadgets.fuzz.example' },
  spec: {
    group: 'fuzz.example',
    scope: 'Namespaced',
    names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                properties: {
                  replicas: { type: 'integer' },
                  items: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, value: { type: 'string' } } } },
                  tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
                  args: { type: 'array', items: { type: 'string' } },
                  settings: { type: 'object', additionalProperties: { type: 'string' } },
                  free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                },
              },
              status: { type: 'object', properties: { phase: { type: 'string' } } },
            },
          },
        },
      },
    ],
  },
};


interface Kind {
  readonly path: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly status: boolean;
  spec(g: Gen): Record<string, unknown>;
}

class Gen {
  readonly r: () => number;
  constructor(seed: number) {
    this.r = seededRandom(seed);
  }
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  junk(): unknown {
    return this.pick<unknown>([null, 7, 'x', true, [1, 'a'], { a: { b: null } }, [], {}]);
  }
  strings(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (let i = this.int(4); i > 0; i--) out[this.pick(['a', 'b', 'c', 'x.io/d'])] = this.chance(0.93) ? this.pick(['1', '2', 'v']) : this.junk();
    return out;
  }
  list<T>(item: () => T, max = 4): T[] {
    return Array.from({ length: this.int(max) }, item);
  }
}

const KINDS: readonly Kind[] = [
  {
    path: '/api/v1/namespaces/default/configmaps',
    apiVersion: 'v1',
    kind: 'ConfigMap',
    status: false,
    spec: (g) => (g.chance(0.8) ? { data: g.strings() } : { data: g.junk(), binaryData: g.chance(0.5) ? { k: 'aGk=' } : g.junk() }),
  },
  {
    path: '/apis/apps/v1/namespaces/default/deployments',
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    status: true,
    spec: (g) => {
      const container = (): Record<string, unknown> => {
        const c: Record<string, unknown> = { name: g.pick(['main', 'side']), image: g.pick(['nginx:1', 'nginx:2']) };
        if (g.chance(0.4)) c['env'] = g.list(() => ({ name: g.pick(['A', 'B', 'C']), value: g.pick(['1', '2']) }));
        if (g.chance(0.3)) c['ports'] = g.list(() => (g.chance(0.5) ? { containerPort: g.pick([80, 81]) } : { containerPort: g.pick([80, 81]), protocol: g.pick(['TCP', 'UDP']) }), 3);
        if (g.chance(0.05)) delete c['name'];
        if (g.chance(0.05)) c['image'] = g.junk();
        return c;
      };
      const spec: Record<string, unknown> = { selector: { matchLabels: { app: 'f' } }, template: { metadata: { labels: { app: 'f' } }, spec: { containers: g.list(container, 3) } } };
      if (g.chance(0.6)) spec['replicas'] = g.chance(0.95) ? g.int(5) : g.junk();
      if (g.chance(0.2)) spec['paused'] = g.chance(0.5);
      if (g.chance(0.1)) spec['strategy'] = g.pick([{ type: 'Recreate' }, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } }]);
      return { spec };
    },
  },
  {
    path: '/apis/fuzz.example/v1/namespaces/default/gadgets',
    apiVersion: 'fuzz.example/v1',
    kind: 'Gadget',
    status: true,
    spec: (g) => {
      const spec: Record<string, unknown> = {};
      if (g.chance(0.6)) spec['replicas'] = g.chance(0.95) ? g.int(5) : g.junk();
      if (g.chance(0.6)) spec['items'] = g.list(() => (g.chance(0.95) ? { name: g.pick(['i', 'j', 'k']), value: g.pick(['1', '2']) } : { value: 'nameless' }));
      if (g.chance(0.5)) spec['tags'] = g.list(() => g.pick(['t1', 't2', 't3']));
      if (g.chance(0.4)) spec['args'] = g.list(() => g.pick(['-a', '-b']));
      if (g.chance(0.3)) spec['settings'] = g.strings();
      if (g.chance(0.2)) spec['free'] = { any: g.junk(), deep: { x: g.junk() } };
      if (g.chance(0.03)) spec['undeclared'] = 1;
      return { spec };
    },
  },
];

const MANAGERS = ['kubectl', 'alice', 'bob', 'ctrl'];

function checkManagedFields(obj: any, where: string): void {
  const entries = obj?.metadata?.managedFields;
  if (entries === undefined) return;
  assert.ok(Array.isArray(entries), `${where}: managedFields is a list`);
  for (const e of entries) {
    assert.ok(e.operation === 'Apply' || e.operation === 'Update', `${where}: operation ${e.operation}`);
    assert.equal(e.fieldsType, 'FieldsV1', where);
    assert.equal(typeof e.fieldsV1, 'object', where);
    assert.equal(typeof e.apiVersion, 'string', where);
    assert.equal(typeof e.manager, 'string', where);
    assert.ok(Object.keys(e.fieldsV1).length > 0, `${where}: an entry owns something`);
  }
}

describe('server-side apply fuzz', { timeout: 240_000 }, () => {
  let s: Strata;
  before(async () => {
    s = await startStrata(['--disable-controllers', '--disable-scheduler']); // API semantics on objects as written: no controller or scheduler may change them
    const created = await requestJson(s, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', CRD);
    assert.equal(created.status, 201, created.raw);
    const deadline = Date.now() + 20_000;
    while ((await requestJson(s, 'GET', KINDS[2]!.path)).status !== 200) {
      if (Date.now() > deadline) throw new Error('the custom resource was never served');
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  after(async () => {
    await s?.cleanup();
  });

  for (const seed of [11, 22, 33]) {
    test(`seed ${seed}: 200 random writes`, async () => {
      const g = new Gen(seed);
      const codes = new Map<number, number>();
      for (let step = 0; step < 200; step++) {
        const kind = g.pick(KINDS);
        const name = `f${seed}-${g.pick(['a', 'b'])}`;
        const item = `${kind.path}/${name}`;
        const manager = g.pick(MANAGERS);
        const before = await requestJson(s, 'GET', item);
        const where = `seed ${seed} step ${step} ${kind.kind}/${name}`;
        const meta: Record<string, unknown> = { name };
        if (g.chance(0.5)) meta['labels'] = g.strings();
        if (g.chance(0.05)) meta['managedFields'] = [];
        const config: Record<string, unknown> = { apiVersion: g.chance(0.97) ? kind.apiVersion : 'nope/v9', kind: kind.kind, metadata: meta, ...kind.spec(g) };
        let res: JsonResponse;
        const op = g.int(10);
        if (op < 5 || before.status === 404) {
          const body = g.chance(0.04) ? g.pick(['{"unclosed": ', '- a\n- b\n', ': :\n', 'null', '[]']) : JSON.stringify(config);
          res = await requestJson(s, 'PATCH', `${item}?fieldManager=${manager}${g.chance(0.3) ? '&force=true' : ''}`, body, { 'content-type': 'application/apply-patch+yaml' });
        } else if (op < 6 && kind.status) {
          const status = kind.kind === 'Deployment' ? { replicas: g.int(3), observedGeneration: g.int(3) } : { phase: g.pick(['Up', 'Down']) };
          res = await requestJson(s, 'PATCH', `${item}/status?fieldManager=${manager}`, JSON.stringify({ apiVersion: kind.apiVersion, kind: kind.kind, metadata: { name }, status }), { 'content-type': 'application/apply-patch+yaml' });
        } else if (op < 8) {
          const patch = g.chance(0.5)
            ? { metadata: { labels: g.strings(), ...(g.chance(0.3) ? { managedFields: g.pick<unknown>([[], [{}], 'junk', [{ manager: 'x', operation: 'Bad' }], [{ manager: 'm', operation: 'Apply', apiVersion: kind.apiVersion, fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': {} } } }]]) } : {}) } }
            : { ...kind.spec(g) };
          res = await requestJson(s, 'PATCH', `${item}?fieldManager=${manager}`, patch, { 'content-type': 'application/merge-patch+json' });
        } else if (op < 9) {
          const ops = [{ op: 'replace', path: '/metadata/managedFields', value: g.pick<unknown>([[], 'x', [{ manager: 'y', operation: 'Update', apiVersion: kind.apiVersion, fieldsType: 'FieldsV1', fieldsV1: { 'k:{bad': {} } }]]) }];
          res = await requestJson(s, 'PATCH', item, ops, { 'content-type': 'application/json-patch+json' });
        } else {
          const body = { ...before.body, ...kind.spec(g) };
          if (g.chance(0.3)) body.metadata = { ...body.metadata, managedFields: g.pick<unknown>([[], [{ manager: 'z', operation: 'Update', apiVersion: kind.apiVersion, fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }]]) };
          res = await requestJson(s, 'PUT', item, body);
        }
        codes.set(res.status, (codes.get(res.status) ?? 0) + 1);
        assert.ok(res.status < 500, `${where}: ${res.status} ${res.raw.slice(0, 400)}`);
        assert.notEqual(res.body, undefined, `${where}: the answer is JSON: ${res.raw.slice(0, 200)}`);
        const now = await requestJson(s, 'GET', item);
        assert.ok(now.status === 200 || now.status === 404, `${where}: read ${now.status}`);
        if (res.status >= 400) {
          assert.equal(now.body?.metadata?.resourceVersion, before.body?.metadata?.resourceVersion, `${where}: a failed write changed nothing`);
        } else {
          assert.equal(now.status, 200, where);
          assert.deepEqual(now.body, res.body?.kind === kind.kind ? res.body : now.body, `${where}: what was written is what is read`);
          checkManagedFields(now.body, where);
        }
      }
      // Each seed meets successes and each kind of refusal.
      assert.ok((codes.get(200) ?? 0) + (codes.get(201) ?? 0) > 40, JSON.stringify([...codes]));
      assert.ok((codes.get(409) ?? 0) > 0 && (codes.get(400) ?? 0) > 0, JSON.stringify([...codes]));
    });
  }

  test('the server is still up', async () => {
    const ready = await s.request('GET', '/readyz');
    assert.equal(ready.status, 200);
    assert.equal((await requestJson(s, 'GET', '/api/v1/namespaces/default')).status, 200);
  });
});
