import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from '../util/pods.ts';
import { planManage, type ManageContext } from './manage.ts';
import type { Placement } from './placement.ts';
import { allowsSurge, planRollingUpdate, rollingLimits, type RollingInput } from './rolling-update.ts';
import { computeStatus } from './status.ts';
import type { DaemonSet, Node } from './types.ts';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const HASH = 'new';

let seq = 0;
/** A pod on `node` of revision `hash`: ready (and available) unless told otherwise. */
function pod(node: string, hash: string, o: { ready?: boolean; phase?: string; created?: string; terminating?: boolean } = {}): Pod {
  seq++;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: `p${seq}-${node}-${hash}`, uid: `u${seq}`, labels: { 'controller-revision-hash': hash }, creationTimestamp: o.created ?? '2024-05-01T10:00:00Z', ...(o.terminating ? { deletionTimestamp: '2024-05-01T11:59:00Z' } : {}) },
    spec: { nodeName: node },
    status: { phase: o.phase ?? 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: '2024-05-01T11:00:00Z' }] },
  };
}
const ds = (rollingUpdate: { maxUnavailable?: number | string; maxSurge?: number | string }): DaemonSet => ({
  apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'd' }, spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate } },
});
const input = (nodeToPods: Record<string, Pod[]>, o: Partial<RollingInput> = {}): RollingInput => ({
  nodeToPods: new Map(Object.entries(nodeToPods)), desired: Object.keys(nodeToPods).length, maxSurge: 0, maxUnavailable: 1,
  hash: HASH, generation: undefined, minReadySeconds: 0, nowMs: NOW, shouldRun: () => true, ...o,
});
const nodesOf = (pods: Pod[]): string[] => pods.map((p) => p.spec?.nodeName ?? '');

describe('DaemonSet rolling update', () => {
  it('resolves maxUnavailable and maxSurge against the desired count, rounding up', () => {
    assert.deepEqual(rollingLimits(ds({ maxUnavailable: '25%', maxSurge: 0 }), 10), { maxSurge: 0, maxUnavailable: 3 });
    assert.deepEqual(rollingLimits(ds({ maxUnavailable: 0, maxSurge: '10%' }), 5), { maxSurge: 1, maxUnavailable: 0 });
    assert.deepEqual(rollingLimits(ds({ maxUnavailable: 0, maxSurge: 0 }), 5), { maxSurge: 0, maxUnavailable: 1 }, 'never stuck');
    assert.equal(allowsSurge(ds({ maxSurge: '1%' })), true);
    assert.equal(allowsSurge(ds({ maxSurge: 0 })), false);
  });

  it('without surge deletes old available pods up to maxUnavailable, counting what is already unavailable', () => {
    const nodes = { a: [pod('a', 'old')], b: [pod('b', 'old')], c: [pod('c', 'old')], d: [pod('d', HASH, { ready: false })] };
    assert.deepEqual(nodesOf(planRollingUpdate(input(nodes, { maxUnavailable: 1 })).podsToDelete), [], 'd is unavailable already');
    assert.deepEqual(nodesOf(planRollingUpdate(input(nodes, { maxUnavailable: 3 })).podsToDelete), ['a', 'b']);
    const unavailableOld = { a: [pod('a', 'old')], b: [pod('b', 'old', { ready: false })], e: [] };
    assert.deepEqual(nodesOf(planRollingUpdate(input(unavailableOld, { maxUnavailable: 1 })).podsToDelete), ['b'], 'an unavailable old pod is replaced regardless');
  });

  it('with surge starts new pods beside old ones, up to maxSurge, and retires old ones once the new are available', () => {
    const nodes = { a: [pod('a', 'old')], b: [pod('b', 'old')], c: [pod('c', 'old', { ready: false })] };
    const first = planRollingUpdate(input(nodes, { maxSurge: 1, maxUnavailable: 0 }));
    assert.deepEqual(first.nodesToCreate, ['c', 'a'], 'c at once (its old pod is unavailable), then one surge');
    assert.deepEqual(first.podsToDelete, []);
    const surged = { a: [pod('a', 'old'), pod('a', HASH, { ready: false })], b: [pod('b', 'old')], c: [pod('c', 'old'), pod('c', HASH)] };
    const second = planRollingUpdate(input(surged, { maxSurge: 1, maxUnavailable: 0 }));
    assert.deepEqual(nodesOf(second.podsToDelete), ['c'], 'c has an available new pod');
    assert.deepEqual(second.nodesToCreate, [], 'a is still surging: no room for b');
  });
});

describe('DaemonSet manage and status', () => {
  const placements: Record<string, Placement> = {
    run: { shouldRun: true, shouldContinueRunning: true },
    stay: { shouldRun: false, shouldContinueRunning: true },
    off: { shouldRun: false, shouldContinueRunning: false },
  };
  const node = (name: string): Node => ({ apiVersion: 'v1', kind: 'Node', metadata: { name } });
  const ctx = (o: Partial<ManageContext> = {}): ManageContext => ({ hash: HASH, allowsSurge: false, minReadySeconds: 0, nowMs: NOW, mayDeleteFailed: () => true, ...o });

  it('creates where missing, deletes where not wanted, failed, finished or in excess (keeping the oldest)', () => {
    const older = pod('run', HASH, { created: '2024-05-01T09:00:00Z' });
    const newer = pod('run', HASH);
    const failed = pod('stay', HASH, { phase: 'Failed' });
    const off = pod('off', HASH);
    const orphanPinned: Pod = { ...pod('gone', HASH), spec: {} };
    const map = new Map<string, Pod[]>([['run', [newer, older]], ['stay', [failed]], ['off', [off]], ['gone', [orphanPinned]]]);
    const nodes = [node('run'), node('stay'), node('off'), node('empty')];
    const placementOf = (n: Node): Placement => placements[n.metadata.name === 'empty' ? 'run' : (n.metadata.name ?? '')]!;
    const plan = planManage(nodes, placementOf, map, ctx());
    assert.deepEqual(plan.nodesNeedingPods, ['empty']);
    assert.deepEqual(plan.podsToDelete.map((p) => p.metadata.name), [newer, failed, off, orphanPinned].map((p) => p.metadata.name));
    assert.deepEqual(plan.failedPods.map((f) => f.node), ['stay']);
    const backingOff = planManage(nodes, placementOf, map, ctx({ mayDeleteFailed: () => false }));
    assert.ok(!backingOff.podsToDelete.includes(failed));
  });

  it('counts desired, current, ready, available, updated and misscheduled per node (the oldest pod of each)', () => {
    const map = new Map<string, Pod[]>([
      ['a', [pod('a', HASH)]],
      ['b', [pod('b', 'old', { ready: false })]],
      ['stay', [pod('stay', HASH)]],
    ]);
    const nodes = [node('a'), node('b'), node('c'), node('stay')];
    const counts = computeStatus({ nodes, placementOf: (n) => (n.metadata.name === 'stay' ? placements['stay']! : placements['run']!), nodeToPods: map, hash: HASH, generation: undefined, minReadySeconds: 0, nowMs: NOW });
    assert.deepEqual(counts, { desiredNumberScheduled: 3, currentNumberScheduled: 2, numberMisscheduled: 1, numberReady: 1, updatedNumberScheduled: 1, numberAvailable: 1, numberUnavailable: 2 });
  });
});
