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

describe('WritePacer under a slow server', () => {
  test('pod writes keep their share of the slots while Lease renewals wait (no starvation)', async () => {
    const clock = new FakeClock(0);
    const pacer = new WritePacer(clock, { qps: 1e6, burst: 1e6, maxInFlight: 8 });
    // Every write takes 100 ms; 1,000 renewals are always waiting, far more than the slots serve.
    const slow = (): Promise<void> => new Promise((r) => clock.setTimeout(r, 100));
    let pods = 0;
    let leases = 0;
    const all: Promise<unknown>[] = [];
    for (let i = 0; i < 1000; i++) all.push(pacer.run(PRIORITY.lease, () => slow().then(() => void leases++)));
    for (let i = 0; i < 40; i++) all.push(pacer.run(PRIORITY.pod, () => slow().then(() => void pods++)));
    for (let t = 0; t < 1000; t += 100) await clock.advance(100);
    // The first 8 renewals took every slot before any pod write queued; from then on each 100 ms
    // wave is split evenly (4 + 4), so 9 waves finish 36 pod writes (strict priority: none).
    assert.equal(pods, 36);
    assert.ok(leases >= 35, `renewals went on too (${leases})`);
    pacer.close();
    await clock.advance(100); // the writes in flight finish
    await Promise.allSettled(all);
  });

  test('a lane alone may use every slot', async () => {
    const clock = new FakeClock(0);
    const pacer = new WritePacer(clock, { qps: 1e6, burst: 1e6, maxInFlight: 8 });
    const release: (() => void)[] = [];
    const all = Array.from({ length: 20 }, () => pacer.run(PRIORITY.pod, () => new Promise<void>((r) => release.push(r))));
    await clock.advance(0);
    assert.equal(pacer.inFlight, 8);
    for (const r of release.splice(0)) r();
    pacer.close();
    await Promise.allSettled(all);
  });
});
