import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/types.ts';
import {
  CONTROLLER_HASH_LABEL,
  CONTROLLER_REVISION_HASH_LABEL,
  equalRevision,
  findEqualRevisions,
  newControllerRevision,
  nextRevision,
  revisionsToTruncate,
  sortRevisions,
  type ControllerRevision,
} from './revisions.ts';

const rev = (name: string, revision: number, data: unknown = { n: name }, created = '2024-01-01T00:00:00Z'): ControllerRevision => ({
  apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name, creationTimestamp: created }, data, revision,
});
const names = (rs: ControllerRevision[]): string[] => rs.map((r) => r.metadata.name ?? '');

describe('ControllerRevision values', () => {
  it('sorts by revision, then creation time, then name; the next revision is one past the highest', () => {
    const rs = [rev('c', 2), rev('b', 1, {}, '2024-01-02T00:00:00Z'), rev('a', 1, {}, '2024-01-02T00:00:00Z'), rev('z', 1, {}, '2023-12-31T00:00:00Z')];
    assert.deepEqual(names(sortRevisions(rs)), ['z', 'a', 'b', 'c']);
    assert.equal(nextRevision(rs), 3);
    assert.equal(nextRevision([]), 1);
  });

  it('compares revisions by content', () => {
    assert.ok(equalRevision(rev('a', 1, { x: { b: 1, a: 2 } }), rev('b', 5, { x: { a: 2, b: 1 } })));
    assert.ok(!equalRevision(rev('a', 1, { x: 1 }), rev('a', 1, { x: 2 })));
    assert.deepEqual(names(findEqualRevisions([rev('a', 1, { v: 1 }), rev('b', 2, { v: 2 }), rev('c', 3, { v: 1 })], rev('n', 9, { v: 1 }))), ['a', 'c']);
  });

  it('builds a revision owned by its controller, labelled with the template labels and the hash (label chosen by the kind)', () => {
    const owner: KubeObject = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'ns', uid: 'u1' } };
    const r = newControllerRevision({ owner, labels: { app: 'web' }, annotations: { note: 'x' }, data: { d: 1 }, revision: 4, hash: 'h4sh' });
    assert.equal(r.metadata.name, 'web-h4sh');
    assert.equal(r.metadata.namespace, 'ns');
    assert.deepEqual(r.metadata.labels, { app: 'web', [CONTROLLER_HASH_LABEL]: 'h4sh' });
    assert.deepEqual(newControllerRevision({ owner, labels: {}, data: {}, revision: 1, hash: 'x', hashLabel: CONTROLLER_REVISION_HASH_LABEL }).metadata.labels, { [CONTROLLER_REVISION_HASH_LABEL]: 'x' });
    assert.deepEqual(r.metadata.annotations, { note: 'x' });
    assert.deepEqual(r.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u1', controller: true, blockOwnerDeletion: true }]);
    assert.equal(r.revision, 4);
  });

  it('truncates the oldest non-live revisions beyond the limit', () => {
    const rs = [rev('r5', 5), rev('r1', 1), rev('r2', 2), rev('r3', 3), rev('r4', 4)];
    const live = (r: ControllerRevision): boolean => r.metadata.name === 'r1' || r.metadata.name === 'r5';
    // StatefulSet: keep `limit` non-live ones.
    assert.deepEqual(names(revisionsToTruncate(rs, { live, limit: 1 })), ['r2', 'r3']);
    assert.deepEqual(names(revisionsToTruncate(rs, { live, limit: 3 })), []);
    assert.deepEqual(names(revisionsToTruncate(rs, { live, limit: 0 })), ['r2', 'r3', 'r4']);
    // DaemonSet: live ones count toward the limit but are never deleted.
    assert.deepEqual(names(revisionsToTruncate(rs, { live, limit: 3, countLive: true })), ['r2', 'r3']);
    assert.deepEqual(names(revisionsToTruncate(rs, { live, limit: 0, countLive: true })), ['r2', 'r3', 'r4']);
  });
});
