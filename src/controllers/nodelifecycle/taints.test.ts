import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { metaTime } from '../util/conditions.ts';
import { evictionDecision } from './taint-eviction.ts';
import { conditionTaints, managedNoScheduleTaints, matchingTolerations, tolerates, type Node, type Taint } from './taints.ts';

const T0 = Date.parse('2025-05-01T00:00:00Z');
const unreachable = (timeAdded?: number): Taint => ({ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', ...(timeAdded !== undefined ? { timeAdded: metaTime(timeAdded) } : {}) });
const custom: Taint = { key: 'example.com/maintenance', value: 'yes', effect: 'NoExecute' };

describe('tolerations', () => {
  it('match as upstream ToleratesTaint: Equal compares values, Exists any, empty key with Exists everything', () => {
    assert.equal(tolerates({ key: 'example.com/maintenance', operator: 'Equal', value: 'yes', effect: 'NoExecute' }, custom), true);
    assert.equal(tolerates({ key: 'example.com/maintenance', value: 'yes' }, custom), true, 'an empty operator is Equal; an empty effect matches all');
    assert.equal(tolerates({ key: 'example.com/maintenance', value: 'no' }, custom), false);
    assert.equal(tolerates({ key: 'example.com/maintenance', operator: 'Exists', effect: 'NoSchedule' }, custom), false);
    assert.equal(tolerates({ operator: 'Exists' }, custom), true);
    assert.equal(tolerates({ operator: 'Bogus', key: 'example.com/maintenance' }, custom), false);
    assert.deepEqual(matchingTolerations([custom, unreachable()], [{ operator: 'Exists', effect: 'NoSchedule' }, { key: 'example.com/maintenance', operator: 'Exists' }]), undefined);
    const all = { operator: 'Exists' };
    assert.deepEqual(matchingTolerations([custom, unreachable()], [all]), [all, all]);
  });
});

describe('taint eviction decision', () => {
  const forever = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' };
  const fiveMin = { ...forever, tolerationSeconds: 300 };

  it('keeps pods on untainted nodes and pods that tolerate every taint forever', () => {
    assert.deepEqual(evictionDecision([], [], T0, T0), { kind: 'keep' });
    assert.deepEqual(evictionDecision([forever], [unreachable(T0)], T0 + 1e9, T0), { kind: 'keep' });
  });

  it('evicts at once when a taint is not tolerated', () => {
    assert.deepEqual(evictionDecision([fiveMin], [unreachable(T0), custom], T0, T0), { kind: 'now' });
    assert.deepEqual(evictionDecision([], [custom], T0, T0), { kind: 'now' });
  });

  it('counts tolerationSeconds from the taint\'s timeAdded, the earliest deadline winning', () => {
    assert.deepEqual(evictionDecision([fiveMin], [unreachable(T0 - 60_000)], T0, T0), { kind: 'at', at: T0 + 240_000 });
    assert.deepEqual(evictionDecision([fiveMin], [unreachable(T0 - 300_000)], T0, T0), { kind: 'now' });
    const twoTaints = [unreachable(T0), { ...custom, timeAdded: metaTime(T0 + 5000) }];
    assert.deepEqual(evictionDecision([fiveMin, { key: 'example.com/maintenance', operator: 'Exists', tolerationSeconds: 10 }], twoTaints, T0 + 6000, T0 + 6000), { kind: 'at', at: T0 + 15_000 });
  });

  it('falls back to when the pod was first seen without timeAdded, and never trusts a timeAdded from the future', () => {
    assert.deepEqual(evictionDecision([fiveMin], [unreachable()], T0 + 10_000, T0), { kind: 'at', at: T0 + 300_000 });
    assert.deepEqual(evictionDecision([fiveMin], [unreachable(T0 + 3_600_000)], T0, T0), { kind: 'at', at: T0 + 300_000 });
  });

  it('treats zero or negative tolerationSeconds as immediate', () => {
    assert.deepEqual(evictionDecision([{ ...forever, tolerationSeconds: 0 }], [unreachable(T0)], T0, T0), { kind: 'now' });
    assert.deepEqual(evictionDecision([{ ...forever, tolerationSeconds: -5 }], [unreachable(T0)], T0, T0), { kind: 'now' });
  });
});

describe('condition taints', () => {
  const node = (conditions: [string, string][], unschedulable = false, taints: Taint[] = []): Node => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'n' },
    spec: { unschedulable, taints },
    status: { conditions: conditions.map(([type, status]) => ({ type, status })) },
  });

  it('maps conditions and unschedulable to NoSchedule taints (TaintNodesByCondition)', () => {
    const keys = (n: Node) => conditionTaints(n).map((t) => `${t.key}:${t.effect}`);
    assert.deepEqual(keys(node([['Ready', 'True'], ['MemoryPressure', 'False']])), []);
    assert.deepEqual(keys(node([['Ready', 'Unknown']])), ['node.kubernetes.io/unreachable:NoSchedule']);
    assert.deepEqual(keys(node([['Ready', 'False'], ['DiskPressure', 'True'], ['PIDPressure', 'True'], ['NetworkUnavailable', 'True']], true)), [
      'node.kubernetes.io/not-ready:NoSchedule',
      'node.kubernetes.io/disk-pressure:NoSchedule',
      'node.kubernetes.io/pid-pressure:NoSchedule',
      'node.kubernetes.io/network-unavailable:NoSchedule',
      'node.kubernetes.io/unschedulable:NoSchedule',
    ]);
  });

  it('manages only its own NoSchedule taints', () => {
    const n = node([], false, [
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
      { key: 'dedicated', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
    ]);
    assert.deepEqual(managedNoScheduleTaints(n).map((t) => t.key), ['node.kubernetes.io/unreachable', 'node.kubernetes.io/unschedulable']);
  });
});
