import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from '../util/index.ts';
import { deletionCost, podsToDelete, POD_DELETION_COST } from './deletion-order.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const iso = (s: number): string => new Date(T0 + s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

function pod(name: string, o: { node?: string; phase?: string; ready?: boolean; readySince?: number; created?: number; cost?: string; restarts?: number } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns', uid: name, creationTimestamp: iso(o.created ?? 0), ...(o.cost !== undefined ? { annotations: { [POD_DELETION_COST]: o.cost } } : {}) },
    spec: o.node ? { nodeName: o.node } : {},
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: iso(o.readySince ?? 0) }],
      containerStatuses: [{ restartCount: o.restarts ?? 0 }],
    },
  };
}

const names = (pods: Pod[]): string[] => pods.map((p) => p.metadata.name ?? '');

describe('podsToDelete', () => {
  it('deletes unscheduled, then pending, then not-ready pods before running ready ones', () => {
    const pods = [pod('ready', { node: 'n1' }), pod('notready', { node: 'n1', ready: false }), pod('pending', { node: 'n1', phase: 'Pending', ready: false }), pod('unscheduled', { phase: 'Pending', ready: false })];
    assert.deepEqual(names(podsToDelete(pods, [], 3)), ['unscheduled', 'pending', 'notready']);
  });

  it('prefers lower deletion cost, then doubled-up nodes, then ready for less time, more restarts, newer', () => {
    const cheap = pod('cheap', { node: 'n1', cost: '-5', created: 1 });
    const dear = pod('dear', { node: 'n2', cost: '100', created: 100 });
    assert.deepEqual(names(podsToDelete([dear, cheap], [], 1)), ['cheap'], 'cost beats age');

    const a = pod('alone', { node: 'n1', created: 50 });
    const b = pod('crowded', { node: 'n2', created: 1 });
    const sibling = pod('sibling', { node: 'n2' });
    assert.deepEqual(names(podsToDelete([a, b], [a, b, sibling], 1)), ['crowded'], 'the pod sharing its node goes first');

    const young = pod('young', { node: 'n1', readySince: 90 });
    const old = pod('old', { node: 'n2', readySince: 10 });
    assert.deepEqual(names(podsToDelete([old, young], [], 1)), ['young']);

    const flappy = pod('flappy', { node: 'n1', restarts: 3 });
    const steady = pod('steady', { node: 'n2' });
    assert.deepEqual(names(podsToDelete([steady, flappy], [], 1)), ['flappy']);

    const newer = pod('newer', { node: 'n1', created: 20 });
    const older = pod('older', { node: 'n2', created: 10 });
    assert.deepEqual(names(podsToDelete([older, newer], [], 1)), ['newer']);
  });

  it('reads the deletion cost as an int32 and ignores anything else', () => {
    assert.equal(deletionCost(pod('a', { cost: '42' })), 42);
    assert.equal(deletionCost(pod('a', { cost: '-7' })), -7);
    assert.equal(deletionCost(pod('a', { cost: 'abc' })), 0);
    assert.equal(deletionCost(pod('a', { cost: '99999999999' })), 0);
    assert.equal(deletionCost(pod('a')), 0);
  });

  it('returns every pod when asked for at least as many', () => {
    assert.equal(podsToDelete([pod('a'), pod('b')], [], 5).length, 2);
  });
});
