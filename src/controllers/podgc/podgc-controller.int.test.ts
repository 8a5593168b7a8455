// The pod garbage collector against a real in-process API server, with short periods: pods of
// deleted nodes, terminated pods beyond the threshold, unscheduled terminating pods.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { exists, startTestCluster, until, type TestCluster } from '../../../test/support/cluster.ts';
import type { KubeObject } from '../../api/types.ts';
import type { ControllerSpec } from '../index.ts';
import { podCondition, type Pod } from '../util/pods.ts';
import { NODES, PODS } from '../util/refs.ts';
import { podGcController } from './podgc-controller.ts';

const HOLD = 'test.strata.dev/hold';

function pod(name: string, opts: { node?: string; finalizer?: boolean; annotations?: Record<string, string>; labels?: Record<string, string> } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', ...(opts.finalizer ? { finalizers: [HOLD] } : {}), ...(opts.annotations ? { annotations: opts.annotations } : {}), ...(opts.labels ? { labels: opts.labels } : {}) },
    spec: { ...(opts.node ? { nodeName: opts.node } : {}), restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] },
  };
}

describe('pod garbage collector', { timeout: 60_000 }, () => {
  let c: TestCluster;
  before(async () => {
    const gc: ControllerSpec = { name: 'podgc-fast', component: 'pod-garbage-collector', make: (ctx) => podGcController(ctx, { terminatedPodThreshold: 3, gcPeriodMs: 100, quarantineMs: 300 }) };
    c = await startTestCluster({ controllers: [gc], driver: { bind: false } });
  });
  after(async () => {
    await c?.stop();
  });

  const ref = (name: string) => ({ ...PODS, namespace: 'default', name });
  const getPod = (name: string) => c.client.get<Pod>(ref(name));
  const release = (name: string) => c.client.patch(ref(name), 'merge', { metadata: { finalizers: null } });

  it('marks pods of a deleted node Failed with DisruptionTarget and deletes them; pods of live nodes stay', async () => {
    const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'doomed' } };
    await c.client.create(NODES, node);
    await c.client.create({ ...PODS, namespace: 'default' }, pod('on-doomed', { node: 'doomed', finalizer: true }));
    await c.client.create({ ...PODS, namespace: 'default' }, pod('on-ghost', { node: 'ghost' }));
    await c.client.create({ ...PODS, namespace: 'default' }, pod('on-live', { node: 'node-1', annotations: { 'sim.strata.dev/never-ready': 'true' } }));
    await new Promise((r) => setTimeout(r, 600));
    assert.ok(await exists(c.client, ref('on-doomed')), 'the node still exists: its pod is left alone');
    const deletedAt = Date.now();
    await c.client.delete({ ...NODES, name: 'doomed' });
    const marked = await until('on-doomed marked and deleted', async () => {
      const p = await getPod('on-doomed');
      return p.metadata.deletionTimestamp ? p : undefined;
    });
    assert.ok(Date.now() - deletedAt >= 300, 'not before the quarantine');
    assert.equal(marked.status?.phase, 'Failed');
    const cond = podCondition(marked, 'DisruptionTarget');
    assert.deepEqual({ status: cond?.status, reason: cond?.reason, message: cond?.message }, { status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' });
    assert.equal(marked.metadata.deletionGracePeriodSeconds, 0);
    await release('on-doomed');
    await until('on-ghost deleted', async () => !(await exists(c.client, ref('on-ghost'))));
    assert.ok(await exists(c.client, ref('on-live')));
    await c.client.delete(ref('on-live'));
  });

  it('deletes the oldest terminated pods beyond the threshold', async () => {
    for (let i = 1; i <= 5; i++) {
      await c.client.create({ ...PODS, namespace: 'default' }, pod(`done-${i}`, { node: 'node-2', labels: { set: 'done' }, annotations: { 'sim.strata.dev/exit-code': '0', 'sim.strata.dev/run-ms': '0' } }));
    }
    const left = await until('3 terminated pods left', async () => {
      const pods = (await c.client.list<Pod>({ ...PODS, namespace: 'default' }, { labelSelector: 'set=done' })).items;
      return pods.length === 3 && pods.every((p) => p.status?.phase === 'Succeeded') ? pods : undefined;
    });
    assert.deepEqual(left.map((p) => p.metadata.name).sort(), ['done-3', 'done-4', 'done-5']);
  });

  it('force-deletes a terminating pod that was never scheduled', async () => {
    await c.client.create({ ...PODS, namespace: 'default' }, pod('never-bound', { finalizer: true }));
    await c.client.delete(ref('never-bound'));
    const failed = await until('marked Failed', async () => {
      const p = await getPod('never-bound');
      return p.status?.phase === 'Failed' ? p : undefined;
    });
    assert.ok(failed.metadata.deletionTimestamp);
    await release('never-bound');
    await until('gone', async () => !(await exists(c.client, ref('never-bound'))));
  });
});
