import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventRecorder, FakeClock, type RestClient } from '../../client/index.ts';
import type { ControllerRevision } from '../history/index.ts';
import type { Pod } from '../util/pods.ts';
import { newStatefulSetPod } from './identity.ts';
import type { PodControl } from './pod-control.ts';
import { newRevision } from './revisions.ts';
import { StatefulSetControl } from './stateful-set-control.ts';
import type { StatefulSet, StatefulSetSpec } from './types.ts';

const NOW = Date.parse('2024-05-01T12:00:00Z');

function makeSet(spec: Partial<StatefulSetSpec> = {}, image = 'nginx:1'): StatefulSet {
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'ns', uid: 'set-uid', generation: 1 },
    spec: {
      replicas: 3, serviceName: 'web', podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } },
      ...spec,
    },
  };
}

/** The revision of `set`'s template as the API server would have stored it. */
const storedRevision = (set: StatefulSet, n = 1): ControllerRevision => ({ ...newRevision(set, n, 0), metadata: { ...newRevision(set, n, 0).metadata, creationTimestamp: '2024-05-01T11:00:00Z' } });

/** A pod of `set` at `ordinal` as the cache would hold it: Running, Ready (or not). */
function pod(set: StatefulSet, ordinal: number, revision: string, state: { ready?: boolean; phase?: string } = {}): Pod {
  const p = newStatefulSetPod(set, ordinal);
  p.metadata.uid = `uid-${ordinal}`;
  p.metadata.labels = { ...p.metadata.labels, 'controller-revision-hash': revision };
  p.status = { phase: state.phase ?? 'Running', conditions: [{ type: 'Ready', status: state.ready === false ? 'False' : 'True', lastTransitionTime: '2024-05-01T11:00:00Z' }] };
  return p;
}

class FakePodControl implements PodControl {
  calls: string[] = [];
  stale = false;
  async createPod(_set: StatefulSet, p: Pod): Promise<boolean> {
    this.calls.push(`create ${p.metadata.name} ${p.metadata.labels?.['controller-revision-hash']}`);
    return true;
  }
  async updatePod(_set: StatefulSet, p: Pod): Promise<void> {
    this.calls.push(`update ${p.metadata.name}`);
  }
  async deletePod(_set: StatefulSet, p: Pod): Promise<void> {
    this.calls.push(`delete ${p.metadata.name}`);
  }
  async createMissingClaims(): Promise<void> {}
  claimsMatchRetentionPolicy(): boolean {
    return true;
  }
  async updateClaimsForRetentionPolicy(): Promise<void> {}
  podClaimIsStale(): boolean {
    return this.stale;
  }
}

function harness() {
  const control = new FakePodControl();
  const statuses: unknown[] = [];
  const deleted: string[] = [];
  const client = {
    updateStatus: async (_ref: unknown, obj: StatefulSet) => (statuses.push(obj.status), obj),
    create: async (_ref: unknown, obj: unknown) => obj,
    delete: async (ref: { name: string }) => (deleted.push(ref.name), {}),
  } as unknown as RestClient;
  const recorder = new EventRecorder({ create: async (_r: unknown, o: unknown) => o, patch: async () => ({}) } as unknown as RestClient, { source: { component: 'test' } });
  const ssc = new StatefulSetControl({ client, control, recorder, clock: new FakeClock(NOW) });
  return { ssc, control, statuses, deleted };
}

describe('StatefulSetControl', () => {
  it('OrderedReady creates the lowest missing ordinal and waits for it to be Ready', async () => {
    const set = makeSet();
    const rev = storedRevision(set);
    const name = rev.metadata.name ?? '';
    let h = harness();
    await h.ssc.update(set, [], [rev]);
    assert.deepEqual(h.control.calls, [`create web-0 ${name}`]);

    h = harness();
    await h.ssc.update(set, [pod(set, 0, name, { ready: false })], [rev]);
    assert.deepEqual(h.control.calls, [], 'web-0 is not Ready: nothing more');

    h = harness();
    await h.ssc.update(set, [pod(set, 0, name)], [rev]);
    assert.deepEqual(h.control.calls, [`create web-1 ${name}`]);
  });

  it('waits for minReadySeconds before going on', async () => {
    const set = makeSet({ minReadySeconds: 3600 * 2 });
    const rev = storedRevision(set);
    const h = harness();
    await h.ssc.update(set, [pod(set, 0, rev.metadata.name ?? '')], [rev]);
    assert.deepEqual(h.control.calls, [], 'ready for 1h, needs 2h');
  });

  it('Parallel creates every missing ordinal at once, from spec.ordinals.start', async () => {
    const set = makeSet({ podManagementPolicy: 'Parallel', ordinals: { start: 5 } });
    const rev = storedRevision(set);
    const h = harness();
    await h.ssc.update(set, [pod(set, 6, rev.metadata.name ?? '', { ready: false })], [rev]);
    assert.deepEqual(h.control.calls.sort(), [`create web-5 ${rev.metadata.name}`, `create web-7 ${rev.metadata.name}`]);
  });

  it('scales down from the highest ordinal: one at a time with OrderedReady, all at once with Parallel', async () => {
    for (const [policy, expected] of [['OrderedReady', ['delete web-3']], ['Parallel', ['delete web-2', 'delete web-3']]] as const) {
      const set = makeSet({ replicas: 2, podManagementPolicy: policy });
      const rev = storedRevision(set);
      const h = harness();
      await h.ssc.update(set, [0, 1, 2, 3].map((o) => pod(set, o, rev.metadata.name ?? '')), [rev]);
      assert.deepEqual(h.control.calls.sort(), [...expected], policy);
    }
  });

  it('recreates a failed pod', async () => {
    const set = makeSet({ replicas: 1 });
    const rev = storedRevision(set);
    const h = harness();
    await h.ssc.update(set, [pod(set, 0, rev.metadata.name ?? '', { phase: 'Failed', ready: false })], [rev]);
    assert.deepEqual(h.control.calls, ['delete web-0', `create web-0 ${rev.metadata.name}`]);
  });

  it('rolls the highest ordinal at or above the partition first, maxUnavailable at a time', async () => {
    const old = makeSet();
    const oldRev = storedRevision(old, 1);
    const oldName = oldRev.metadata.name ?? '';
    const pods = [0, 1, 2].map((o) => pod(old, o, oldName));
    const updated = (spec: Partial<StatefulSetSpec>): StatefulSet => ({ ...makeSet(spec, 'nginx:2'), status: { replicas: 3, currentRevision: oldName } });

    let h = harness();
    await h.ssc.update(updated({}), pods, [oldRev]);
    assert.deepEqual(h.control.calls, ['delete web-2']);

    h = harness();
    await h.ssc.update(updated({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1, maxUnavailable: 3 } } }), pods, [oldRev]);
    assert.deepEqual(h.control.calls, ['delete web-2', 'delete web-1'], 'web-0 is below the partition');

    h = harness();
    await h.ssc.update(updated({ updateStrategy: { type: 'OnDelete' } }), pods, [oldRev]);
    assert.deepEqual(h.control.calls, [], 'OnDelete never deletes for an update');
  });

  it('recreates a pod below the partition from the current revision, above it from the update revision', async () => {
    const old = makeSet();
    const oldRev = storedRevision(old, 1);
    const oldName = oldRev.metadata.name ?? '';
    const set: StatefulSet = { ...makeSet({ podManagementPolicy: 'Parallel', updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }, 'nginx:2'), status: { replicas: 3, currentRevision: oldName } };
    const h = harness();
    const status = await h.ssc.update(set, [], [oldRev]);
    const updateName = status.updateRevision ?? '';
    assert.notEqual(updateName, oldName);
    assert.deepEqual(h.control.calls.sort(), [`create web-0 ${oldName}`, `create web-1 ${oldName}`, `create web-2 ${updateName}`]);
  });

  it('does not create a pod whose claim still belongs to its predecessor', async () => {
    const set = makeSet({ replicas: 1 });
    const rev = storedRevision(set);
    const h = harness();
    h.control.stale = true;
    await h.ssc.update(set, [], [rev]);
    assert.deepEqual(h.control.calls, []);
  });

  it('truncates revisions beyond revisionHistoryLimit that neither status nor any pod uses', async () => {
    const at = (image: string, n: number): ControllerRevision => storedRevision(makeSet({}, image), n);
    const [r1, r2, r3, r4] = [at('a', 1), at('b', 2), at('c', 3), at('d', 4)];
    const set: StatefulSet = { ...makeSet({ revisionHistoryLimit: 1 }, 'd'), status: { replicas: 3, currentRevision: r3.metadata.name ?? '' } };
    const pods = [pod(set, 0, r1.metadata.name ?? ''), pod(set, 1, r4.metadata.name ?? ''), pod(set, 2, r4.metadata.name ?? '')];
    const h = harness();
    await h.ssc.update(set, pods, [r1, r2, r3, r4]);
    assert.deepEqual(h.deleted, [], 'r2 is the one non-live revision the limit keeps');
    const h0 = harness();
    await h0.ssc.update({ ...set, spec: { ...set.spec, revisionHistoryLimit: 0 } }, pods, [r1, r2, r3, r4]);
    assert.deepEqual(h0.deleted, [r2.metadata.name]);
  });

  it('reports status and completes a finished rolling update', async () => {
    const set = makeSet();
    const rev = storedRevision(set);
    const name = rev.metadata.name ?? '';
    const h = harness();
    const status = await h.ssc.update({ ...set, status: { replicas: 3, currentRevision: 'web-old' } }, [0, 1, 2].map((o) => pod(set, o, name)), [rev]);
    assert.deepEqual(
      { ...status },
      { replicas: 3, readyReplicas: 3, availableReplicas: 3, currentReplicas: 3, updatedReplicas: 3, observedGeneration: 1, currentRevision: name, updateRevision: name, collisionCount: 0 },
    );
    assert.equal(h.statuses.length, 1);
  });
});
