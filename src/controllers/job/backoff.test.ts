// The delay before a failed Job pod is replaced: doubling, cap, reset on success, per index.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from '../util/pods.ts';
import { BackoffStore, podFinishedMs, remainingBackoffForIndexMs, remainingBackoffMs } from './backoff.ts';

const T0 = Date.parse('2024-05-01T10:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function finished(name: string, phase: 'Succeeded' | 'Failed', atMs: number, annotations: Record<string, string> = {}): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, uid: name, annotations, creationTimestamp: iso(T0 - 60_000) },
    status: { phase, containerStatuses: [{ name: 'c', state: { terminated: { exitCode: phase === 'Succeeded' ? 0 : 1, finishedAt: iso(atMs) } } }] },
  };
}

describe('pod failure backoff', () => {
  it('doubles from the base per failure and caps at the maximum', () => {
    const at = (failures: number) => remainingBackoffMs(failures, T0, T0, 10_000, 360_000);
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 10].map(at), [0, 10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 360_000, 360_000]);
  });

  it('counts from the last failure', () => {
    assert.equal(remainingBackoffMs(2, T0, T0 + 5_000, 10_000, 360_000), 15_000);
    assert.equal(remainingBackoffMs(2, T0, T0 + 20_000, 10_000, 360_000), 0);
    assert.equal(remainingBackoffMs(2, T0, T0 + 25_000, 10_000, 360_000), 0);
  });

  it('adds new failures and resets on a success, keeping failures after it', () => {
    const store = new BackoffStore();
    let r = store.next('ns/j', [], [finished('a', 'Failed', T0), finished('b', 'Failed', T0 + 2_000)]);
    assert.deepEqual(r, { key: 'ns/j', failuresAfterLastSuccess: 2, lastFailureMs: T0 + 2_000 });
    assert.equal(store.get('ns/j'), undefined, 'nothing is stored until the status is written');
    store.update(r);
    r = store.next('ns/j', [], [finished('c', 'Failed', T0 + 5_000)]);
    assert.equal(r.failuresAfterLastSuccess, 3);
    store.update(r);
    r = store.next('ns/j', [finished('s', 'Succeeded', T0 + 6_000)], [finished('d', 'Failed', T0 + 5_500), finished('e', 'Failed', T0 + 7_000)]);
    assert.deepEqual(r, { key: 'ns/j', failuresAfterLastSuccess: 1, lastFailureMs: T0 + 7_000 });
    store.update(r);
    assert.deepEqual(store.next('ns/j', [finished('s2', 'Succeeded', T0 + 8_000)], []), { key: 'ns/j', failuresAfterLastSuccess: 0 });
    assert.deepEqual(store.next('ns/j', [], []), r, 'no new pods, no change');
  });

  it('takes the finish time from containers, then Ready=False, then deletion', () => {
    assert.equal(podFinishedMs(finished('a', 'Failed', T0 + 3_000)), T0 + 3_000);
    const noContainers: Pod = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', creationTimestamp: iso(T0), deletionTimestamp: iso(T0 + 9_000) },
      status: { phase: 'Failed', conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: iso(T0 + 4_000) }] },
    };
    assert.equal(podFinishedMs(noContainers), T0 + 4_000);
    assert.equal(podFinishedMs({ ...noContainers, status: { phase: 'Failed' } }), T0 + 9_000);
  });

  it('per index, waits according to the failure counts the failed pod carries', () => {
    const pod = finished('p', 'Failed', T0, { 'batch.kubernetes.io/job-index-failure-count': '2', 'batch.kubernetes.io/job-index-ignored-failure-count': '1' });
    // 2 + 1 earlier failures and this one: 4 → 10 s · 2³.
    assert.equal(remainingBackoffForIndexMs(pod, T0 + 1_000, 10_000, 360_000), 79_000);
    assert.equal(remainingBackoffForIndexMs(undefined, T0, 10_000, 360_000), 0);
  });
});
