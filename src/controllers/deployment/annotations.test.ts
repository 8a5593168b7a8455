import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReplicaSet } from '../replicaset/index.ts';
import { MAX_REVISION_HISTORY_CHARS, maxRevision, setNewReplicaSetAnnotations } from './annotations.ts';
import { deploymentFixture, rsFixture } from './test-fixtures.ts';
import { DESIRED_REPLICAS, LAST_APPLIED, MAX_REPLICAS, REVISION, REVISION_HISTORY } from './types.ts';

describe('ReplicaSet revision annotations', () => {
  const d = deploymentFixture(10);
  d.metadata.annotations = { 'kubernetes.io/change-cause': 'kubectl set image', [LAST_APPLIED]: '{}', [REVISION]: '4' };

  it('gives a new ReplicaSet the next revision, the replicas annotations and the Deployment annotations kubectl shows', () => {
    const rs: ReplicaSet = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-abc' } };
    assert.equal(setNewReplicaSetAnnotations(d, rs, 5, false, 3), true);
    assert.deepEqual(rs.metadata.annotations, { 'kubernetes.io/change-cause': 'kubectl set image', [REVISION]: '5', [DESIRED_REPLICAS]: '10', [MAX_REPLICAS]: '13' });
  });

  it('moves a ReplicaSet brought back by a rollback to the new revision and keeps the old ones in revision-history', () => {
    const rs = rsFixture('web-old', { replicas: 0, revision: 1 });
    assert.equal(setNewReplicaSetAnnotations(d, rs, 3, true, 3), true);
    assert.equal(rs.metadata.annotations?.[REVISION], '3');
    assert.equal(rs.metadata.annotations?.[REVISION_HISTORY], '1');
    assert.equal(rs.metadata.annotations?.[DESIRED_REPLICAS], undefined, 'existing ReplicaSets keep their replicas annotations');
    setNewReplicaSetAnnotations(d, rs, 6, true, 3);
    assert.equal(rs.metadata.annotations?.[REVISION_HISTORY], '1,3');
    assert.equal(setNewReplicaSetAnnotations(d, rs, 6, true, 3), false, 'nothing to change the second time');
    assert.equal(setNewReplicaSetAnnotations(d, rs, 2, true, 3), false, 'a revision never goes down');
  });

  it('drops the oldest history entries past the length limit', () => {
    const long = Array.from({ length: 400 }, (_, i) => String(1000 + i)).join(',');
    assert.ok(long.length <= MAX_REVISION_HISTORY_CHARS);
    const rs = rsFixture('web-old', { replicas: 0, revision: 2000, annotations: { [REVISION_HISTORY]: long } });
    setNewReplicaSetAnnotations(d, rs, 3000, true, 0);
    const history = rs.metadata.annotations?.[REVISION_HISTORY] ?? '';
    assert.ok(history.length <= MAX_REVISION_HISTORY_CHARS);
    assert.ok(history.endsWith(',2000'));
    assert.ok(!history.startsWith('1000,'), 'the oldest went');
  });

  it('finds the highest revision and skips unparseable ones', () => {
    assert.equal(maxRevision([rsFixture('a', { replicas: 0, revision: 3 }), rsFixture('b', { replicas: 0, revision: 7 }), rsFixture('c', { replicas: 0, annotations: { [REVISION]: 'x' } })]), 7);
    assert.equal(maxRevision([]), 0);
  });
});
