import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from './clock.ts';
import { BucketRateLimiter, ItemExponentialRateLimiter, MaxOfRateLimiter } from './rate-limiter.ts';
import { WorkQueue } from './workqueue.ts';

describe('WorkQueue', () => {
  it('deduplicates queued keys and keeps FIFO order', async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    q.add('a');
    q.add('b');
    q.add('a');
    assert.equal(q.length, 2);
    assert.equal(await q.get(), 'a');
    assert.equal(await q.get(), 'b');
  });

  it('never hands out a key that is being processed; a re-add is processed after done', async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    q.add('a');
    assert.equal(await q.get(), 'a');
    q.add('a');
    q.add('b');
    assert.equal(await q.get(), 'b');
    let second: string | undefined;
    void q.get().then((k) => (second = k));
    await Promise.resolve();
    assert.equal(second, undefined, 'a is still processing');
    q.done('a');
    await Promise.resolve();
    assert.equal(second, 'a');
  });

  it('wakes a waiting get() on add and resolves undefined on shutdown', async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    const waiting = q.get();
    q.add('x');
    assert.equal(await waiting, 'x');
    const pending = q.get();
    q.shutDown();
    assert.equal(await pending, undefined);
    q.add('y');
    assert.equal(await q.get(), undefined);
  });

  it('drops delayed adds on shutdown', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    q.addAfter('a', 100);
    assert.equal(clock.pendingTimers, 1);
    q.shutDown();
    assert.equal(clock.pendingTimers, 0);
  });

  it('addAfter waits on the clock and keeps the earliest of duplicate delayed adds', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    q.addAfter('a', 1000);
    q.addAfter('a', 300);
    q.addAfter('a', 2000);
    await clock.advance(299);
    assert.equal(q.length, 0);
    await clock.advance(1);
    assert.equal(q.length, 1);
    await clock.advance(5000);
    assert.equal(q.length, 1, 'the cancelled and later timers did not add it again');
  });

  it('backs off per item exponentially and forget resets it', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock, rateLimiter: new ItemExponentialRateLimiter(5, 1_000_000) });
    for (let i = 0; i < 3; i++) q.addRateLimited('a'); // 5, 10, 20: the earliest (5 ms) stays
    assert.equal(q.numRequeues('a'), 3);
    await clock.advance(4);
    assert.equal(q.length, 0);
    await clock.advance(1);
    assert.equal(q.length, 1);
    q.forget('a');
    assert.equal(q.numRequeues('a'), 0);
  });
});

describe('rate limiters', () => {
  it('exponential: 5 ms doubling, capped', () => {
    const l = new ItemExponentialRateLimiter(5, 1_000_000);
    const delays = Array.from({ length: 30 }, () => l.when('k'));
    assert.deepEqual(delays.slice(0, 4), [5, 10, 20, 40]);
    assert.equal(delays.at(-1), 1_000_000);
    assert.equal(l.when('other'), 5);
  });

  it('token bucket: burst free, then 1/qps apart, refilling with time', () => {
    const clock = new FakeClock();
    const b = new BucketRateLimiter(clock, 10, 100);
    for (let i = 0; i < 100; i++) assert.equal(b.when('k'), 0);
    assert.equal(b.when('k'), 100);
    assert.equal(b.when('k'), 200);
    const max = new MaxOfRateLimiter(new ItemExponentialRateLimiter(5, 1000), new BucketRateLimiter(new FakeClock(), 10, 1));
    assert.equal(max.when('a'), 5);
    assert.equal(max.when('b'), 100);
  });

  it('token bucket refills over time', async () => {
    const clock = new FakeClock();
    const b = new BucketRateLimiter(clock, 10, 2);
    b.when('k');
    b.when('k');
    await clock.advance(1000);
    assert.equal(b.when('k'), 0);
    assert.equal(b.when('k'), 0);
    assert.ok(b.when('k') > 0);
  });
});
