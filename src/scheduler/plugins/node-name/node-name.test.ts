import assert from 'node:assert/strict';
import { test } from 'node:test';
import { filterAll, makeNode, makePod, snapshotOf } from '../../testing/fixtures.ts';
import { newNodeName } from './node-name.ts';

test('a pod naming a node fits only that node', () => {
  const snap = snapshotOf([makeNode('a'), makeNode('b')]);
  assert.deepEqual(filterAll(newNodeName(), makePod('p', { spec: { nodeName: 'b' } }), snap), { a: "node(s) didn't match the requested node name", b: '' });
  assert.deepEqual(filterAll(newNodeName(), makePod('q'), snap), { a: '', b: '' });
});
