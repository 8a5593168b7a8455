import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { admitPod, isBestEffort } from './pod-admission.ts';
import type { AgentPod } from './pod-types.ts';

function pod(name: string, resources?: Record<string, Record<string, string>>): AgentPod {
  return { metadata: { name, namespace: 'default', uid: name }, spec: { containers: [{ name: 'c', ...(resources ? { resources } : {}) }] } } as unknown as AgentPod;
}

const NODE = { allocatable: { cpu: '2', memory: '4Gi', pods: '3', 'ephemeral-storage': '10Gi' }, conditions: [{ type: 'MemoryPressure', status: 'False' }] };

describe('pod admission on the node agent', () => {
  test('a pod fits next to the admitted ones, or is rejected with the first short resource', () => {
    const running = [pod('a', { requests: { cpu: '1500m' } })];
    assert.equal(admitPod(pod('b', { requests: { cpu: '500m' } }), running, NODE), undefined);
    assert.deepEqual(admitPod(pod('c', { requests: { cpu: '600m' } }), running, NODE), {
      reason: 'OutOfcpu',
      message: "Pod was rejected: Node didn't have enough resource: cpu, requested: 600, used: 1500, capacity: 2000",
    });
    assert.equal(admitPod(pod('d', { limits: { memory: '5Gi' } }), [], NODE)?.reason, 'OutOfmemory');
    assert.equal(admitPod(pod('e'), [pod('x'), pod('y'), pod('z')], NODE)?.reason, 'OutOfpods');
  });

  test('a BestEffort pod is turned away while the node has MemoryPressure; a Burstable one is not', () => {
    const pressured = { ...NODE, conditions: [{ type: 'MemoryPressure', status: 'True' }] };
    assert.deepEqual(admitPod(pod('be'), [], pressured), { reason: 'Evicted', message: 'The node had condition: [MemoryPressure]. ' });
    assert.equal(admitPod(pod('bu', { requests: { memory: '1Mi' } }), [], pressured), undefined);
    assert.equal(isBestEffort(pod('be')), true);
    assert.equal(isBestEffort(pod('bu', { limits: { cpu: '1' } })), false);
  });

  test('before the Node was read only the pressure check applies', () => {
    assert.equal(admitPod(pod('big', { requests: { cpu: '1000' } }), [], {}), undefined);
  });
});
