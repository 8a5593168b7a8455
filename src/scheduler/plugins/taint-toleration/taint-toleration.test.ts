import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node } from '../../api-types.ts';
import { PodInfo } from '../../framework/pod-info.ts';
import { QueueingHint } from '../../framework/events.ts';
import { filterAll, makeNode, makePod, scoreAll, snapshotOf } from '../../testing/fixtures.ts';
import { newTaintToleration } from './taint-toleration.ts';

const controlPlane = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };

test('Filter rejects untolerated NoSchedule/NoExecute taints with the upstream reason', () => {
  const snap = snapshotOf([
    makeNode('cp', { taints: [controlPlane] }),
    makeNode('gpu', { taints: [{ key: 'gpu', value: 'true', effect: 'NoExecute' }] }),
    makeNode('soft', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] }),
  ]);
  const plugin = newTaintToleration();
  assert.deepEqual(filterAll(plugin, makePod('p'), snap), {
    cp: 'node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }',
    gpu: 'node(s) had untolerated taint {gpu: true}',
    soft: '',
  });
  const tolerant = makePod('t', { tolerations: [{ key: 'gpu', operator: 'Equal', value: 'true' }, { operator: 'Exists', effect: 'NoSchedule' }] });
  assert.deepEqual(filterAll(plugin, tolerant, snap), { cp: '', gpu: '', soft: '' });
  const wrongValue = makePod('w', { tolerations: [{ key: 'gpu', value: 'false' }] });
  assert.equal(filterAll(plugin, wrongValue, snap)['gpu'], 'node(s) had untolerated taint {gpu: true}');
});

test('Score prefers fewer untolerated PreferNoSchedule taints', () => {
  const snap = snapshotOf([
    makeNode('clean'),
    makeNode('one', { taints: [{ key: 'a', effect: 'PreferNoSchedule' }] }),
    makeNode('two', { taints: [{ key: 'a', effect: 'PreferNoSchedule' }, { key: 'b', effect: 'PreferNoSchedule' }] }),
  ]);
  assert.deepEqual(scoreAll(newTaintToleration(), makePod('p'), snap.nodeInfoList), { clean: 100, one: 50, two: 0 });
  const tolerant = makePod('t', { tolerations: [{ key: 'a', operator: 'Exists', effect: 'PreferNoSchedule' }] });
  assert.deepEqual(scoreAll(newTaintToleration(), tolerant, snap.nodeInfoList), { clean: 100, one: 100, two: 0 });
});

test('the queueing hint wakes the pod only for a node whose taints it now tolerates', () => {
  const hint = newTaintToleration().eventsToRegister!()[0]!.hint!;
  const pod = new PodInfo(makePod('p'));
  const tainted: Node = makeNode('n', { taints: [controlPlane] });
  assert.equal(hint(pod, undefined, tainted), QueueingHint.Skip);
  assert.equal(hint(pod, undefined, makeNode('m')), QueueingHint.Queue);
  assert.equal(hint(pod, tainted, makeNode('n')), QueueingHint.Queue, 'taint removed');
});
