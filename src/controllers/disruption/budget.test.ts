import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { metaTime } from '../util/conditions.ts';
import type { Pod } from '../util/pods.ts';
import {
  countHealthy,
  DELETION_TIMEOUT_MS,
  expectedAndDesired,
  failSafeStatus,
  nextStatus,
  pruneDisruptedPods,
  scaledValue,
  type PodDisruptionBudget,
} from './budget.ts';

const NOW = Date.parse('2025-01-01T00:10:00Z');

const pdb = (spec: NonNullable<PodDisruptionBudget['spec']>, status?: PodDisruptionBudget['status'], generation = 1): PodDisruptionBudget => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name: 'b', namespace: 'ns', generation },
  spec,
  ...(status ? { status } : {}),
});

const pod = (name: string, o: { ready?: boolean; deleting?: boolean } = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'ns', ...(o.deleting ? { deletionTimestamp: metaTime(NOW) } : {}) },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
});

describe('scaledValue', () => {
  it('rounds percentages up or down and passes integers through', () => {
    assert.equal(scaledValue('50%', 3, true), 2);
    assert.equal(scaledValue('50%', 3, false), 1);
    assert.equal(scaledValue('34%', 3, true), 2);
    assert.equal(scaledValue('100%', 7, true), 7);
    assert.equal(scaledValue('0%', 7, true), 0);
    assert.equal(scaledValue(4, 100, true), 4);
    assert.throws(() => scaledValue('5', 10, true), /not a percentage/);
  });
});

describe('expectedAndDesired', () => {
  const scale = (n: number) => () => n;
  const never = () => assert.fail('an integer minAvailable does not need the controllers\' scale');

  it('integer minAvailable: expects the pods that exist and wants minAvailable', () => {
    assert.deepEqual(expectedAndDesired(pdb({ minAvailable: 2 }), 5, never), { expectedCount: 5, desiredHealthy: 2 });
  });

  it('percentage minAvailable: rounds up against the controllers\' replicas', () => {
    assert.deepEqual(expectedAndDesired(pdb({ minAvailable: '50%' }), 2, scale(5)), { expectedCount: 5, desiredHealthy: 3 });
    assert.deepEqual(expectedAndDesired(pdb({ minAvailable: '10%' }), 2, scale(5)), { expectedCount: 5, desiredHealthy: 1 });
  });

  it('maxUnavailable: rounds the unavailable share up, never below zero desired', () => {
    assert.deepEqual(expectedAndDesired(pdb({ maxUnavailable: 1 }), 3, scale(3)), { expectedCount: 3, desiredHealthy: 2 });
    assert.deepEqual(expectedAndDesired(pdb({ maxUnavailable: '25%' }), 3, scale(3)), { expectedCount: 3, desiredHealthy: 2 });
    assert.deepEqual(expectedAndDesired(pdb({ maxUnavailable: '30%' }), 10, scale(10)), { expectedCount: 10, desiredHealthy: 7 });
    assert.deepEqual(expectedAndDesired(pdb({ maxUnavailable: 5 }), 3, scale(3)), { expectedCount: 3, desiredHealthy: 0 });
    assert.deepEqual(expectedAndDesired(pdb({ maxUnavailable: 0 }), 3, scale(4)), { expectedCount: 4, desiredHealthy: 4 });
  });
});

describe('healthy pods and eviction records', () => {
  const recent = metaTime(NOW - 30_000);
  const old = metaTime(NOW - DELETION_TIMEOUT_MS - 1000);

  it('counts Ready pods that are neither terminating nor recently evicted', () => {
    const pods = [pod('a'), pod('b', { ready: false }), pod('c', { deleting: true }), pod('d'), pod('e')];
    assert.equal(countHealthy(pods, {}, NOW), 3);
    assert.equal(countHealthy(pods, { d: recent }, NOW), 2);
    assert.equal(countHealthy(pods, { d: old }, NOW), 3, 'an eviction record older than 2 min no longer hides the pod');
  });

  it('keeps pending records, drops records of gone or terminating pods, reports overdue ones', () => {
    const pods = [pod('a'), pod('b'), pod('c', { deleting: true })];
    const r = pruneDisruptedPods(pods, pdb({ minAvailable: 1 }, { disruptedPods: { a: recent, b: old, c: recent, gone: recent } }), NOW);
    assert.deepEqual(r.disruptedPods, { a: recent });
    assert.deepEqual(r.overdue.map((p) => p.metadata.name), ['b']);
    assert.equal(r.recheckAt, Date.parse(recent) + DELETION_TIMEOUT_MS);
  });
});

describe('nextStatus', () => {
  it('allows currentHealthy - desiredHealthy disruptions with SufficientPods', () => {
    const s = nextStatus(pdb({ minAvailable: 2 }), { currentHealthy: 3, desiredHealthy: 2, expectedCount: 3, disruptedPods: {} }, NOW);
    assert.ok(s);
    assert.deepEqual({ ...s, conditions: undefined }, { observedGeneration: 1, disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, conditions: undefined });
    assert.deepEqual(s.conditions, [{ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '', observedGeneration: 1, lastTransitionTime: metaTime(NOW) }]);
  });

  it('allows none below the budget or while no pods are expected', () => {
    const low = nextStatus(pdb({ minAvailable: 2 }), { currentHealthy: 1, desiredHealthy: 2, expectedCount: 3, disruptedPods: {} }, NOW);
    assert.equal(low?.disruptionsAllowed, 0);
    assert.equal(low?.conditions?.[0]?.reason, 'InsufficientPods');
    assert.equal(low?.conditions?.[0]?.status, 'False');
    const empty = nextStatus(pdb({ maxUnavailable: 1 }), { currentHealthy: 2, desiredHealthy: 0, expectedCount: 0, disruptedPods: {} }, NOW);
    assert.equal(empty?.disruptionsAllowed, 0);
  });

  it('writes nothing when the stored status already says it, and again when the generation moved', () => {
    const first = nextStatus(pdb({ minAvailable: 1 }), { currentHealthy: 2, desiredHealthy: 1, expectedCount: 2, disruptedPods: { a: metaTime(NOW) } }, NOW);
    assert.ok(first);
    const counts = { currentHealthy: 2, desiredHealthy: 1, expectedCount: 2, disruptedPods: { a: metaTime(NOW) } };
    assert.equal(nextStatus(pdb({ minAvailable: 1 }, first), counts, NOW + 5000), undefined);
    const bumped = nextStatus(pdb({ minAvailable: 1 }, first, 2), counts, NOW + 5000);
    assert.equal(bumped?.observedGeneration, 2);
    assert.equal(bumped?.conditions?.[0]?.lastTransitionTime, metaTime(NOW), 'the transition time stays while the status does');
  });

  it('fails safe: no disruptions and a SyncFailed condition carrying the error', () => {
    const s = failSafeStatus(pdb({ maxUnavailable: 1 }, { disruptionsAllowed: 2, observedGeneration: 1 }), 'found no controllers for pod "x"', NOW);
    assert.equal(s?.disruptionsAllowed, 0);
    assert.deepEqual(s?.conditions, [{ type: 'DisruptionAllowed', status: 'False', reason: 'SyncFailed', message: 'found no controllers for pod "x"', observedGeneration: 1, lastTransitionTime: metaTime(NOW) }]);
    assert.equal(failSafeStatus(pdb({ maxUnavailable: 1 }, s), 'found no controllers for pod "x"', NOW + 1000), undefined, 'the same failure is not written twice');
  });
});
