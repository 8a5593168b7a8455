import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../../../client/index.ts';
import { admit, allocatableFrom, podRequests, ZERO } from '../../agent/resource-admission.ts';
import { SimKubelet, type SyncResult } from './sim-kubelet.ts';
import type { Pod } from './types.ts';

const NODE = allocatableFrom({ cpu: '4', memory: '8Gi', pods: 3, 'ephemeral-storage': '10Gi' });

describe('pod requests', () => {
  test('containers add up; an init container counts at its peak; a limit alone is the request', () => {
    const r = podRequests({
      containers: [{ resources: { requests: { cpu: '500m', memory: '1Gi' } } }, { resources: { limits: { cpu: '250m' } } }],
      initContainers: [{ resources: { requests: { cpu: '2', memory: '512Mi' } } }],
    });
    assert.deepEqual(r, { milliCpu: 2000, memory: 2 ** 30, ephemeralStorage: 0 });
  });

  test('sidecars run beside the app and every later init container; overhead is added', () => {
    const r = podRequests({
      initContainers: [{ restartPolicy: 'Always', resources: { requests: { cpu: '100m' } } }, { resources: { requests: { cpu: '1' } } }],
      containers: [{ resources: { requests: { cpu: '300m' } } }],
      overhead: { cpu: '10m' },
    });
    // max(app 300m + sidecar 100m, init 1 + sidecar 100m) + overhead
    assert.equal(r.milliCpu, 1110);
  });
});

describe('admission', () => {
  test('fits: nothing to say', () => {
    assert.equal(admit({ milliCpu: 4000, memory: 8 * 2 ** 30, ephemeralStorage: 0 }, NODE, ZERO, 2), undefined);
  });

  test('upstream reasons and messages, the first short resource in upstream order', () => {
    assert.deepEqual(admit({ milliCpu: 100, memory: 0, ephemeralStorage: 0 }, NODE, { milliCpu: 3950, memory: 0, ephemeralStorage: 0 }, 1), {
      reason: 'OutOfcpu',
      message: "Pod was rejected: Node didn't have enough resource: cpu, requested: 100, used: 3950, capacity: 4000",
    });
    assert.deepEqual(admit({ milliCpu: 0, memory: 2 ** 30, ephemeralStorage: 0 }, NODE, { milliCpu: 0, memory: 7.5 * 2 ** 30, ephemeralStorage: 0 }, 0), {
      reason: 'OutOfmemory',
      message: `Pod was rejected: Node didn't have enough resource: memory, requested: ${2 ** 30}, used: ${7.5 * 2 ** 30}, capacity: ${8 * 2 ** 30}`,
    });
    assert.deepEqual(admit({ milliCpu: 99_000, memory: 0, ephemeralStorage: 0 }, NODE, ZERO, 3), {
      reason: 'OutOfpods',
      message: "Pod was rejected: Node didn't have enough resource: pods, requested: 1, used: 3, capacity: 3",
    });
    assert.equal(admit({ milliCpu: 0, memory: 0, ephemeralStorage: 11 * 2 ** 30 }, NODE, ZERO, 0)?.reason, 'OutOfephemeral-storage');
  });

  test('the kubelet rejects a pod that does not fit: Failed with the reason and a Warning event; finished pods free room', async () => {
    const clock = new FakeClock(0);
    const k = new SimKubelet({ name: 'n', hostIP: '10.64.0.1', podCidr: '10.128.0.0/24' }, NODE, { readyDelayMs: 0, terminationDelayMs: 0, defaultRunMs: undefined, exitAfterMs: 100 }, clock);
    const mk = (name: string, cpu: string, annotations?: Record<string, string>): Pod => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'ns', uid: name, ...(annotations ? { annotations } : {}) },
      spec: { nodeName: 'n', restartPolicy: 'Never', containers: [{ name: 'c', image: 'i', resources: { requests: { cpu } } }] },
      status: { phase: 'Pending' },
    });
    const job = mk('job', '3', { 'sim.strata.dev/exit-code': '0' });
    const r1: SyncResult = await k.sync(job);
    assert.equal(r1.status?.['phase'], 'Running');
    const rejected = await k.sync(mk('big', '2'));
    assert.deepEqual([rejected.status?.['phase'], rejected.status?.['reason'], rejected.status?.['message']], [
      'Failed', 'OutOfcpu', "Pod was rejected: Node didn't have enough resource: cpu, requested: 2000, used: 3000, capacity: 4000",
    ]);
    assert.deepEqual(rejected.event, { type: 'Warning', reason: 'OutOfcpu', message: rejected.status?.['message'] });
    assert.equal(rejected.status?.['containerStatuses'], undefined, 'a rejected pod never ran');
    await clock.advance(100);
    const done = await k.sync({ ...job, status: { ...job.status, ...r1.status } });
    assert.equal(done.status?.['phase'], 'Succeeded');
    assert.equal((await k.sync(mk('big2', '2'))).status?.['phase'], 'Running', 'room again once the job finished');
  });
});
