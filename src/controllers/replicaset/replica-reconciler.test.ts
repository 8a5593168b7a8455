// The reconciler against a fake client and hand-fed caches: expectations stop a stale cache from
// creating twice, creates stop at the first failing slow-start batch and surface as FailedCreate
// and a ReplicaFailure condition, one sync creates at most burstReplicas pods.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/types.ts';
import { FakeClock, Indexer, Lister, type RestClient } from '../../client/index.ts';
import { failure } from '../../machinery/index.ts';
import { CONTROLLER_UID_INDEX, controllerUidIndex, type Pod } from '../util/index.ts';
import { REPLICA_SET_KIND } from './kinds.ts';
import { PodExpectations } from './pod-expectations.ts';
import { ReplicaReconciler } from './replica-reconciler.ts';
import type { Replicated } from './types.ts';

class FakeClient {
  creates: Pod[] = [];
  deletes: string[] = [];
  statuses: Replicated[] = [];
  /** Fail creates from this call on (0-based), undefined = never. */
  failFrom: number | undefined;
  /** Answer AlreadyExists to this many creates first (a generated name that was taken). */
  nameTaken = 0;
  #n = 0;
  async create(_ref: unknown, obj: Pod): Promise<Pod> {
    if (this.nameTaken > 0) {
      this.nameTaken--;
      throw failure(409, 'AlreadyExists', `pods "${obj.metadata.generateName ?? ''}taken" already exists`);
    }
    const i = this.#n++;
    if (this.failFrom !== undefined && i >= this.failFrom) throw failure(403, 'Forbidden', `pods "${obj.metadata.generateName ?? ''}x" is forbidden: exceeded quota`);
    this.creates.push(obj);
    return { ...obj, metadata: { ...obj.metadata, name: `${obj.metadata.generateName ?? ''}${i}` } };
  }
  async delete(ref: { name: string }): Promise<KubeObject> {
    this.deletes.push(ref.name);
    return { apiVersion: 'v1', kind: 'Status', metadata: {} };
  }
  async updateStatus(_ref: unknown, obj: Replicated): Promise<Replicated> {
    this.statuses.push(obj);
    return obj;
  }
  async get(): Promise<never> {
    throw failure(404, 'NotFound', 'not found');
  }
  async patch(): Promise<never> {
    throw new Error('no patches expected');
  }
}

function setup(replicas: number, burstReplicas?: number) {
  const owners = new Indexer<Replicated>({ [CONTROLLER_UID_INDEX]: controllerUidIndex });
  const pods = new Indexer<Pod>({ [CONTROLLER_UID_INDEX]: controllerUidIndex });
  const rs: Replicated = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web', namespace: 'ns', uid: 'rs-uid', generation: 1 },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
  };
  owners.upsert(rs);
  const client = new FakeClient();
  const events: string[] = [];
  const expectations = new PodExpectations({ clock: new FakeClock() });
  const reconciler = new ReplicaReconciler({
    kind: REPLICA_SET_KIND,
    client: client as unknown as RestClient,
    recorder: { event: async (_o, type, reason, message) => void events.push(`${type} ${reason} ${message}`) },
    owners: new Lister(owners),
    pods: new Lister(pods),
    expectations,
    clock: new FakeClock(Date.parse('2026-01-01T00:00:00Z')),
    ...(burstReplicas !== undefined ? { burstReplicas } : {}),
  });
  return { rs, owners, pods, client, events, expectations, reconciler, signal: new AbortController().signal };
}

describe('ReplicaReconciler', () => {
  it('creates the missing pods once: a second sync on the same stale cache waits for the creations to be observed', async () => {
    const t = setup(3);
    await t.reconciler.reconcile('ns/web', t.signal);
    assert.equal(t.client.creates.length, 3);
    assert.deepEqual(t.client.creates[0]?.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true, blockOwnerDeletion: true }]);
    assert.equal(t.client.creates[0]?.metadata.generateName, 'web-');
    assert.deepEqual(t.events, ['Normal SuccessfulCreate Created pod: web-0', 'Normal SuccessfulCreate Created pod: web-1', 'Normal SuccessfulCreate Created pod: web-2']);
    await t.reconciler.reconcile('ns/web', t.signal);
    assert.equal(t.client.creates.length, 3, 'no double create while the cache lags');
  });

  it('stops at the first failing batch, records FailedCreate and a ReplicaFailure condition, and fails the sync', async () => {
    const t = setup(10);
    t.client.failFrom = 1; // the first batch (1 pod) succeeds, the second (2 pods) fails
    await assert.rejects(t.reconciler.reconcile('ns/web', t.signal), /exceeded quota/);
    assert.equal(t.client.creates.length, 1, 'slow start: no third batch after a failure');
    assert.ok(t.events.includes('Warning FailedCreate Error creating: pods "web-x" is forbidden: exceeded quota'));
    const status = t.client.statuses.at(-1)?.status;
    assert.equal(status?.conditions?.[0]?.type, 'ReplicaFailure');
    assert.equal(status?.conditions?.[0]?.reason, 'FailedCreate');
    assert.equal(status?.observedGeneration, 1);
    // The failed and unattempted creations were un-expected; only the one pod made is awaited.
    assert.deepEqual(t.expectations.pending('ns/web'), { add: 1, del: 0 });
    await t.reconciler.reconcile('ns/web', t.signal);
    assert.equal(t.client.creates.length, 1);
    t.pods.upsert({ ...t.client.creates[0]!, metadata: { ...t.client.creates[0]!.metadata, name: 'web-0', uid: 'p0' } });
    t.expectations.creationObserved('ns/web');
    await assert.rejects(t.reconciler.reconcile('ns/web', t.signal), /exceeded quota/, 'once observed, the next sync tries again');
  });

  it('tries another generated name when one is taken', async () => {
    const t = setup(2);
    t.client.nameTaken = 2;
    await t.reconciler.reconcile('ns/web', t.signal);
    assert.equal(t.client.creates.length, 2);
    assert.ok(!t.events.some((e) => e.includes('FailedCreate')));
  });

  it('creates at most burstReplicas pods per sync', async () => {
    const t = setup(12, 5);
    await t.reconciler.reconcile('ns/web', t.signal);
    assert.equal(t.client.creates.length, 5);
  });

  it('deletes the surplus, not-ready pods first, and does not count them twice', async () => {
    const t = setup(1);
    const ref = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true }];
    const mk = (name: string, ready: boolean): Pod => ({
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name, namespace: 'ns', uid: name, labels: { app: 'web' }, ownerReferences: ref, creationTimestamp: '2026-01-01T00:00:00Z' },
      spec: { nodeName: 'n1' },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
    });
    for (const p of [mk('a', true), mk('b', false), mk('c', true)]) t.pods.upsert(p);
    await t.reconciler.reconcile('ns/web', t.signal);
    assert.equal(t.client.deletes.length, 2);
    assert.ok(t.client.deletes.includes('b'), 'the unready pod is deleted');
    assert.ok(t.events.includes('Normal SuccessfulDelete Deleted pod: b'));
    await t.reconciler.reconcile('ns/web', t.signal);
    assert.equal(t.client.deletes.length, 2, 'no second round before the deletions are observed');
  });
});
