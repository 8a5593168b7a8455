import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../../../client/index.ts';
import { Heartbeats, type HeartbeatApi, type HeartbeatNode } from './heartbeats.ts';
import { WritePacer } from './write-pacer.ts';

interface Beat {
  node: string;
  kind: 'lease' | 'status';
  at: number;
}

function setup(count: number, opts: { fail?: (node: HeartbeatNode) => boolean; qps?: number; burst?: number } = {}) {
  const clock = new FakeClock(1_000_000);
  const beats: Beat[] = [];
  const api: HeartbeatApi<HeartbeatNode> = {
    renewLease: async (node) => {
      if (opts.fail?.(node)) throw new Error('server down');
      beats.push({ node: node.name, kind: 'lease', at: clock.now() });
    },
    postStatus: async (node) => void beats.push({ node: node.name, kind: 'status', at: clock.now() }),
  };
  const pacer = new WritePacer(clock, { qps: opts.qps ?? 10_000, burst: opts.burst ?? 1000, maxInFlight: 100 });
  const hb = new Heartbeats({ clock, pacer, api }, { leaseRenewIntervalMs: 10_000, nodeStatusUpdateFrequencyMs: 60_000 });
  const nodes = Array.from({ length: count }, (_, index) => ({ name: `n${index}`, index }));
  return { clock, beats, hb, nodes };
}

/** Advances in 100 ms steps so every timer fires near its due time. */
async function run(clock: FakeClock, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 100) await clock.advance(100);
}

describe('Heartbeats', () => {
  test('renewals of nodes registered at the same instant spread evenly over the interval', async () => {
    const { clock, beats, hb, nodes } = setup(200);
    for (const n of nodes) hb.add(n);
    await run(clock, 30_000);
    const leases = beats.filter((b) => b.kind === 'lease');
    // Every node renews once per interval: 200 nodes × 10 s over the last 20 s → 400 renewals.
    const window = leases.filter((b) => b.at > 1_010_000 && b.at <= 1_030_000);
    assert.equal(window.length, 400);
    for (const n of nodes) assert.equal(window.filter((b) => b.node === n.name).length, 2, `${n.name} renews every 10 s`);
    // Spread: every second of the interval carries about a tenth of them (20 ± 3), never a herd.
    const perSecond = new Map<number, number>();
    for (const b of window) perSecond.set(Math.floor((b.at - 1_010_001) / 1000), (perSecond.get(Math.floor((b.at - 1_010_001) / 1000)) ?? 0) + 1);
    assert.equal(perSecond.size, 20);
    for (const [second, n] of perSecond) assert.ok(n >= 17 && n <= 23, `second ${second} has ${n} renewals`);
    // The first renewal comes between half an interval and one and a half after registration.
    const first = leases.filter((b) => b.node === 'n7')[0]!;
    assert.ok(first.at - 1_000_000 >= 5000 && first.at - 1_000_000 <= 15_000);
  });

  test('a node keeps its phase: renewals exactly one interval apart', async () => {
    const { clock, beats, hb, nodes } = setup(3);
    for (const n of nodes) hb.add(n);
    await run(clock, 100_000);
    const times = beats.filter((b) => b.node === 'n1' && b.kind === 'lease').map((b) => b.at);
    assert.ok(times.length >= 3);
    for (let i = 1; i < times.length; i++) assert.ok(Math.abs(times[i]! - times[i - 1]! - 10_000) <= 100, `gap ${times[i]! - times[i - 1]!}`);
    const statuses = beats.filter((b) => b.node === 'n1' && b.kind === 'status').map((b) => b.at - 1_000_000);
    assert.ok(statuses[0]! >= 30_000 && statuses[0]! <= 90_000, `first status post after 30–90 s, at ${statuses[0]}`);
    if (statuses[1] !== undefined) assert.ok(Math.abs(statuses[1] - statuses[0]! - 60_000) <= 100, 'then every 60 s');
  });

  test('stop() ends renewals and status posts at once; resume() beats immediately, then on phase', async () => {
    const { clock, beats, hb, nodes } = setup(10);
    for (const n of nodes) hb.add(n);
    await run(clock, 20_000);
    const victim = nodes[4]!;
    hb.stop(victim);
    assert.equal(hb.isBeating(victim), false);
    assert.equal(hb.nextRenewal(victim), undefined);
    const stoppedAt = clock.now();
    await run(clock, 120_000);
    assert.equal(beats.filter((b) => b.node === victim.name && b.at > stoppedAt).length, 0, 'a failed node writes nothing');
    assert.ok(beats.filter((b) => b.node === 'n5' && b.at > stoppedAt && b.kind === 'lease').length >= 11, 'the others go on');
    hb.resume(victim);
    const resumedAt = clock.now();
    await clock.advance(0);
    const now = beats.filter((b) => b.node === victim.name && b.at >= resumedAt);
    assert.deepEqual(now.map((b) => b.kind).sort(), ['lease', 'status'], 'Lease and status at once');
    await run(clock, 30_000);
    const renewals = beats.filter((b) => b.node === victim.name && b.kind === 'lease' && b.at > resumedAt).map((b) => b.at);
    assert.ok(renewals.length >= 2, `renewing again (${renewals.length})`);
    assert.ok(renewals[0]! - resumedAt >= 5000, 'the next one on its phase, not at once again');
  });

  test('failed renewals retry with back-off instead of waiting a whole interval', async () => {
    let down = true;
    const { clock, beats, hb, nodes } = setup(1, { fail: () => down });
    hb.add(nodes[0]!);
    await run(clock, 16_000);
    assert.ok(hb.stats.errors >= 2, `retried (${hb.stats.errors} failures)`);
    down = false;
    await run(clock, 9_000);
    assert.ok(beats.some((b) => b.kind === 'lease'), 'renewed once the server answers');
    assert.equal(hb.stats.renewals, beats.filter((b) => b.kind === 'lease').length);
  });

  test('writes that fall due together are paced by the bucket, leases first', async () => {
    const { clock, beats, hb, nodes } = setup(50, { qps: 20, burst: 1 });
    for (const n of nodes) hb.resume(n);
    await run(clock, 1000);
    assert.ok(beats.length >= 19 && beats.length <= 22, `about 20 writes in the first second, got ${beats.length}`);
    assert.ok(beats.every((b) => b.kind === 'lease'), 'Lease renewals go before status posts');
    await run(clock, 4000);
    const first = beats.slice(0, 100);
    assert.deepEqual([first.filter((b) => b.kind === 'lease').length, first.filter((b) => b.kind === 'status').length], [50, 50], 'all leases, then all status posts');
    assert.ok(beats[99]!.at - beats[0]!.at >= 4500, 'paced at 20 per second');
    hb.close();
  });
});
