import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject, OwnerReference } from '../../api/types.ts';
import { EventRecorder, FakeClock, Indexer, Lister, type ResourceRef } from '../../client/index.ts';
import { metaTime } from '../util/conditions.ts';
import type { Pod } from '../util/pods.ts';
import type { PodDisruptionBudget } from './budget.ts';
import { DisruptionReconciler, STALE_POD_DISRUPTION_TIMEOUT_MS } from './disruption-controller.ts';

const T0 = Date.parse('2025-03-01T12:00:00Z');
const signal = new AbortController().signal;

const ref = (kind: string, name: string, apiVersion = 'apps/v1'): OwnerReference => ({ apiVersion, kind, name, uid: `uid-${name}`, controller: true });

function world() {
  const clock = new FakeClock(T0);
  const idx = {
    pdbs: new Indexer<PodDisruptionBudget>(),
    pods: new Indexer<Pod>(),
    rs: new Indexer<KubeObject>(),
    deploy: new Indexer<KubeObject>(),
    ss: new Indexer<KubeObject>(),
    rc: new Indexer<KubeObject>(),
  };
  const writes: KubeObject[] = [];
  const events: { reason: string; message: string }[] = [];
  const client = {
    async updateStatus<T extends KubeObject>(r: ResourceRef, obj: T): Promise<T> {
      writes.push(structuredClone(obj));
      const rv = String(Number(obj.metadata.resourceVersion ?? '1') + 1);
      const stored = { ...obj, metadata: { ...obj.metadata, resourceVersion: rv } };
      (r.resource === 'pods' ? idx.pods : idx.pdbs).upsert(stored as never);
      return stored;
    },
  };
  const sink = {
    create: async (_r: ResourceRef, e: KubeObject) => void events.push({ reason: e['reason'] as string, message: e['message'] as string }) as never,
    patch: async () => ({}) as never,
  };
  const recorder = new EventRecorder(sink, { source: { component: 'controllermanager' }, clock });
  const reconciler = new DisruptionReconciler({
    client,
    pdbs: new Lister(idx.pdbs),
    pods: new Lister(idx.pods),
    scale: { replicaSets: new Lister(idx.rs), deployments: new Lister(idx.deploy), statefulSets: new Lister(idx.ss), replicationControllers: new Lister(idx.rc) },
    recorder,
    clock,
  });
  return { clock, idx, writes, events, reconciler, status: (name = 'web') => idx.pdbs.get(`ns/${name}`)?.status };
}

const owner = (kind: string, name: string, replicas: number, apiVersion = 'apps/v1', controller?: OwnerReference): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, namespace: 'ns', uid: `uid-${name}`, ...(controller ? { ownerReferences: [controller] } : {}) },
  spec: { replicas },
});

const pod = (name: string, o: { ready?: boolean; owner?: OwnerReference; labels?: Record<string, string>; conditions?: object[] } = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'ns', uid: `uid-${name}`, resourceVersion: '1', labels: o.labels ?? { app: 'web' }, ...(o.owner ? { ownerReferences: [o.owner] } : {}) },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }, ...((o.conditions ?? []) as never[])] },
});

const budget = (spec: PodDisruptionBudget['spec'], name = 'web', status?: PodDisruptionBudget['status']): PodDisruptionBudget => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name, namespace: 'ns', uid: `uid-${name}`, generation: 1, resourceVersion: '1' },
  spec: { selector: { matchLabels: { app: 'web' } }, ...spec },
  ...(status ? { status } : {}),
});

describe('DisruptionReconciler', () => {
  it('writes the status of an integer minAvailable budget over the matching pods only', async () => {
    const w = world();
    w.idx.pdbs.upsert(budget({ minAvailable: 2 }));
    for (const p of [pod('a'), pod('b'), pod('c', { ready: false }), pod('d'), pod('other', { labels: { app: 'db' } })]) w.idx.pods.upsert(p);
    assert.deepEqual(await w.reconciler.reconcile('ns/web', signal), undefined);
    const s = w.status();
    assert.deepEqual(
      { expectedPods: s?.expectedPods, currentHealthy: s?.currentHealthy, desiredHealthy: s?.desiredHealthy, disruptionsAllowed: s?.disruptionsAllowed, observedGeneration: s?.observedGeneration },
      { expectedPods: 4, currentHealthy: 3, desiredHealthy: 2, disruptionsAllowed: 1, observedGeneration: 1 },
    );
    assert.equal(s?.conditions?.[0]?.reason, 'SufficientPods');
    await w.reconciler.reconcile('ns/web', signal);
    assert.equal(w.writes.length, 1, 'an unchanged budget is not written again');
  });

  it('takes the scale of a percentage budget from the Deployment behind the pods\' ReplicaSet, counted once', async () => {
    const w = world();
    w.idx.deploy.upsert(owner('Deployment', 'web', 4));
    w.idx.rs.upsert(owner('ReplicaSet', 'web-1', 3, 'apps/v1', ref('Deployment', 'web')));
    w.idx.rs.upsert(owner('ReplicaSet', 'web-2', 1, 'apps/v1', ref('Deployment', 'web')));
    w.idx.pdbs.upsert(budget({ minAvailable: '50%' }));
    w.idx.pods.upsert(pod('a', { owner: ref('ReplicaSet', 'web-1') }));
    w.idx.pods.upsert(pod('b', { owner: ref('ReplicaSet', 'web-2') }));
    w.idx.pods.upsert(pod('c', { owner: ref('ReplicaSet', 'web-2') }));
    await w.reconciler.reconcile('ns/web', signal);
    assert.equal(w.status()?.expectedPods, 4, 'the Deployment\'s 4 replicas, not 3 + 1 + 1');
    assert.equal(w.status()?.desiredHealthy, 2);
    assert.equal(w.status()?.disruptionsAllowed, 1);
  });

  it('sums StatefulSets, ReplicationControllers and lone ReplicaSets for maxUnavailable; unmanaged pods only warn', async () => {
    const w = world();
    w.idx.ss.upsert(owner('StatefulSet', 'db', 3));
    w.idx.rc.upsert(owner('ReplicationController', 'old', 2, 'v1'));
    w.idx.rs.upsert(owner('ReplicaSet', 'lone', 1));
    w.idx.pdbs.upsert(budget({ maxUnavailable: '30%' }));
    w.idx.pods.upsert(pod('s0', { owner: ref('StatefulSet', 'db') }));
    w.idx.pods.upsert(pod('r0', { owner: ref('ReplicationController', 'old', 'v1') }));
    w.idx.pods.upsert(pod('l0', { owner: ref('ReplicaSet', 'lone') }));
    w.idx.pods.upsert(pod('bare'));
    await w.reconciler.reconcile('ns/web', signal);
    assert.equal(w.status()?.expectedPods, 6);
    assert.equal(w.status()?.desiredHealthy, 4, '6 - ceil(1.8)');
    assert.equal(w.status()?.disruptionsAllowed, 0, '4 healthy pods, 4 wanted');
    await w.clock.advance(0);
    assert.ok(w.events.some((e) => e.reason === 'UnmanagedPods'));
  });

  it('fails safe with SyncFailed when a pod\'s controller cannot be found, and retries', async () => {
    const w = world();
    w.idx.pdbs.upsert(budget({ maxUnavailable: 1 }, 'web', { disruptionsAllowed: 3, observedGeneration: 1 }));
    w.idx.pods.upsert(pod('j', { owner: ref('Job', 'batch', 'batch/v1') }));
    await assert.rejects(w.reconciler.reconcile('ns/web', signal), /found no controllers for pod "j"/);
    const s = w.status();
    assert.equal(s?.disruptionsAllowed, 0);
    assert.deepEqual([s?.conditions?.[0]?.status, s?.conditions?.[0]?.reason], ['False', 'SyncFailed']);
  });

  it('keeps fresh eviction records out of the healthy count, prunes them after 2 min and rechecks then', async () => {
    const w = world();
    w.idx.pdbs.upsert(budget({ minAvailable: 1 }, 'web', { disruptedPods: { a: metaTime(T0), gone: metaTime(T0) } }));
    w.idx.pods.upsert(pod('a'));
    w.idx.pods.upsert(pod('b'));
    const r = await w.reconciler.reconcile('ns/web', signal);
    assert.deepEqual(w.status()?.disruptedPods, { a: metaTime(T0) });
    assert.equal(w.status()?.currentHealthy, 1);
    assert.equal(w.status()?.disruptionsAllowed, 0);
    assert.ok(r && r.requeueAfter !== undefined && r.requeueAfter > 119_000 && r.requeueAfter <= 120_001, `recheck in ~2 min, got ${JSON.stringify(r)}`);
    await w.clock.advance(120_001);
    assert.equal(await w.reconciler.reconcile('ns/web', signal), undefined);
    assert.equal(w.status()?.disruptedPods, undefined);
    assert.equal(w.status()?.currentHealthy, 2);
    assert.equal(w.status()?.disruptionsAllowed, 1);
    assert.ok(w.events.some((e) => e.reason === 'NotDeleted'));
  });

  it('wakes every budget that selects a pod; an empty selector selects all, a missing one none', () => {
    const w = world();
    w.idx.pdbs.upsert(budget({ minAvailable: 1 }, 'web'));
    w.idx.pdbs.upsert({ ...budget({ minAvailable: 1 }, 'all'), spec: { minAvailable: 1, selector: {} } });
    w.idx.pdbs.upsert({ ...budget({ minAvailable: 1 }, 'none'), spec: { minAvailable: 1 } });
    assert.deepEqual(w.reconciler.keysForPod(pod('a')).sort(), ['ns/all', 'ns/web']);
    assert.deepEqual(w.reconciler.keysForPod(pod('x', { labels: { app: 'db' } })), ['ns/all']);
  });

  it('turns a DisruptionTarget False once it has sat 2 min on a pod that was not deleted', async () => {
    const w = world();
    const target = { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting', lastTransitionTime: metaTime(T0) };
    w.idx.pods.upsert(pod('a', { conditions: [target] }));
    assert.ok(w.reconciler.keysForPod(w.idx.pods.get('ns/a')!).includes('pod:ns/a'));
    const r = await w.reconciler.reconcile('pod:ns/a', signal);
    assert.deepEqual(r, { requeueAfter: STALE_POD_DISRUPTION_TIMEOUT_MS });
    assert.equal(w.writes.length, 0);
    await w.clock.advance(STALE_POD_DISRUPTION_TIMEOUT_MS);
    await w.reconciler.reconcile('pod:ns/a', signal);
    const cond = w.idx.pods.get('ns/a')?.status?.conditions?.find((c) => c.type === 'DisruptionTarget');
    assert.equal(cond?.status, 'False');
    assert.equal(w.reconciler.keysForPod(w.idx.pods.get('ns/a')!).includes('pod:ns/a'), false);
  });
});
