import assert from 'node:assert/strict';
import { test } from 'node:test';
import { filterAll, makeNode, makePod, snapshotOf } from '../../testing/fixtures.ts';
import { newNodeUnschedulable } from './node-unschedulable.ts';

test('cordoned nodes take only pods tolerating the unschedulable taint', () => {
  const snap = snapshotOf([makeNode('cordoned', { unschedulable: true }), makeNode('open')]);
  assert.deepEqual(filterAll(newNodeUnschedulable(), makePod('p'), snap), { cordoned: 'node(s) were unschedulable', open: '' });
  const ds = makePod('ds', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] });
  assert.deepEqual(filterAll(newNodeUnschedulable(), ds, snap), { cordoned: '', open: '' });
});
