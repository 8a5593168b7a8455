import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { replicaSetsToCleanUp } from './cleanup.ts';
import { findActiveOrLatest, findNewReplicaSet, isSaturated, newRSNewReplicas } from './replica-set-util.ts';
import { isScalingEvent } from './scale.ts';
import { deploymentFixture, rsFixture } from './test-fixtures.ts';
import { DESIRED_REPLICAS } from './types.ts';

describe('ReplicaSet facts', () => {
  it('grows the new ReplicaSet up to replicas + maxSurge, counting pods not yet deleted', () => {
    const d = deploymentFixture(10, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } });
    const old = rsFixture('old', { replicas: 8 });
    const neu = rsFixture('new', { replicas: 3 });
    assert.equal(newRSNewReplicas(d, [old, neu], neu), 5);
    assert.equal(newRSNewReplicas(d, [old, neu], neu, (rs) => (rs === old ? 10 : 3)), 3, 'the old pods still running fill the surge');
    assert.equal(newRSNewReplicas(d, [rsFixture('old', { replicas: 0 }), neu], neu), 10, 'never past replicas');
    assert.equal(newRSNewReplicas(deploymentFixture(4, { strategy: { type: 'Recreate' } }), [old, neu], neu), 4);
  });

  it('finds the new ReplicaSet by template (the oldest of equals) and the one running ReplicaSet', () => {
    const d = deploymentFixture(3);
    const match = (name: string, createdSec: number) => ({ ...rsFixture(name, { replicas: 1, createdSec }), spec: { replicas: 1, template: { ...structuredClone(d.spec?.template ?? {}), metadata: { labels: { app: 'web', 'pod-template-hash': name } } } } });
    const other = rsFixture('other', { replicas: 2, createdSec: 0 });
    assert.equal(findNewReplicaSet(d, [other, match('b', 20), match('a', 10)])?.metadata.name, 'a');
    assert.equal(findNewReplicaSet(d, [other]), undefined);
    assert.equal(findActiveOrLatest(undefined, [other, rsFixture('idle', { replicas: 0, createdSec: 50 })])?.metadata.name, 'other');
    assert.equal(findActiveOrLatest(undefined, [rsFixture('x', { replicas: 0, createdSec: 1 }), rsFixture('y', { replicas: 0, createdSec: 9 })])?.metadata.name, 'y', 'none running: the newest');
    assert.equal(findActiveOrLatest(match('a', 1), [other]), undefined, 'two running: proportional');
  });

  it('knows saturation and scaling events from the desired-replicas annotation', () => {
    const d = deploymentFixture(3);
    assert.equal(isSaturated(d, rsFixture('n', { replicas: 3, annotations: { [DESIRED_REPLICAS]: '3' } })), true);
    assert.equal(isSaturated(d, rsFixture('n', { replicas: 3, available: 2, annotations: { [DESIRED_REPLICAS]: '3' } })), false);
    assert.equal(isScalingEvent(3, [rsFixture('n', { replicas: 3, annotations: { [DESIRED_REPLICAS]: '3' } })]), false);
    assert.equal(isScalingEvent(5, [rsFixture('n', { replicas: 3, annotations: { [DESIRED_REPLICAS]: '3' } })]), true);
    assert.equal(isScalingEvent(5, [rsFixture('n', { replicas: 0, annotations: { [DESIRED_REPLICAS]: '3' } })]), false, 'only running ReplicaSets count');
  });

  it('cleans up the lowest revisions beyond revisionHistoryLimit, only when fully scaled down', () => {
    const d = deploymentFixture(1, { revisionHistoryLimit: 1 });
    const r1 = rsFixture('r1', { replicas: 0, revision: 1 });
    const r2 = rsFixture('r2', { replicas: 0, revision: 2, actual: 1 });
    const r3 = rsFixture('r3', { replicas: 0, revision: 3 });
    assert.deepEqual(replicaSetsToCleanUp(d, [r3, r2, r1]).map((rs) => rs.metadata.name), ['r1'], 'r2 still has a pod');
    const unobserved = rsFixture('r0', { replicas: 0, revision: 0, generation: 2, observedGeneration: 1 });
    assert.deepEqual(replicaSetsToCleanUp(d, [unobserved, r3]).map((rs) => rs.metadata.name), []);
    assert.deepEqual(replicaSetsToCleanUp(deploymentFixture(1, { revisionHistoryLimit: 2147483647 }), [r1, r3]), []);
  });
});
