import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from '../util/index.ts';
import { calculateStatus, nextAvailableInMs, statusUpToDate } from './status.ts';
import type { Replicated } from './types.ts';

const NOW = Date.parse('2026-01-01T00:01:00Z');
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const rs = (replicas: number, minReadySeconds = 0, status: Replicated['status'] = {}): Replicated => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'rs', namespace: 'ns', generation: 2 },
  spec: { replicas, minReadySeconds, template: { metadata: { labels: { app: 'web', tier: 'fe' } } } },
  status,
});

const pod = (labels: Record<string, string>, readySinceMs?: number): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', labels },
  status: { phase: 'Running', conditions: readySinceMs === undefined ? [] : [{ type: 'Ready', status: 'True', lastTransitionTime: iso(readySinceMs) }] },
});

describe('ReplicaSet status', () => {
  it('counts replicas, fully labeled, ready and available pods (minReadySeconds)', () => {
    const pods = [pod({ app: 'web', tier: 'fe' }, NOW - 60_000), pod({ app: 'web', tier: 'fe', extra: 'x' }, NOW - 2_000), pod({ app: 'web' }), pod({ app: 'web', tier: 'fe' }, NOW)];
    const s = calculateStatus(rs(4, 5), pods, undefined, NOW);
    assert.deepEqual(s, { replicas: 4, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 1 });
    assert.equal(nextAvailableInMs(rs(4, 5), pods, NOW), 3_000, 'the pod ready 2 s ago is available in 3 s');
    assert.equal(nextAvailableInMs(rs(4, 0), pods, NOW), undefined);
  });

  it('leaves zero counts out but always carries replicas', () => {
    assert.deepEqual(calculateStatus(rs(0), [], undefined, NOW), { replicas: 0 });
  });

  it('adds ReplicaFailure when creating fails, keeps it while failing, drops it after a clean sync', () => {
    const failed = calculateStatus(rs(3), [], new Error('pods "x" is forbidden: quota'), NOW);
    assert.deepEqual(failed.conditions, [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'pods "x" is forbidden: quota', lastTransitionTime: iso(NOW) }]);
    const again = calculateStatus(rs(3, 0, failed), [], new Error('other'), NOW + 5000);
    assert.deepEqual(again.conditions, failed.conditions, 'an existing failure is kept as it was');
    const deleting = calculateStatus(rs(0), [pod({ app: 'web' })], new Error('boom'), NOW);
    assert.equal(deleting.conditions?.[0]?.reason, 'FailedDelete');
    assert.equal(calculateStatus(rs(3, 0, failed), [], undefined, NOW).conditions, undefined);
  });

  it('is up to date only when counts, conditions and observedGeneration agree', () => {
    const obj = rs(1, 0, { replicas: 1, observedGeneration: 2 });
    assert.equal(statusUpToDate(obj, calculateStatus(obj, [pod({ app: 'web' })], undefined, NOW)), true);
    assert.equal(statusUpToDate(obj, calculateStatus(obj, [], undefined, NOW)), false);
    const stale = rs(1, 0, { replicas: 1, observedGeneration: 1 });
    assert.equal(statusUpToDate(stale, calculateStatus(stale, [pod({ app: 'web' })], undefined, NOW)), false, 'a new generation must be observed');
  });
});
