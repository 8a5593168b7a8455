// Stabilization windows and rate limits as upstream's horizontal_test cases for behavior.

import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { limitWithBehavior, limitWithRules, newHistory, recordScale, stabilize, stabilizeWithBehavior } from './normalize.ts';
import type { ScalingRules } from './types.ts';

const UP: ScalingRules = { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] };
const DOWN: ScalingRules = { stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] };

describe('stabilization', () => {
  it('without behavior keeps the highest recommendation of the downscale window', () => {
    const h = newHistory();
    assert.equal(stabilize(h, 5, 300_000, 0).replicas, 5);
    const s = stabilize(h, 2, 300_000, 100_000);
    assert.deepEqual(s, { replicas: 5, reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' });
    assert.equal(stabilize(h, 2, 300_000, 400_000).replicas, 2, 'the 5 left the window');
  });

  it('with behavior clamps between the up window minimum and the down window maximum', () => {
    const h = newHistory();
    const up: ScalingRules = { ...UP, stabilizationWindowSeconds: 30 };
    stabilizeWithBehavior(h, 3, 3, up, DOWN, 0);
    const r = stabilizeWithBehavior(h, 3, 8, up, DOWN, 10_000);
    assert.equal(r.replicas, 3, 'a recent 3 holds the scale up');
    assert.equal(r.reason, 'ScaleUpStabilized');
    assert.equal(stabilizeWithBehavior(h, 3, 8, up, DOWN, 45_000).replicas, 8, 'after 30 s only the 8s are in the up window');
    const down = stabilizeWithBehavior(h, 8, 2, up, DOWN, 50_000);
    assert.equal(down.replicas, 8);
    assert.equal(down.reason, 'ScaleDownStabilized');
    assert.equal(stabilizeWithBehavior(h, 8, 2, up, DOWN, 200_000).replicas, 2, 'after the down window');
  });
});

describe('rate limits', () => {
  it('without behavior: at most double (or 4), within min and max', () => {
    assert.deepEqual(limitWithRules(1, 10, 1, 20), { replicas: 4, reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' });
    assert.equal(limitWithRules(5, 30, 1, 8).reason, 'TooManyReplicas');
    assert.deepEqual(limitWithRules(5, 0, 2, 8), { replicas: 2, reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' });
    assert.equal(limitWithRules(5, 6, 1, 8).reason, 'DesiredWithinRange');
  });

  it('Pods and Percent policies with selectPolicy Max and Min, counting scale events in the period', () => {
    const h = newHistory();
    assert.equal(limitWithBehavior(h, 2, 100, 1, 100, UP, DOWN, 0).replicas, 6, 'max(2+4, 2*2)');
    assert.equal(limitWithBehavior(h, 10, 100, 1, 100, UP, DOWN, 0).replicas, 20, 'max(10+4, 10*2)');
    assert.equal(limitWithBehavior(h, 10, 100, 1, 100, { ...UP, selectPolicy: 'Min' }, DOWN, 0).replicas, 14);
    recordScale(h, UP, DOWN, 10, 14, 0);
    // Within the 15 s period the scale started from 10: Max(10+4, 20) = 20 → 6 more allowed from 14.
    assert.equal(limitWithBehavior(h, 14, 100, 1, 100, UP, DOWN, 5000).replicas, 20);
    assert.equal(limitWithBehavior(h, 14, 100, 1, 100, { ...UP, selectPolicy: 'Disabled' }, DOWN, 5000).replicas, 14);
    const slowDown: ScalingRules = { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] };
    // The period starts before the scale up of 4: from 10, one pod down is 9.
    assert.equal(limitWithBehavior(h, 14, 2, 1, 100, UP, slowDown, 5000).replicas, 9);
    const d = newHistory();
    const r = limitWithBehavior(d, 14, 2, 1, 100, UP, slowDown, 5000);
    assert.deepEqual(r, { replicas: 13, reason: 'ScaleDownLimit', message: 'the desired replica count is decreasing faster than the maximum scale rate' });
    recordScale(d, UP, slowDown, 14, 13, 5000);
    assert.equal(limitWithBehavior(d, 13, 2, 1, 100, UP, slowDown, 20_000).replicas, 13, 'the one pod of this minute is spent');
    assert.equal(limitWithBehavior(d, 13, 2, 1, 100, UP, slowDown, 70_000).replicas, 12, 'a minute later one more');
  });
});
