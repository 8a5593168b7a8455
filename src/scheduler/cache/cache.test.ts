import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PodInfo } from '../framework/pod-info.ts';
import { makeNode, makePod } from '../testing/fixtures.ts';
import { SchedulerCache } from './cache.ts';
import { Snapshot } from './snapshot.ts';

const ZONE = 'topology.kubernetes.io/zone';

test('an assumed pod charges its node at once; the informer confirms it; forgetting frees it', () => {
  const cache = new SchedulerCache();
  cache.addNode(makeNode('n', { cpu: '4' }));
  const pod = makePod('p', { node: 'n', cpu: '1' });
  const assumed = new PodInfo(pod);
  cache.assumePod(assumed);
  assert.equal(cache.nodeInfo('n')!.requested.milliCPU, 1000);
  assert.ok(cache.isAssumed(assumed.uid));
  assert.throws(() => cache.assumePod(assumed), /already in the cache/);

  cache.addPod(new PodInfo(pod));
  assert.ok(!cache.isAssumed(assumed.uid));
  assert.equal(cache.nodeInfo('n')!.requested.milliCPU, 1000, 'confirmed, not counted twice');

  const other = new PodInfo(makePod('q', { node: 'n', cpu: '2' }));
  cache.assumePod(other);
  cache.forgetPod(other);
  assert.equal(cache.nodeInfo('n')!.requested.milliCPU, 1000);
  assert.equal(cache.podCount, 1);
});

test('a confirmed pod that landed elsewhere than assumed moves to its real node', () => {
  const cache = new SchedulerCache();
  cache.addNode(makeNode('a'));
  cache.addNode(makeNode('b'));
  const p = makePod('p', { node: 'a', cpu: '1' });
  cache.assumePod(new PodInfo(p));
  cache.addPod(new PodInfo({ ...p, spec: { ...p.spec, nodeName: 'b' } }));
  assert.equal(cache.nodeInfo('a')!.pods.length, 0);
  assert.equal(cache.nodeInfo('b')!.requested.milliCPU, 1000);
});

test('the snapshot copies only changed NodeInfos and interleaves zones', () => {
  const cache = new SchedulerCache();
  for (const [n, z] of [['a1', 'a'], ['a2', 'a'], ['b1', 'b'], ['c1', 'c'], ['b2', 'b']] as const) cache.addNode(makeNode(n, { labels: { [ZONE]: z } }));
  const snap = new Snapshot();
  cache.updateSnapshot(snap);
  assert.deepEqual(snap.nodeInfoList.map((n) => n.name), ['a1', 'b1', 'c1', 'a2', 'b2']);
  const before = snap.get('b1');
  cache.addPod(new PodInfo(makePod('p', { node: 'a1', cpu: '1', affinity: { podAntiAffinity: {} } })));
  cache.updateSnapshot(snap);
  assert.equal(snap.get('b1'), before, 'unchanged nodes keep their object');
  assert.equal(snap.get('a1')!.requested.milliCPU, 1000);
  assert.deepEqual(snap.havePodsWithAffinityList.map((n) => n.name), ['a1']);
  assert.equal(cache.nodeInfo('a1')!.pods.length, 1);
  // Changing the snapshot's copy does not touch the cache.
  snap.get('a1')!.pods.pop();
  assert.equal(cache.nodeInfo('a1')!.pods.length, 1);

  cache.removeNode(makeNode('c1', { labels: { [ZONE]: 'c' } }));
  cache.updateSnapshot(snap);
  assert.deepEqual(snap.nodeInfoList.map((n) => n.name), ['a1', 'b1', 'a2', 'b2']);
  assert.equal(snap.get('c1'), undefined);
});

test('pods that arrive before their node wait in a nodeless NodeInfo that the snapshot leaves out', () => {
  const cache = new SchedulerCache();
  cache.addPod(new PodInfo(makePod('early', { node: 'late', cpu: '1' })));
  const snap = new Snapshot();
  cache.updateSnapshot(snap);
  assert.equal(snap.numNodes, 0);
  cache.addNode(makeNode('late'));
  cache.updateSnapshot(snap);
  assert.equal(snap.get('late')!.requested.milliCPU, 1000);
});

test('image states count the nodes that have an image', () => {
  const cache = new SchedulerCache();
  const img = { names: ['app:v1'], sizeBytes: 100 };
  cache.addNode(makeNode('a', { images: [img] }));
  cache.addNode(makeNode('b', { images: [img] }));
  assert.equal(cache.nodeInfo('a')!.imageStates.get('app:v1')!.numNodes, 2);
  cache.removeNode(makeNode('b', { images: [img] }));
  assert.equal(cache.nodeInfo('a')!.imageStates.get('app:v1')!.numNodes, 1);
});
