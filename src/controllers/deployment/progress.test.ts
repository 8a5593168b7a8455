import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { progressCheckAfterMs, rolloutStatus } from './progress.ts';
import { deploymentFixture, iso, rsFixture, T0 } from './test-fixtures.ts';
import type { DeploymentCondition } from './types.ts';

const cond = (reason: string, status: DeploymentCondition['status'], atMs: number, transitionMs = atMs): DeploymentCondition => ({
  type: 'Progressing', status, reason, message: 'm', lastUpdateTime: iso(atMs), lastTransitionTime: iso(transitionMs),
});
const progressing = (s: { conditions?: DeploymentCondition[] }) => s.conditions?.find((c) => c.type === 'Progressing');

describe('rollout status and the progress deadline', () => {
  const oldRS = rsFixture('old', { replicas: 2, createdSec: 0 });

  it('marks a finished rollout NewReplicaSetAvailable and Available', () => {
    const d = deploymentFixture(3, {}, { observedGeneration: 1, conditions: [cond('ReplicaSetUpdated', 'True', T0)] });
    const s = rolloutStatus(d, [rsFixture('old', { replicas: 0 }), rsFixture('new', { replicas: 3 })], rsFixture('new', { replicas: 3 }), T0 + 5000);
    assert.deepEqual([progressing(s)?.reason, progressing(s)?.message, progressing(s)?.lastTransitionTime], ['NewReplicaSetAvailable', 'ReplicaSet "new" has successfully progressed.', iso(T0)]);
    assert.deepEqual(s.conditions?.find((c) => c.type === 'Available')?.reason, 'MinimumReplicasAvailable');
    assert.deepEqual([s.replicas, s.updatedReplicas, s.availableReplicas, s.unavailableReplicas], [3, 3, 3, undefined]);
  });

  it('refreshes lastUpdateTime on progress and keeps lastTransitionTime', () => {
    const d = deploymentFixture(3, {}, { replicas: 3, updatedReplicas: 1, availableReplicas: 2, conditions: [cond('ReplicaSetUpdated', 'True', T0)] });
    const newRS = rsFixture('new', { replicas: 2, available: 1, createdSec: 10 });
    const s = rolloutStatus(d, [rsFixture('old', { replicas: 1 }), newRS], newRS, T0 + 30_000);
    const p = progressing(s);
    assert.deepEqual([p?.reason, p?.lastUpdateTime, p?.lastTransitionTime], ['ReplicaSetUpdated', iso(T0 + 30_000), iso(T0)]);
  });

  it('times out when nothing moved for progressDeadlineSeconds, and says when to check before that', () => {
    const status = { observedGeneration: 1, replicas: 4, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2, unavailableReplicas: 2, conditions: [cond('ReplicaSetUpdated', 'True', T0)] };
    const d = deploymentFixture(3, { progressDeadlineSeconds: 60 }, status);
    const newRS = rsFixture('new', { replicas: 2, available: 0, createdSec: 10 });
    const all = [oldRS, newRS];
    const before = rolloutStatus(d, all, newRS, T0 + 30_000);
    assert.equal(progressing(before)?.reason, 'ReplicaSetUpdated', 'still within the deadline');
    assert.equal(progressCheckAfterMs(d, before, T0 + 30_000), 31_000, 'check a second after the deadline');
    const after = rolloutStatus(d, all, newRS, T0 + 61_000);
    assert.deepEqual([progressing(after)?.status, progressing(after)?.reason, progressing(after)?.message], ['False', 'ProgressDeadlineExceeded', 'ReplicaSet "new" has timed out progressing.']);
    const timedOut = deploymentFixture(3, { progressDeadlineSeconds: 60 }, after);
    assert.equal(progressCheckAfterMs(timedOut, after, T0 + 62_000), undefined, 'no more checks once timed out');
  });

  it('drops Progressing without a deadline and copies ReplicaFailure from the new ReplicaSet', () => {
    const d = deploymentFixture(2, { progressDeadlineSeconds: 2147483647 }, { conditions: [cond('ReplicaSetUpdated', 'True', T0)] });
    const newRS = rsFixture('new', { replicas: 2, available: 0 });
    newRS.status = { ...newRS.status, conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'quota', lastTransitionTime: iso(T0) }] };
    const s = rolloutStatus(d, [newRS], newRS, T0);
    assert.equal(progressing(s), undefined);
    assert.deepEqual(s.conditions?.find((c) => c.type === 'ReplicaFailure'), { type: 'ReplicaFailure', status: 'True', lastUpdateTime: iso(T0), lastTransitionTime: iso(T0), reason: 'FailedCreate', message: 'quota' });
  });
});
