import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../../../client/index.ts';
import { DueQueue } from './due-queue.ts';

describe('DueQueue', () => {
  test('fires keys in due order from a single timer', async () => {
    const clock = new FakeClock(0);
    const fired: [string, number][] = [];
    const q = new DueQueue<string>(clock, (k) => fired.push([k, clock.now()]));
    for (let i = 0; i < 1000; i++) q.schedule(`k${i}`, 1000 + ((i * 7919) % 1000));
    assert.equal(clock.pendingTimers, 1, 'one timer for a thousand keys');
    await clock.advance(2000);
    assert.equal(fired.length, 1000);
    for (let i = 1; i < fired.length; i++) assert.ok(fired[i]![1] >= fired[i - 1]![1]);
    for (const [k, at] of fired) assert.equal(at, 1000 + ((Number(k.slice(1)) * 7919) % 1000), `${k} fired on time`);
    assert.equal(clock.pendingTimers, 0);
  });

  test('the earlier of two schedules wins unless replaced; cancel drops a key', async () => {
    const clock = new FakeClock(0);
    const fired: [string, number][] = [];
    const q = new DueQueue<string>(clock, (k) => fired.push([k, clock.now()]));
    q.schedule('a', 500);
    q.schedule('a', 900);
    q.schedule('b', 300);
    q.schedule('b', 800, true);
    q.schedule('c', 100);
    q.cancel('c');
    assert.equal(q.size, 2);
    await clock.advance(1000);
    assert.deepEqual(fired, [['a', 500], ['b', 800]]);
  });

  test('a key may be scheduled again from its own callback; close() stops everything', async () => {
    const clock = new FakeClock(0);
    let n = 0;
    const q: DueQueue<string> = new DueQueue<string>(clock, (k) => {
      n++;
      q.schedule(k, clock.now() + 100);
    });
    q.schedule('tick', 100);
    await clock.advance(1000);
    assert.equal(n, 10);
    q.close();
    await clock.advance(1000);
    assert.equal(n, 10);
    assert.equal(clock.pendingTimers, 0);
  });
});
