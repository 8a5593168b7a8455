import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject, OwnerReference } from '../../api/types.ts';
import { Collector, ConflictError } from './collector.ts';
import type { GcApi, MetadataPatch, PropagationPolicy, WriteResult } from './gc-api.ts';
import { GraphBuilder } from './graph-builder.ts';
import type { ResourceMapping } from './rest-mapper.ts';

const MAPPINGS: ResourceMapping[] = [
  { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true },
  { group: '', version: 'v1', resource: 'secrets', kind: 'Secret', namespaced: true },
  { group: '', version: 'v1', resource: 'nodes', kind: 'Node', namespaced: false },
  { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', kind: 'ClusterRole', namespaced: false },
];

/**
 * An in-memory API with the server's deletion semantics (propagation finalizers, two-phase
 * deletion) whose writes reach the graph builder like informer events, unless `silent` (a stale
 * cache). Every call is logged.
 */
class FakeApi implements GcApi {
  readonly objects = new Map<string, KubeObject>();
  readonly calls: string[] = [];
  builder: GraphBuilder | undefined;
  silent = false;
  conflictOnce = false;
  #rv = 1;
  #uid = 0;

  mapping(apiVersion: string, kind: string): ResourceMapping | undefined {
    return MAPPINGS.find((m) => m.kind === kind && (m.group ? `${m.group}/${m.version}` : m.version) === apiVersion);
  }

  #key(kind: string, namespace: string, name: string): string {
    return `${kind}/${namespace}/${name}`;
  }

  #emit(type: 'add' | 'update' | 'delete', obj: KubeObject, old?: KubeObject): void {
    if (this.silent || !this.builder) return;
    const m = this.mapping(obj.apiVersion, obj.kind)!;
    const id = { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name ?? '', uid: obj.metadata.uid ?? '', namespace: m.namespaced ? (obj.metadata.namespace ?? '') : '' };
    this.builder.observe(type, id, obj, old);
  }

  create(kind: string, namespace: string, name: string, meta: Partial<KubeObject['metadata']> = {}): KubeObject {
    const m = MAPPINGS.find((x) => x.kind === kind)!;
    const obj: KubeObject = {
      apiVersion: m.group ? `${m.group}/${m.version}` : m.version,
      kind,
      metadata: { name, ...(m.namespaced ? { namespace } : {}), uid: `uid-${++this.#uid}`, resourceVersion: String(++this.#rv), ...meta },
    };
    this.objects.set(this.#key(kind, m.namespaced ? namespace : '', name), obj);
    this.#emit('add', obj);
    return obj;
  }

  /** Replaces the stored object (a client's update), emitting the event. */
  write(obj: KubeObject): KubeObject {
    const key = this.#key(obj.kind, obj.metadata.namespace ?? '', obj.metadata.name ?? '');
    const old = this.objects.get(key);
    const next = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.#rv) } };
    if (next.metadata.deletionTimestamp && (next.metadata.finalizers?.length ?? 0) === 0) {
      this.objects.delete(key);
      this.#emit('delete', next);
      return next;
    }
    this.objects.set(key, next);
    this.#emit('update', next, old);
    return next;
  }

  find(kind: string, namespace: string, name: string): KubeObject | undefined {
    return this.objects.get(this.#key(kind, namespace, name));
  }

  async get(m: ResourceMapping, namespace: string, name: string): Promise<KubeObject | undefined> {
    this.calls.push(`get ${m.kind} ${namespace}/${name}`);
    return this.objects.get(this.#key(m.kind, m.namespaced ? namespace : '', name));
  }

  async delete(m: ResourceMapping, namespace: string, name: string, pre: { uid: string; resourceVersion?: string }, policy: PropagationPolicy): Promise<'ok' | 'gone' | 'conflict'> {
    this.calls.push(`delete ${m.kind} ${namespace}/${name} ${policy} uid=${pre.uid} rv=${pre.resourceVersion ?? ''}`);
    const obj = this.objects.get(this.#key(m.kind, m.namespaced ? namespace : '', name));
    if (!obj) return 'gone';
    if (obj.metadata.uid !== pre.uid || (pre.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion)) return 'conflict';
    const finalizers = new Set(obj.metadata.finalizers ?? []);
    if (policy === 'Foreground') finalizers.add('foregroundDeletion');
    if (policy === 'Orphan') finalizers.add('orphan');
    this.write({ ...obj, metadata: { ...obj.metadata, deletionTimestamp: obj.metadata.deletionTimestamp ?? '2025-01-01T00:00:00Z', finalizers: [...finalizers] } });
    return 'ok';
  }

  async patchMetadata(m: ResourceMapping, namespace: string, name: string, patch: MetadataPatch): Promise<WriteResult> {
    this.calls.push(`patch ${m.kind} ${namespace}/${name} ${JSON.stringify({ ...patch, resourceVersion: undefined })}`);
    const obj = this.objects.get(this.#key(m.kind, m.namespaced ? namespace : '', name));
    if (!obj) return 'gone';
    if (this.conflictOnce || patch.resourceVersion !== obj.metadata.resourceVersion) {
      this.conflictOnce = false;
      return 'conflict';
    }
    const meta = { ...obj.metadata };
    if (patch.ownerReferences !== undefined) {
      if (patch.ownerReferences === null) delete meta.ownerReferences;
      else meta.ownerReferences = patch.ownerReferences;
    }
    if (patch.finalizers !== undefined) meta.finalizers = patch.finalizers ?? [];
    return { object: this.write({ ...obj, metadata: meta }) };
  }
}

/** A collector over a FakeApi whose queues are drained by hand. */
function setup() {
  const api = new FakeApi();
  const queues = { del: new Set<string>(), orphan: new Set<string>() };
  const builder = new GraphBuilder(
    { attemptToDelete: (uid) => void queues.del.add(uid), attemptToOrphan: (uid) => void queues.orphan.add(uid), invalidOwnerNamespace: () => {} },
    { namespaced: (v, k) => api.mapping(v, k)?.namespaced },
  );
  api.builder = builder;
  const collector = new Collector({ api, builder, enqueueDelete: (uid) => void queues.del.add(uid) });
  /** Processes queued items until both queues are empty (or `rounds` passes); requeued items count as processed once per round. */
  const drain = async (rounds = 20): Promise<void> => {
    for (let i = 0; i < rounds && (queues.del.size || queues.orphan.size); i++) {
      const dels = [...queues.del];
      const orphans = [...queues.orphan];
      queues.del.clear();
      queues.orphan.clear();
      for (const uid of orphans) if ((await collector.attemptToOrphan(uid)) === 'requeue') queues.orphan.add(uid);
      for (const uid of dels) if ((await collector.attemptToDelete(uid)) === 'requeue') queues.del.add(uid);
    }
  };
  return { api, builder, collector, queues, drain };
}

const refTo = (owner: KubeObject, extra: Partial<OwnerReference> = {}): OwnerReference => ({
  apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name ?? '', uid: owner.metadata.uid ?? '', ...extra,
});

const deleteWith = (api: FakeApi, obj: KubeObject, finalizer?: string): KubeObject =>
  api.write({ ...obj, metadata: { ...obj.metadata, deletionTimestamp: '2025-01-01T00:00:00Z', ...(finalizer ? { finalizers: [...(obj.metadata.finalizers ?? []), finalizer] } : {}) } });

describe('Collector', () => {
  it('deletes (Background, with uid and resourceVersion preconditions) dependents whose only owner was deleted', async () => {
    const { api, drain } = setup();
    const owner = api.create('ConfigMap', 'ns', 'owner');
    const dep = api.create('Secret', 'ns', 'dep', { ownerReferences: [refTo(owner)] });
    deleteWith(api, owner);
    await drain();
    assert.equal(api.find('Secret', 'ns', 'dep'), undefined);
    assert.ok(api.calls.includes(`delete Secret ns/dep Background uid=${dep.metadata.uid} rv=${dep.metadata.resourceVersion}`), api.calls.join('\n'));
  });

  it('removes only the dangling reference when another owner remains', async () => {
    const { api, drain } = setup();
    const live = api.create('ConfigMap', 'ns', 'live');
    const dep = api.create('Secret', 'ns', 'dep', { ownerReferences: [refTo(live), { apiVersion: 'v1', kind: 'ConfigMap', name: 'ghost', uid: 'never-existed' }] });
    await drain();
    const after = api.find('Secret', 'ns', 'dep');
    assert.ok(after, 'the dependent survives');
    assert.deepEqual(after.metadata.ownerReferences, [refTo(live)]);
    assert.equal(after.metadata.uid, dep.metadata.uid);
  });

  it('never deletes a dependent whose owner exists, even when the graph (a stale cache) has not seen the owner', async () => {
    const { api, builder, drain } = setup();
    api.silent = true;
    const owner = api.create('ConfigMap', 'ns', 'owner');
    api.silent = false;
    api.create('Secret', 'ns', 'dep', { ownerReferences: [refTo(owner)] });
    assert.equal(builder.graph.get(owner.metadata.uid ?? '')?.virtual, true);
    await drain(3);
    assert.ok(api.find('Secret', 'ns', 'dep'));
    assert.ok(!api.calls.some((c) => c.startsWith('delete')), api.calls.join('\n'));
    assert.ok(api.calls.includes('get ConfigMap ns/owner'), 'the owner was looked up live');
  });

  it('deletes a dependent whose owner uid never existed, and one whose owner name now has another uid', async () => {
    const { api, drain } = setup();
    api.create('Secret', 'ns', 'a', { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'never' }] });
    api.create('ConfigMap', 'ns', 'y');
    api.create('Secret', 'ns', 'b', { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'y', uid: 'old-uid' }] });
    await drain();
    assert.equal(api.find('Secret', 'ns', 'a'), undefined);
    assert.equal(api.find('Secret', 'ns', 'b'), undefined);
    assert.ok(api.find('ConfigMap', 'ns', 'y'));
  });

  it('resolves namespaced owners in the dependent namespace only; cluster-scoped owners from anywhere', async () => {
    const { api, drain } = setup();
    const owner = api.create('ConfigMap', 'ns1', 'owner');
    const node = api.create('Node', '', 'n1');
    api.create('Secret', 'ns2', 'cross', { ownerReferences: [refTo(owner)] });
    api.create('Secret', 'ns2', 'of-node', { ownerReferences: [refTo(node)] });
    await drain();
    assert.equal(api.find('Secret', 'ns2', 'cross'), undefined, 'no such owner in ns2');
    assert.ok(api.find('Secret', 'ns2', 'of-node'));
    deleteWith(api, node);
    await drain();
    assert.equal(api.find('Secret', 'ns2', 'of-node'), undefined);
  });

  it('leaves a cluster-scoped object naming a namespaced owner alone', async () => {
    const { api, drain } = setup();
    api.create('ClusterRole', '', 'cr', { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'never' }] });
    await drain();
    assert.ok(api.find('ClusterRole', '', 'cr'));
    assert.ok(!api.calls.some((c) => c.startsWith('delete') || c.startsWith('patch')), api.calls.join('\n'));
  });

  it('foreground: deletes dependents, keeps the owner while a blocking dependent remains, then removes foregroundDeletion', async () => {
    const { api, drain } = setup();
    const owner = api.create('ConfigMap', 'ns', 'owner');
    api.create('Secret', 'ns', 'blocking', { ownerReferences: [refTo(owner, { blockOwnerDeletion: true })], finalizers: ['example.com/hold'] });
    api.create('Secret', 'ns', 'free', { ownerReferences: [refTo(owner)], finalizers: ['example.com/hold'] });
    await drain();
    deleteWith(api, owner, 'foregroundDeletion');
    await drain();
    const blocking = api.find('Secret', 'ns', 'blocking');
    assert.ok(blocking?.metadata.deletionTimestamp, 'the blocking dependent is being deleted, held by its finalizer');
    assert.ok(api.find('Secret', 'ns', 'free')?.metadata.deletionTimestamp, 'non-blocking dependents are deleted too');
    assert.deepEqual(api.find('ConfigMap', 'ns', 'owner')?.metadata.finalizers, ['foregroundDeletion'], 'the owner waits');
    // The free dependent going away does not release the owner; the blocking one does.
    const free = api.find('Secret', 'ns', 'free')!;
    api.write({ ...free, metadata: { ...free.metadata, finalizers: [] } });
    await drain();
    assert.ok(api.find('ConfigMap', 'ns', 'owner'));
    api.write({ ...blocking, metadata: { ...blocking.metadata, finalizers: [] } });
    await drain();
    assert.equal(api.find('ConfigMap', 'ns', 'owner'), undefined);
  });

  it('foreground recursion: a dependent with dependents of its own is deleted in the foreground', async () => {
    const { api, drain } = setup();
    const owner = api.create('ConfigMap', 'ns', 'owner');
    const mid = api.create('ConfigMap', 'ns', 'mid', { ownerReferences: [refTo(owner, { blockOwnerDeletion: true })] });
    api.create('Secret', 'ns', 'leaf', { ownerReferences: [refTo(mid, { blockOwnerDeletion: true })] });
    await drain();
    deleteWith(api, owner, 'foregroundDeletion');
    await drain();
    assert.ok(api.calls.some((c) => c.startsWith('delete ConfigMap ns/mid Foreground')), api.calls.join('\n'));
    assert.equal(api.find('Secret', 'ns', 'leaf'), undefined);
    assert.equal(api.find('ConfigMap', 'ns', 'mid'), undefined);
    assert.equal(api.find('ConfigMap', 'ns', 'owner'), undefined);
  });

  it('orphan: removes the owner reference from every dependent, then the orphan finalizer', async () => {
    const { api, drain } = setup();
    const owner = api.create('ConfigMap', 'ns', 'owner');
    const other = api.create('ConfigMap', 'ns', 'other');
    api.create('Secret', 'ns', 'a', { ownerReferences: [refTo(owner)] });
    api.create('Secret', 'ns', 'b', { ownerReferences: [refTo(owner), refTo(other)] });
    await drain();
    deleteWith(api, owner, 'orphan');
    await drain();
    assert.equal(api.find('ConfigMap', 'ns', 'owner'), undefined);
    assert.equal(api.find('Secret', 'ns', 'a')?.metadata.ownerReferences, undefined);
    assert.deepEqual(api.find('Secret', 'ns', 'b')?.metadata.ownerReferences, [refTo(other)]);
  });

  it('retries the whole decision when the dependent changed between read and write', async () => {
    const { api, builder, collector } = setup();
    const live = api.create('ConfigMap', 'ns', 'live');
    const dep = api.create('Secret', 'ns', 'dep', { ownerReferences: [refTo(live), { apiVersion: 'v1', kind: 'ConfigMap', name: 'ghost', uid: 'gone' }] });
    assert.ok(builder.graph.get(dep.metadata.uid ?? ''));
    api.conflictOnce = true;
    await assert.rejects(collector.attemptToDelete(dep.metadata.uid ?? ''), ConflictError);
    assert.equal(await collector.attemptToDelete(dep.metadata.uid ?? ''), 'forget');
    assert.deepEqual(api.find('Secret', 'ns', 'dep')?.metadata.ownerReferences, [refTo(live)]);
  });
});
