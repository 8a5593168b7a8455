import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OwnWrites } from './own-writes.ts';

describe('OwnWrites', () => {
  it('calls a cached copy stale until the cache moves past the versions written over', () => {
    const w = new OwnWrites();
    assert.equal(w.stale('ns/a', '5'), false, 'nothing written yet');
    w.record('ns/a', '5');
    w.record('ns/a', '6');
    assert.equal(w.stale('ns/a', '5'), true);
    assert.equal(w.stale('ns/a', '6'), true);
    assert.equal(w.stale('ns/b', '5'), false, 'per key');
    assert.equal(w.stale('ns/a', '7'), false, 'the cache caught up');
    assert.equal(w.stale('ns/a', '5'), false, 'and the record is gone');
  });
});
