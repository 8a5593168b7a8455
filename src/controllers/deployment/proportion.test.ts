import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { proportionalPlan } from './proportion.ts';
import { deploymentFixture, rsFixture } from './test-fixtures.ts';
import { MAX_REPLICAS } from './types.ts';

const fixed = { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } } as const;

describe('proportional scaling', () => {
  // A rollout of 10 (surge 3) stuck at old 8 + new 5; both were sized for max 13.
  const old = rsFixture('old', { replicas: 8, createdSec: 0, annotations: { [MAX_REPLICAS]: '13' } });
  const neu = rsFixture('new', { replicas: 5, createdSec: 60, available: 0, annotations: { [MAX_REPLICAS]: '13' } });
  const plan = (replicas: number) => {
    const p = proportionalPlan(deploymentFixture(replicas, fixed), [old, neu]);
    return { op: p.operation, sizes: Object.fromEntries(p.sizes.map(({ rs, size }) => [rs.metadata.name ?? '', size])) };
  };

  it('spreads a scale-up by size: 8·23/13 ≈ 14 and 5·23/13 ≈ 9', () => {
    assert.deepEqual(plan(20), { op: 'up', sizes: { old: 14, new: 9 } });
  });

  it('spreads a scale-down the same way and empties everything at zero', () => {
    assert.deepEqual(plan(5), { op: 'down', sizes: { old: 5, new: 3 } });
    assert.deepEqual(plan(0), { op: 'down', sizes: { old: 0, new: 0 } });
  });

  it('leaves sizes alone when the total already fits', () => {
    assert.deepEqual(plan(10), { op: undefined, sizes: { old: 8, new: 5 } });
  });

  it('gives the rounding leftover to the largest (newest among equals when growing)', () => {
    const a = rsFixture('a', { replicas: 1, createdSec: 0, annotations: { [MAX_REPLICAS]: '3' } });
    const b = rsFixture('b', { replicas: 1, createdSec: 10, annotations: { [MAX_REPLICAS]: '3' } });
    const c = rsFixture('c', { replicas: 1, createdSec: 20, annotations: { [MAX_REPLICAS]: '3' } });
    // 3 → 4 replicas with surge 0: +1; each fraction round(1·4/3)-1 = 0, so the leftover goes to the first (newest).
    const p = proportionalPlan(deploymentFixture(4, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } }), [a, b, c]);
    assert.deepEqual(p.sizes.map(({ rs, size }) => [rs.metadata.name, size]), [['c', 2], ['b', 1], ['a', 1]]);
  });

  it('never proportions ReplicaSets without replicas', () => {
    const idle = rsFixture('idle', { replicas: 0, annotations: { [MAX_REPLICAS]: '13' } });
    const p = proportionalPlan(deploymentFixture(20, fixed), [old, neu, idle]);
    assert.equal(p.sizes.length, 2);
  });
});
