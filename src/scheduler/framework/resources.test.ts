import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PodSpec } from '../api-types.ts';
import { computePodResources, DEFAULT_MEMORY_REQUEST, DEFAULT_MILLI_CPU_REQUEST } from './resources.ts';

const c = (name: string, cpu?: string, memory?: string, restartPolicy?: string) => ({
  name,
  resources: { requests: { ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}) } },
  ...(restartPolicy ? { restartPolicy } : {}),
});

test('app containers add up; an init container raises the request only when larger', () => {
  const spec: PodSpec = { containers: [c('a', '100m', '100Mi'), c('b', '200m', '50Mi')], initContainers: [c('i', '500m', '10Mi')] };
  const r = computePodResources(spec);
  assert.equal(r.requests.milliCPU, 500);
  assert.equal(r.requests.memory, 150 * 1024 * 1024);
});

test('sidecars (restartPolicy Always) add to the app sum and run next to later init containers', () => {
  const spec: PodSpec = {
    containers: [c('app', '100m')],
    initContainers: [c('side', '200m', undefined, 'Always'), c('init', '250m')],
  };
  // app phase: 100 + 200 = 300; init phase: 250 + 200 (sidecar started before it) = 450.
  assert.equal(computePodResources(spec).requests.milliCPU, 450);
});

test('overhead is added; extended resources are counted; pod-level requests replace cpu/memory', () => {
  const spec: PodSpec = {
    containers: [{ name: 'a', resources: { requests: { cpu: '1', 'example.com/gpu': '2' } } }],
    overhead: { cpu: '250m' },
  };
  const r = computePodResources(spec);
  assert.equal(r.requests.milliCPU, 1250);
  assert.equal(r.requests.get('example.com/gpu'), 2);
  const podLevel = computePodResources({ containers: [c('a', '1')], resources: { requests: { cpu: '3' } } });
  assert.equal(podLevel.requests.milliCPU, 3000);
});

test('scoring defaults apply per container that sets no request', () => {
  const r = computePodResources({ containers: [c('a', '300m'), { name: 'b' }] });
  assert.equal(r.requests.milliCPU, 300);
  assert.equal(r.nonZeroMilliCPU, 300 + DEFAULT_MILLI_CPU_REQUEST);
  assert.equal(r.nonZeroMemory, 2 * DEFAULT_MEMORY_REQUEST);
});
