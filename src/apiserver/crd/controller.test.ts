// The CRD controller over an in-memory store: serving, versions, names, schema changes,
// deletion with finalizers, and a restart. HTTP paths are covered by test/e2e/crd*.test.ts.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { BUILTIN_RESOURCES } from '../../api/resources.ts';
import type { KubeObject } from '../../api/types.ts';
import { isStatusError } from '../../machinery/index.ts';
import { MemoryStore } from '../../store/index.ts';
import { ApiRegistry } from '../api-registry.ts';
import { builtinStrategy } from '../registry/strategies/common.ts';
import type { RequestContext } from '../registry/strategy.ts';
import { CrdController } from './controller.ts';
import { registerCrdKind } from './crd-strategy.ts';

const log = pino({ level: 'silent' });
const ctx = (): RequestContext => ({ user: 'tester', dryRun: false, fieldManager: undefined, now: new Date() });

async function until<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function cluster(store = new MemoryStore()) {
  const registry = new ApiRegistry(store);
  registerCrdKind(registry);
  for (const def of BUILTIN_RESOURCES) if (def.kind === 'Ingress') registry.add(def, builtinStrategy(def));
  await registry.start();
  const controller = new CrdController(registry, log);
  await controller.start();
  const crds = registry.forKind('apiextensions.k8s.io', 'CustomResourceDefinition')!.store;
  return {
    store,
    registry,
    crds,
    async createCrd(obj: KubeObject) {
      return crds.create(undefined, structuredClone(obj), ctx());
    },
    async crd(name: string) {
      return crds.get(undefined, name) as Promise<KubeObject & { status?: any }>;
    },
    served(group: string, version: string, plural: string) {
      return registry.lookup(group, version, plural);
    },
    close() {
      controller.close();
      for (const s of registry.stores()) s.cache.close();
    },
  };
}

function widgetCrd(group = 'example.com', extra: (spec: any) => void = () => {}): KubeObject {
  const schema = (replicasDefault: number) => ({
    openAPIV3Schema: {
      type: 'object',
      properties: {
        spec: { type: 'object', properties: { replicas: { type: 'integer', default: replicasDefault }, color: { type: 'string' } } },
        status: { type: 'object', properties: { ok: { type: 'boolean' } } },
      },
    },
  });
  const spec: any = {
    group,
    scope: 'Namespaced',
    names: { plural: 'widgets', kind: 'Widget' },
    versions: [
      { name: 'v1beta1', served: true, storage: false, schema: schema(7) },
      { name: 'v1', served: true, storage: true, schema: schema(1), subresources: { status: {} } },
    ],
  };
  extra(spec);
  return { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `widgets.${group}` }, spec };
}

function widget(apiVersion: string, name: string, spec: Record<string, unknown> = {}, namespace = 'default'): KubeObject {
  return { apiVersion, kind: 'Widget', metadata: { name, namespace }, spec };
}

async function rejects(p: Promise<unknown>, code: number): Promise<string> {
  let message = '';
  await assert.rejects(p, (err: unknown) => {
    assert.ok(isStatusError(err), String(err));
    assert.equal(err.code, code, err.message);
    message = err.message;
    return true;
  });
  return message;
}

describe('CrdController', () => {
  it('serves every served version over one store, stored at the storage version', async () => {
    const c = await cluster();
    try {
      await c.createCrd(widgetCrd());
      const beta = await until('v1beta1 served', () => c.served('example.com', 'v1beta1', 'widgets'));
      const v1 = await until('v1 served', () => c.served('example.com', 'v1', 'widgets'));
      assert.equal(beta.store, v1.store);
      assert.deepEqual(beta.def.subresources.map((s) => s.name), ['status']);
      assert.equal(beta.def.definition, undefined);
      const crd = await until('Established', async () => {
        const crd = await c.crd('widgets.example.com');
        return crd.status?.conditions?.some((x: any) => x.type === 'Established' && x.status === 'True') && crd;
      });
      assert.deepEqual(crd.status.acceptedNames, { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' });
      assert.deepEqual(crd.status.storedVersions, ['v1']);
      assert.equal(crd.status.conditions.find((x: any) => x.type === 'NamesAccepted').reason, 'NoConflicts');

      // A write through v1beta1 is defaulted by v1beta1's schema and stored as v1.
      const created = await beta.store.create('default', beta.toStorage(widget('example.com/v1beta1', 'a', { color: 'red', junk: true })), ctx());
      assert.equal(created.apiVersion, 'example.com/v1');
      assert.deepEqual(created['spec'], { color: 'red', replicas: 7 });
      assert.equal(created['status'], undefined);
      assert.equal(created.metadata.generation, 1);
      assert.equal(beta.fromStorage(created).apiVersion, 'example.com/v1beta1');
      const raw = await c.store.get('/registry/example.com/widgets/default/a');
      assert.equal(JSON.parse(new TextDecoder().decode(raw!.value)).apiVersion, 'example.com/v1');

      // Updates bump the generation; status is its own subresource.
      const { object } = await v1.store.update('default', 'a', (cur) => v1.toStorage({ ...cur!, spec: { color: 'blue' }, status: { ok: true } }), ctx());
      assert.equal(object.metadata.generation, 2);
      assert.equal(object['status'], undefined);
      assert.deepEqual(object['spec'], { color: 'blue', replicas: 1 });
    } finally {
      c.close();
    }
  });

  it('refuses names in use in the group, by other CRDs or built-in kinds', async () => {
    const c = await cluster();
    try {
      await c.createCrd(widgetCrd());
      await until('served', () => c.served('example.com', 'v1', 'widgets'));
      const clash: KubeObject = { ...widgetCrd(), metadata: { name: 'gizmos.example.com' } };
      (clash['spec'] as any).names = { plural: 'gizmos', singular: 'gizmo', kind: 'Widget' };
      await c.createCrd(clash);
      const crd = await until('NamesAccepted False', async () => {
        const crd = await c.crd('gizmos.example.com');
        return crd.status?.conditions?.some((x: any) => x.type === 'NamesAccepted') && crd;
      });
      assert.deepEqual(crd.status.conditions.map((x: any) => [x.type, x.status, x.reason, x.message]), [
        ['NamesAccepted', 'False', 'KindConflict', '"Widget" is already in use'],
        ['Established', 'False', 'NotAccepted', 'not all names are accepted'],
      ]);
      assert.equal(c.served('example.com', 'v1', 'gizmos'), undefined);

      const ingress = widgetCrd('networking.k8s.io', (spec) => (spec.names = { plural: 'ingresses', kind: 'MyIngress' }));
      ingress.metadata = { name: 'ingresses.networking.k8s.io', annotations: { 'api-approved.kubernetes.io': 'unapproved' } };
      await c.createCrd(ingress);
      const denied = await until('NamesAccepted False', async () => {
        const crd = await c.crd('ingresses.networking.k8s.io');
        return crd.status?.conditions?.some((x: any) => x.type === 'NamesAccepted') && crd;
      });
      assert.equal(denied.status.conditions[0].reason, 'PluralConflict');
      assert.equal(c.served('networking.k8s.io', 'v1', 'ingresses')?.def.kind, 'Ingress');
    } finally {
      c.close();
    }
  });

  it('applies schema changes to the live store', async () => {
    const c = await cluster();
    try {
      await c.createCrd(widgetCrd());
      const before = await until('served', () => c.served('example.com', 'v1', 'widgets'));
      await c.crds.update(undefined, 'widgets.example.com', (cur) => {
        const spec = cur!['spec'] as any;
        spec.versions[1].schema.openAPIV3Schema.properties.spec.properties.color.enum = ['green'];
        spec.versions[0].served = false;
        return cur!;
      }, ctx());
      await until('v1beta1 no longer served', () => !c.served('example.com', 'v1beta1', 'widgets'));
      const after = c.served('example.com', 'v1', 'widgets')!;
      assert.equal(after.store, before.store);
      const msg = await rejects(after.store.create('default', after.toStorage(widget('example.com/v1', 'x', { color: 'red' })), ctx()), 422);
      assert.match(msg, /spec\.color: Unsupported value: "red": supported values: "green"/);
    } finally {
      c.close();
    }
  });

  it('deletes every object of a deleted CRD, waits for their finalizers, then stops serving', async () => {
    const c = await cluster();
    try {
      await c.createCrd(widgetCrd());
      const v1 = await until('served', () => c.served('example.com', 'v1', 'widgets'));
      await v1.store.create('default', v1.toStorage(widget('example.com/v1', 'a')), ctx());
      await v1.store.create('other', v1.toStorage(widget('example.com/v1', 'b', {}, 'other')), ctx());
      const held = widget('example.com/v1', 'held');
      held.metadata.finalizers = ['example.com/hold'];
      await v1.store.create('default', v1.toStorage(held), ctx());

      const { deleted } = await c.crds.delete(undefined, 'widgets.example.com', {}, ctx());
      assert.equal(deleted, false);
      const terminating = await c.crd('widgets.example.com');
      assert.deepEqual(terminating.metadata.finalizers, ['customresourcecleanup.apiextensions.k8s.io']);
      assert.ok(terminating.metadata.deletionTimestamp);

      await until('objects without finalizers gone', async () => (await v1.store.list({})).items.length === 1);
      await until('create refused', async () => {
        try {
          await v1.store.create('default', v1.toStorage(widget('example.com/v1', 'late')), ctx());
          return false;
        } catch (err) {
          return isStatusError(err) && err.code === 405;
        }
      });
      const crd = await c.crd('widgets.example.com');
      assert.match(crd.status.conditions.find((x: any) => x.type === 'Terminating').message, /CustomResource deletion is in progress: 1 remaining/);

      await v1.store.update('default', 'held', (cur) => ({ ...cur!, metadata: { ...cur!.metadata, finalizers: [] } }), ctx());
      await until('CRD gone', async () => {
        try {
          await c.crd('widgets.example.com');
          return false;
        } catch {
          return true;
        }
      });
      await until('kind no longer served', () => !c.served('example.com', 'v1', 'widgets'));
      assert.equal((await c.store.list('/registry/example.com/widgets/')).items.length, 0);
    } finally {
      c.close();
    }
  });

  it('serves the stored CRDs again after a restart, before start() resolves', async () => {
    const store = new MemoryStore();
    const first = await cluster(store);
    await first.createCrd(widgetCrd());
    const v1 = await until('served', () => first.served('example.com', 'v1', 'widgets'));
    await v1.store.create('default', v1.toStorage(widget('example.com/v1', 'a')), ctx());
    first.close();

    const second = await cluster(store);
    try {
      const again = second.served('example.com', 'v1', 'widgets');
      assert.ok(again);
      assert.deepEqual((await again.store.list({})).items.map((e) => e.object.metadata.name), ['a']);
    } finally {
      second.close();
    }
  });
});
