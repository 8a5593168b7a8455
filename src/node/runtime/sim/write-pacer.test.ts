import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../../../client/index.ts';
import { PRIORITY, WritePacer } from './write-pacer.ts';

describe('WritePacer', () => {
  test('a burst goes at once, the rest at qps', async () => {
    const clock = new FakeClock(0);
    const pacer = new WritePacer(clock, { qps: 100, burst: 10, maxInFlight: 1000 });
    const started: number[] = [];
    const all = Array.from({ length: 60 }, () => pacer.run(PRIORITY.pod, async () => void started.push(clock.now())));
    await clock.advance(0);
    assert.equal(started.length, 10);
    await clock.advance(500);
    assert.equal(started.length, 60);
    await Promise.all(all);
    assert.ok(started[59]! >= 490 && started[59]! <= 510, `the 60th starts after 50 × 10 ms (${started[59]})`);
  });

  test('at most maxInFlight writes run at once', async () => {
    const clock = new FakeClock(0);
    const pacer = new WritePacer(clock, { qps: 1e6, burst: 1e6, maxInFlight: 3 });
    let running = 0;
    let peak = 0;
    const release: (() => void)[] = [];
    const all = Array.from({ length: 10 }, () =>
      pacer.run(PRIORITY.pod, () => {
        running++;
        peak = Math.max(peak, running);
        return new Promise<void>((r) => release.push(() => (running--, r())));
      }),
    );
    while (release.length > 0 || running > 0) {
      await clock.advance(0);
      release.shift()?.();
    }
    await Promise.all(all);
    assert.equal(peak, 3);
  });

  test('Lease writes jump the queue; results and errors reach the caller; close() rejects what waits', async () => {
    const clock = new FakeClock(0);
    const pacer = new WritePacer(clock, { qps: 10, burst: 1, maxInFlight: 10 });
    const order: string[] = [];
    const a = pacer.run(PRIORITY.node, async () => (order.push('node1'), 1));
    const b = pacer.run(PRIORITY.node, async () => void order.push('node2'));
    const c = pacer.run(PRIORITY.lease, async () => void order.push('lease'));
    const d = pacer.run(PRIORITY.pod, async () => {
      order.push('pod');
      throw new Error('boom');
    });
    await clock.advance(350);
    assert.deepEqual(order, ['node1', 'lease', 'pod', 'node2']);
    assert.equal(await a, 1);
    await b;
    await c;
    await assert.rejects(d, /boom/);
    const waiting = pacer.run(PRIORITY.pod, async () => undefined);
    const waiting2 = pacer.run(PRIORITY.pod, async () => undefined);
    pacer.close(new Error('stopped'));
    await Promise.allSettled([waiting]);
    await assert.rejects(waiting2, /stopped/);
    await assert.rejects(pacer.run(PRIORITY.pod, async () => undefined), /stopped/);
  });
});
