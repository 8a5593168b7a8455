import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../../client/index.ts';
import type { Node } from './taints.ts';
import { computeZoneState, rateFor, TokenBucket, zoneKey, ZoneTainter } from './zones.ts';

const node = (labels: Record<string, string>): Node => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n', labels } });
const statuses = (ready: number, notReady: number, unknown = 0): (string | undefined)[] => [
  ...Array<string>(ready).fill('True'),
  ...Array<string>(notReady).fill('False'),
  ...Array<undefined>(unknown).fill(undefined),
];

describe('zones', () => {
  it('keys nodes by region and zone, preferring the beta labels, "" without either', () => {
    assert.equal(zoneKey(node({})), '');
    assert.equal(zoneKey(node({ 'topology.kubernetes.io/zone': 'a' })), ':\x00:a');
    assert.equal(zoneKey(node({ 'topology.kubernetes.io/region': 'r', 'topology.kubernetes.io/zone': 'a' })), 'r:\x00:a');
    assert.equal(zoneKey(node({ 'failure-domain.beta.kubernetes.io/zone': 'b', 'topology.kubernetes.io/zone': 'a' })), ':\x00:b');
  });

  it('computes zone states: full when none is Ready, partial from 55% and more than two not Ready', () => {
    assert.deepEqual(computeZoneState(statuses(0, 3), 0.55), { unhealthy: 3, state: 'FullDisruption' });
    assert.deepEqual(computeZoneState(statuses(0, 0, 1), 0.55), { unhealthy: 1, state: 'FullDisruption' }, 'a node without a Ready condition is not Ready');
    assert.deepEqual(computeZoneState(statuses(4, 6), 0.55), { unhealthy: 6, state: 'PartialDisruption' });
    assert.deepEqual(computeZoneState(statuses(5, 5), 0.55), { unhealthy: 5, state: 'Normal' }, '50% is under the threshold');
    assert.deepEqual(computeZoneState(statuses(1, 2), 0.55), { unhealthy: 2, state: 'Normal' }, 'two not-Ready nodes never make a partial disruption');
    assert.deepEqual(computeZoneState(statuses(7, 3), 0.55), { unhealthy: 3, state: 'Normal' });
    assert.deepEqual(computeZoneState([], 0.55), { unhealthy: 0, state: 'Normal' });
  });

  it('picks the tainting rate from the state and the zone size', () => {
    const o = { evictionQps: 0.1, secondaryEvictionQps: 0.01, largeClusterSizeThreshold: 50 };
    assert.equal(rateFor('Normal', 10, o), 0.1);
    assert.equal(rateFor('FullDisruption', 10, o), 0.1);
    assert.equal(rateFor('PartialDisruption', 10, o), 0);
    assert.equal(rateFor('PartialDisruption', 51, o), 0.01);
  });
});

describe('TokenBucket', () => {
  it('grants one token at once, then one per 1/qps seconds', async () => {
    const clock = new FakeClock(0);
    const b = new TokenBucket(clock, 0.1);
    assert.equal(b.tryAccept(), true);
    assert.equal(b.tryAccept(), false);
    assert.equal(b.msUntilToken(), 10_000);
    await clock.advance(9_999);
    assert.equal(b.tryAccept(), false);
    await clock.advance(1);
    assert.equal(b.tryAccept(), true);
    await clock.advance(60_000);
    assert.equal(b.tryAccept(), true, 'burst 1: a long pause saves no more than one token');
    assert.equal(b.tryAccept(), false);
  });

  it('never grants at rate 0; a swap keeps a drained bucket drained', async () => {
    const clock = new FakeClock(0);
    const b = new TokenBucket(clock, 0.1);
    b.tryAccept();
    b.swap(0);
    assert.equal(b.tryAccept(), false);
    assert.equal(b.msUntilToken(), undefined);
    await clock.advance(1000);
    b.swap(1);
    assert.equal(b.tryAccept(), false, 'the bucket was drained when the rate changed');
    await clock.advance(1000);
    assert.equal(b.tryAccept(), true);
    const fresh = new TokenBucket(clock, 0);
    fresh.swap(0.5);
    assert.equal(fresh.tryAccept(), false, 'a bucket that never granted starts drained after a swap from 0');
  });
});

describe('ZoneTainter', () => {
  it('takes nodes in arrival order, one per token, and says when to come back', async () => {
    const clock = new FakeClock(0);
    const t = new ZoneTainter(clock, 0.1);
    const done: string[] = [];
    assert.equal(t.add('a', 'ua'), true);
    assert.equal(t.add('b', 'ub'), true);
    assert.equal(t.add('a', 'ua'), false);
    t.add('c', 'uc');
    const fn = async (name: string): Promise<true> => (done.push(name), true);
    assert.equal(await t.process(fn), 10_000);
    assert.deepEqual(done, ['a']);
    await clock.advance(10_000);
    assert.equal(await t.process(fn), 10_000);
    assert.deepEqual(done, ['a', 'b']);
    t.remove('c');
    await clock.advance(10_000);
    assert.equal(await t.process(fn), undefined, 'nothing left');
    assert.deepEqual(done, ['a', 'b']);
  });

  it('retries a failed node after the delay it asked for, behind the others', async () => {
    const clock = new FakeClock(0);
    const t = new ZoneTainter(clock, 1000);
    const seen: string[] = [];
    let fail = true;
    t.add('x', 'u');
    t.add('y', 'u');
    const fn = async (name: string): Promise<true | number> => {
      seen.push(name);
      if (name === 'x' && fail) return 50;
      return true;
    };
    const wait = await t.process(fn);
    assert.deepEqual(seen, ['x']);
    assert.ok(wait !== undefined && wait >= 1);
    await clock.advance(1);
    await t.process(fn);
    assert.deepEqual(seen, ['x', 'y'], 'y goes while x waits out its retry delay');
    fail = false;
    await clock.advance(60);
    assert.equal(await t.process(fn), undefined);
    assert.deepEqual(seen, ['x', 'y', 'x']);
  });
});
