import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../../client/index.ts';
import { Expectations } from './expectations.ts';

describe('Expectations', () => {
  it('is satisfied without a record, unsatisfied while writes are in flight, satisfied once observed', () => {
    const e = new Expectations({ clock: new FakeClock() });
    assert.equal(e.satisfied('ns/rs'), true);
    e.expectCreations('ns/rs', 2);
    assert.equal(e.satisfied('ns/rs'), false);
    e.creationObserved('ns/rs');
    assert.equal(e.satisfied('ns/rs'), false);
    e.creationObserved('ns/rs');
    assert.equal(e.satisfied('ns/rs'), true);
    assert.deepEqual(e.get('ns/rs'), { add: 0, del: 0 });
  });

  it('tracks deletions, raise and lower (a failed write lowers the count)', () => {
    const e = new Expectations({ clock: new FakeClock() });
    e.expectDeletions('k', 1);
    e.raise('k', 1, 1);
    assert.deepEqual(e.get('k'), { add: 1, del: 2 });
    e.lower('k', 1, 0);
    e.deletionObserved('k');
    assert.equal(e.satisfied('k'), false);
    e.deletionObserved('k');
    assert.equal(e.satisfied('k'), true);
    e.delete('k');
    assert.equal(e.get('k'), undefined);
  });

  it('expires after five minutes so a lost event cannot wedge the controller', async () => {
    const clock = new FakeClock();
    const e = new Expectations({ clock });
    e.expectCreations('k', 1);
    await clock.advance(5 * 60 * 1000);
    assert.equal(e.satisfied('k'), false);
    await clock.advance(1);
    assert.equal(e.satisfied('k'), true);
  });
});
