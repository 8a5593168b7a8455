import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maxSurge, maxUnavailable, resolveFenceposts, scaledValue } from './fenceposts.ts';
import { deploymentFixture } from './test-fixtures.ts';

describe('maxSurge / maxUnavailable', () => {
  it('scales percentages: surge rounds up, unavailability down', () => {
    assert.deepEqual(resolveFenceposts('25%', '25%', 10), { surge: 3, unavailable: 2 });
    assert.deepEqual(resolveFenceposts('25%', '25%', 4), { surge: 1, unavailable: 1 });
    assert.deepEqual(resolveFenceposts('30%', '30%', 3), { surge: 1, unavailable: 0 });
    assert.deepEqual(resolveFenceposts(2, 1, 10), { surge: 2, unavailable: 1 });
    assert.equal(scaledValue('33%', 10, true), 4);
    assert.equal(scaledValue('33%', 10, false), 3);
  });

  it('makes unavailability 1 when both resolve to zero, so a rollout can move', () => {
    assert.deepEqual(resolveFenceposts(0, '10%', 5), { surge: 0, unavailable: 1 });
    assert.deepEqual(resolveFenceposts(undefined, undefined, 3), { surge: 0, unavailable: 1 });
  });

  it('rejects strings that are not percentages', () => {
    assert.throws(() => scaledValue('5', 10, true), /not a percentage/);
  });

  it('caps unavailability at the replicas and is zero for Recreate or no replicas', () => {
    assert.equal(maxUnavailable(deploymentFixture(2, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 5 } } })), 2);
    assert.equal(maxUnavailable(deploymentFixture(0)), 0);
    assert.equal(maxUnavailable(deploymentFixture(10, { strategy: { type: 'Recreate' } })), 0);
    assert.equal(maxSurge(deploymentFixture(10, { strategy: { type: 'Recreate' } })), 0);
    assert.equal(maxSurge(deploymentFixture(10)), 3);
    assert.equal(maxUnavailable(deploymentFixture(10)), 2);
  });
});
