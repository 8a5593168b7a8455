import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { QueuedPodInfo } from '../../framework/interface.ts';
import { PodInfo } from '../../framework/pod-info.ts';
import { makePod } from '../../testing/fixtures.ts';
import { newPrioritySort } from './priority-sort.ts';

const q = (priority: number, timestamp: number) => ({ podInfo: new PodInfo(makePod('p', { priority })), timestamp }) as QueuedPodInfo;

test('higher priority first, then earlier arrival', () => {
  const { less } = newPrioritySort();
  assert.equal(less(q(10, 5), q(1, 0)), true);
  assert.equal(less(q(1, 0), q(10, 5)), false);
  assert.equal(less(q(1, 0), q(1, 5)), true);
  assert.equal(less(q(1, 5), q(1, 5)), false);
});
