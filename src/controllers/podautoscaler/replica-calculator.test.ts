// Replica counts for resource metrics as upstream's replica_calculator_test cases: plain scale up
// and down, the tolerance, unready and missing pods on either side of the target, AverageValue.

import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Pod } from '../util/pods.ts';
import { rawResourceReplicas, resourceReplicas, type CalculatorOptions, type PodMetrics } from './replica-calculator.ts';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const opts: CalculatorOptions = { tolerance: 0.1, cpuInitializationPeriodMs: 300_000, initialReadinessDelayMs: 30_000, now: NOW };
const iso = (ms: number): string => new Date(ms).toISOString();

function pod(name: string, o: { phase?: string; ready?: boolean; request?: string; startedAgoMs?: number; readySinceAgoMs?: number; deleting?: boolean } = {}): Pod {
  const started = NOW - (o.startedAgoMs ?? 600_000);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns', ...(o.deleting ? { deletionTimestamp: iso(NOW) } : {}) },
    spec: { containers: [{ name: 'c', resources: { requests: { cpu: o.request ?? '100m' } } }] },
    status: {
      phase: o.phase ?? 'Running',
      startTime: iso(started),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: iso(NOW - (o.readySinceAgoMs ?? 590_000)) }],
    },
  };
}

const metrics = (values: Record<string, number>): PodMetrics => new Map(Object.entries(values).map(([k, v]) => [k, { timestamp: NOW - 1000, windowMs: 10_000, value: v }]));

describe('resourceReplicas (Utilization)', () => {
  it('scales up in proportion to utilization over target', () => {
    const r = resourceReplicas(3, 50, 'cpu', [pod('a'), pod('b'), pod('c')], metrics({ a: 100, b: 100, c: 100 }), opts);
    assert.deepEqual(r, { replicas: 6, utilization: 100, rawAverage: 100 });
  });

  it('scales down, and stays put within the tolerance', () => {
    assert.equal(resourceReplicas(4, 50, 'cpu', [pod('a'), pod('b'), pod('c'), pod('d')], metrics({ a: 10, b: 10, c: 10, d: 10 }), opts).replicas, 1);
    assert.equal(resourceReplicas(2, 50, 'cpu', [pod('a'), pod('b')], metrics({ a: 54, b: 54 }), opts).replicas, 2);
  });

  it('on a scale up counts unready pods as idle, ignores deleted and failed pods', () => {
    const pods = [pod('a'), pod('b', { ready: false, startedAgoMs: 10_000, readySinceAgoMs: 5000 }), pod('p', { phase: 'Pending' }), pod('f', { phase: 'Failed' }), pod('d', { deleting: true })];
    // a alone: 200% of a 50% target; with b and p at 0: 200/300*100 = 66% → ceil(1.33*3) = 4.
    const r = resourceReplicas(3, 50, 'cpu', pods, metrics({ a: 200, b: 300, f: 500, d: 500 }), opts);
    assert.equal(r.replicas, 4);
    assert.equal(r.utilization, 200);
  });

  it('on a scale down counts pods without metrics as using their full request', () => {
    // a, b at 10% of a 50% target say 1 replica; c missing counts as 100% → (10+10+100)/300 = 40% → ceil(0.8*3) = 3: no change.
    assert.equal(resourceReplicas(3, 50, 'cpu', [pod('a'), pod('b'), pod('c')], metrics({ a: 10, b: 10 }), opts).replicas, 3);
  });

  it('fails without requests or without metrics', () => {
    assert.throws(() => resourceReplicas(1, 50, 'memory', [pod('a')], metrics({ a: 1 }), opts), /missing request for memory in container c of Pod a/);
    assert.throws(() => resourceReplicas(1, 50, 'cpu', [pod('a', { phase: 'Pending' })], metrics({}), opts), /did not receive metrics for targeted pods/);
    assert.throws(() => resourceReplicas(1, 50, 'cpu', [], metrics({}), opts), /no pods returned by selector/);
  });
});

describe('rawResourceReplicas (AverageValue)', () => {
  it('divides the average usage by the target value', () => {
    assert.deepEqual(rawResourceReplicas(2, 100, 'cpu', [pod('a'), pod('b')], metrics({ a: 300, b: 100 }), opts), { replicas: 4, usage: 200 });
    assert.equal(rawResourceReplicas(2, 100, 'cpu', [pod('a'), pod('b')], metrics({ a: 105, b: 100 }), opts).replicas, 2);
  });
});
