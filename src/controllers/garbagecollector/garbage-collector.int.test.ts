// The garbage collector against a real in-process API server: background, foreground and orphan
// propagation, dangling owner references, cluster-scoped owners, and a custom resource whose CRD
// appears after the collector started (it must join the graph through re-discovery).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject, OwnerReference } from '../../api/types.ts';
import type { ResourceRef } from '../../client/index.ts';
import { exists, startTestCluster, until, type TestCluster } from '../../../test/support/cluster.ts';
import type { ControllerSpec } from '../index.ts';
import { garbageCollector } from './garbage-collector.ts';

const NS = 'gc';
const CM = { group: '', version: 'v1', resource: 'configmaps', namespace: NS } as const;
const SECRET = { group: '', version: 'v1', resource: 'secrets', namespace: NS } as const;
const EVENTS = { group: '', version: 'v1', resource: 'events' } as const;
const CLUSTER_ROLES = { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles' } as const;
const CRDS = { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions' } as const;
const WIDGETS = { group: 'gc.example.com', version: 'v1', resource: 'widgets', namespace: NS } as const;

const GC: ControllerSpec = { name: 'garbagecollector', component: 'garbage-collector-controller', make: (ctx) => garbageCollector(ctx, { resyncPeriodMs: 2000 }) };

const refTo = (owner: KubeObject, extra: Partial<OwnerReference> = {}): OwnerReference => ({
  apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name ?? '', uid: owner.metadata.uid ?? '', ...extra,
});

describe('garbage collector against a real API server', { timeout: 90_000 }, () => {
  let c: TestCluster;
  const named = (ref: ResourceRef, name: string): ResourceRef => ({ ...ref, name });
  const cm = (name: string, meta: Partial<KubeObject['metadata']> = {}) =>
    c.client.create(CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...meta } });
  const secret = (name: string, meta: Partial<KubeObject['metadata']> = {}) =>
    c.client.create(SECRET, { apiVersion: 'v1', kind: 'Secret', metadata: { name, ...meta } });
  const gone = (ref: ResourceRef, name: string) => until(`${ref.resource}/${name} to be deleted`, async () => !(await exists(c.client, named(ref, name))));
  const dropFinalizers = (ref: ResourceRef, name: string) => c.client.patch(named(ref, name), 'merge', { metadata: { finalizers: null } });

  before(async () => {
    c = await startTestCluster({ controllers: [GC], driver: false });
    await c.client.create({ group: '', version: 'v1', resource: 'namespaces' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  });
  after(async () => {
    await c?.stop();
  });

  it('background: deletes ConfigMap, Secret and custom-resource dependents of a deleted owner', async () => {
    // The CRD appears after the collector started: its kind joins the graph through re-discovery.
    await c.client.create(CRDS, {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.gc.example.com' },
      spec: {
        group: 'gc.example.com', scope: 'Namespaced', names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
      },
    });
    await until('widgets to be served', () => c.client.list(WIDGETS).then(() => true));
    const owner = await cm('bg-owner');
    await cm('bg-cm', { ownerReferences: [refTo(owner)] });
    await secret('bg-secret', { ownerReferences: [refTo(owner)] });
    await c.client.create(WIDGETS, { apiVersion: 'gc.example.com/v1', kind: 'Widget', metadata: { name: 'bg-widget', ownerReferences: [refTo(owner)] } });
    // A custom resource owning a ConfigMap: the owner side resolves through the mapper too.
    const widgetOwner = await c.client.create(WIDGETS, { apiVersion: 'gc.example.com/v1', kind: 'Widget', metadata: { name: 'bg-widget-owner' } });
    await cm('bg-of-widget', { ownerReferences: [refTo(widgetOwner)] });
    await c.client.delete(named(CM, 'bg-owner'));
    await c.client.delete(named(WIDGETS, 'bg-widget-owner'));
    await gone(CM, 'bg-cm');
    await gone(SECRET, 'bg-secret');
    await gone(WIDGETS, 'bg-widget');
    await gone(CM, 'bg-of-widget');
  });

  it('foreground: the owner stays while a blocking dependent is held by its finalizer, and goes after it', async () => {
    const owner = await cm('fg-owner');
    await secret('fg-blocking', { ownerReferences: [refTo(owner, { blockOwnerDeletion: true })], finalizers: ['example.com/hold'] });
    await cm('fg-free', { ownerReferences: [refTo(owner)] });
    await c.client.delete(named(CM, 'fg-owner'), { propagationPolicy: 'Foreground' });
    await gone(CM, 'fg-free');
    const blocking = await until('the blocking dependent to be deleting', async () => {
      const s = await c.client.get(named(SECRET, 'fg-blocking'));
      return s.metadata.deletionTimestamp ? s : undefined;
    });
    assert.deepEqual(blocking.metadata.finalizers, ['example.com/hold']);
    // Give the collector time to (wrongly) release the owner before checking it is still held.
    await new Promise((r) => setTimeout(r, 500));
    const held = await c.client.get(named(CM, 'fg-owner'));
    assert.ok(held.metadata.deletionTimestamp);
    assert.deepEqual(held.metadata.finalizers, ['foregroundDeletion']);
    await dropFinalizers(SECRET, 'fg-blocking');
    await gone(SECRET, 'fg-blocking');
    await gone(CM, 'fg-owner');
  });

  it('foreground: an owner without blocking dependents goes at once; its non-blocking dependents are deleted too', async () => {
    const owner = await cm('fg2-owner');
    await secret('fg2-dep', { ownerReferences: [refTo(owner)], finalizers: ['example.com/hold'] });
    await c.client.delete(named(CM, 'fg2-owner'), { propagationPolicy: 'Foreground' });
    await gone(CM, 'fg2-owner');
    await until('the dependent to be deleting', async () => (await c.client.get(named(SECRET, 'fg2-dep'))).metadata.deletionTimestamp);
    await dropFinalizers(SECRET, 'fg2-dep');
  });

  it('orphan: dependents survive with the owner reference removed, other owners kept', async () => {
    const owner = await cm('or-owner');
    const other = await cm('or-other');
    await secret('or-a', { ownerReferences: [refTo(owner)] });
    await cm('or-b', { ownerReferences: [refTo(owner), refTo(other)] });
    await c.client.delete(named(CM, 'or-owner'), { propagationPolicy: 'Orphan' });
    await gone(CM, 'or-owner');
    const a = await c.client.get(named(SECRET, 'or-a'));
    assert.equal(a.metadata.ownerReferences, undefined);
    const b = await c.client.get(named(CM, 'or-b'));
    assert.deepEqual(b.metadata.ownerReferences, [refTo(other)]);
  });

  it('dangling owner reference: the dependent is deleted; with a second live owner only the dangling reference goes', async () => {
    const live = await cm('dg-live');
    const ghost: OwnerReference = { apiVersion: 'v1', kind: 'ConfigMap', name: 'dg-ghost', uid: '0f0f0f0f-0000-4000-8000-000000000000' };
    await secret('dg-only', { ownerReferences: [ghost] });
    const both = await secret('dg-both', { ownerReferences: [ghost, refTo(live)] });
    await gone(SECRET, 'dg-only');
    const patched = await until('the dangling reference to be removed', async () => {
      const s = await c.client.get(named(SECRET, 'dg-both'));
      return s.metadata.ownerReferences?.length === 1 ? s : undefined;
    });
    assert.deepEqual(patched.metadata.ownerReferences, [refTo(live)]);
    assert.equal(patched.metadata.uid, both.metadata.uid);
    // A ConfigMap of the ghost's name but another uid does not revive the reference.
    await cm('dg-ghost');
    await secret('dg-renamed', { ownerReferences: [ghost] });
    await gone(SECRET, 'dg-renamed');
  });

  it('cluster-scoped owners own namespaced dependents; a cluster-scoped dependent of a namespaced kind is left alone', async () => {
    const role = await c.client.create(CLUSTER_ROLES, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'gc-owner-role' }, rules: [] });
    await cm('cs-dep', { ownerReferences: [refTo(role)] });
    const nsOwner = await cm('cs-ns-owner');
    // Invalid: a cluster-scoped object cannot be owned by a namespaced one, even a live one.
    await c.client.create(CLUSTER_ROLES, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'gc-invalid', ownerReferences: [refTo(nsOwner)] }, rules: [] });
    await c.client.delete(named(CM, 'cs-ns-owner'));
    // A sentinel whose (cluster-scoped) owner never existed shows the collector has run meanwhile.
    await c.client.create(CLUSTER_ROLES, {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', rules: [],
      metadata: { name: 'gc-sentinel', ownerReferences: [{ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'nope', uid: '1e1e1e1e-0000-4000-8000-000000000000' }] },
    });
    await gone(CLUSTER_ROLES, 'gc-sentinel');
    assert.ok(await exists(c.client, named(CM, 'cs-dep')), 'the live cluster-scoped owner keeps its dependent');
    assert.ok(await exists(c.client, named(CLUSTER_ROLES, 'gc-invalid')), 'the invalid reference does not get the object deleted');
    await c.client.delete(named(CLUSTER_ROLES, 'gc-owner-role'));
    await gone(CM, 'cs-dep');
  });

  it('collects a thousand dependents of one owner in the foreground within seconds', async () => {
    const owner = await cm('many-owner');
    const N = 1000;
    for (let i = 0; i < N; i += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, j) => cm(`many-${i + j}`, { labels: { many: 'yes' }, ownerReferences: [refTo(owner, { blockOwnerDeletion: true })] })));
    }
    const started = Date.now();
    await c.client.delete(named(CM, 'many-owner'), { propagationPolicy: 'Foreground' });
    await gone(CM, 'many-owner');
    assert.equal((await c.client.list(CM, { labelSelector: 'many=yes' })).items.length, 0, 'the owner went only after every blocking dependent');
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
  });

  it('a namespaced owner resolves in the dependent namespace only: a reference across namespaces dangles and is reported', async () => {
    await c.client.create({ group: '', version: 'v1', resource: 'namespaces' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gc-other' } });
    const owner = await cm('xn-owner');
    await c.client.create({ ...CM, namespace: 'gc-other' }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'xn-dep', ownerReferences: [refTo(owner)] } });
    await gone({ ...CM, namespace: 'gc-other' }, 'xn-dep');
    assert.ok(await exists(c.client, named(CM, 'xn-owner')));
    const events = await until('an OwnerRefInvalidNamespace event', async () => {
      const list = await c.client.list({ ...EVENTS, namespace: 'gc-other' });
      return list.items.find((e) => e['reason'] === 'OwnerRefInvalidNamespace');
    });
    assert.equal(events['type'], 'Warning');
    assert.equal((events['involvedObject'] as { name?: string }).name, 'xn-dep');
    assert.match(String(events['message']), /does not exist in namespace "gc-other"/);
  });
});
