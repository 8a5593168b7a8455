import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../../client/index.ts';
import { PodExpectations } from './pod-expectations.ts';

describe('PodExpectations', () => {
  it('counts a deleted pod once although it is seen twice (deletionTimestamp update, then delete)', () => {
    const e = new PodExpectations({ clock: new FakeClock() });
    e.expectDeletions('ns/rs', ['ns/a', 'ns/b']);
    assert.equal(e.satisfied('ns/rs'), false);
    e.deletionObserved('ns/rs', 'ns/a');
    e.deletionObserved('ns/rs', 'ns/a');
    e.deletionObserved('ns/rs', 'ns/other');
    assert.equal(e.satisfied('ns/rs'), false, 'b is still outstanding');
    assert.deepEqual(e.pending('ns/rs'), { add: 0, del: 1 });
    e.deletionObserved('ns/rs', 'ns/b');
    assert.equal(e.satisfied('ns/rs'), true);
  });

  it('counts creations and forgets an owner entirely', () => {
    const e = new PodExpectations({ clock: new FakeClock() });
    e.expectCreations('ns/rs', 2);
    e.creationObserved('ns/rs');
    assert.equal(e.satisfied('ns/rs'), false);
    e.delete('ns/rs');
    assert.equal(e.satisfied('ns/rs'), true);
    assert.equal(e.pending('ns/rs'), undefined);
  });
});
