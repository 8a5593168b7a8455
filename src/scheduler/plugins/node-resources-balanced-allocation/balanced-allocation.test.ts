import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeNode, makePod, scoreAll, snapshotOf } from '../../testing/fixtures.ts';
import { newBalancedAllocation } from './balanced-allocation.ts';

test('prefers the node where cpu and memory end up equally used', () => {
  const snap = snapshotOf([makeNode('cpu-heavy', { cpu: '4', memory: '8Gi' }), makeNode('even', { cpu: '4', memory: '8Gi' })], [makePod('x', { node: 'cpu-heavy', cpu: '2' })]);
  const scores = scoreAll(newBalancedAllocation({}), makePod('p', { cpu: '1', memory: '2Gi' }), snap.nodeInfoList);
  // even: 25% / 25% -> 100; cpu-heavy: 75% / 25% -> std 0.25 -> 75.
  assert.deepEqual(scores, { 'cpu-heavy': 75, even: 100 });
});

test('best-effort pods are not scored (PreScore skips)', () => {
  const snap = snapshotOf([makeNode('a'), makeNode('b')]);
  assert.deepEqual(scoreAll(newBalancedAllocation({}), makePod('p'), snap.nodeInfoList), { a: 0, b: 0 });
});
