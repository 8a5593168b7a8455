import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PodInfo } from '../../framework/pod-info.ts';
import { makePod } from '../../testing/fixtures.ts';
import { newSchedulingGates } from './scheduling-gates.ts';

test('a pod with scheduling gates is held back with the upstream message', () => {
  const plugin = newSchedulingGates();
  const s = plugin.preEnqueue(new PodInfo(makePod('p', { spec: { schedulingGates: [{ name: 'a' }, { name: 'b' }] } })));
  assert.equal(s?.message, 'waiting for scheduling gates: [a b]');
  assert.equal(plugin.preEnqueue(new PodInfo(makePod('q'))), undefined);
});
