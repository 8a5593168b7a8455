import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SchedulerCache } from '../../cache/cache.ts';
import { Snapshot } from '../../cache/snapshot.ts';
import { fakeHandle, makeNode, makePod, scoreAll } from '../../testing/fixtures.ts';
import { calculatePriority, newImageLocality, normalizedImageName } from './image-locality.ts';

const MB = 1024 * 1024;

test('untagged images are compared as :latest', () => {
  assert.equal(normalizedImageName('nginx'), 'nginx:latest');
  assert.equal(normalizedImageName('registry:5000/app'), 'registry:5000/app:latest');
  assert.equal(normalizedImageName('app:v1'), 'app:v1');
});

test('nodes with the image score by its size spread over how many nodes have it', () => {
  const cache = new SchedulerCache();
  cache.addNode(makeNode('has', { images: [{ names: ['app:v1'], sizeBytes: 500 * MB }] }));
  cache.addNode(makeNode('lacks'));
  const snap = new Snapshot();
  cache.updateSnapshot(snap);
  const scores = scoreAll(newImageLocality(fakeHandle(snap)), makePod('p', { images: ['app:v1'] }), snap.nodeInfoList);
  // 500 MiB * 1/2 nodes = 250 MiB: 100 * (250 - 23) / (1000 - 23) = 23.
  assert.deepEqual(scores, { has: calculatePriority(250 * MB, 1), lacks: 0 });
  assert.equal(scores['has'], 23);
});
