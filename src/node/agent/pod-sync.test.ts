import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computePodActions, type PodRuntimeState, type ProbeResults } from './pod-sync.ts';
import type { ContainerSpec } from './pod-types.ts';
import { container, makePod, sandbox } from './testing/pod-fixtures.ts';

const st = (...containers: PodRuntimeState['containers']): PodRuntimeState => ({ sandboxes: [sandbox('sb1')], containers });
const summary = (a: ReturnType<typeof computePodActions>) => ({
  killPod: a.killPod, createSandbox: a.createSandbox, init: a.initContainersToStart, start: a.containersToStart, kill: a.containersToKill.map((k) => `${k.name}:${k.reason}`),
});
const probes = (liveness: Record<string, 'success' | 'failure'>, startup: Record<string, 'success' | 'failure'> = {}): ProbeResults => ({
  liveness: (id) => liveness[id], startup: (id) => startup[id],
});

const init1: ContainerSpec = { name: 'init1', image: 'i:1' };
const init2: ContainerSpec = { name: 'init2', image: 'i:1' };
const side: ContainerSpec = { name: 'side', image: 's:1', restartPolicy: 'Always' };
const app: ContainerSpec = { name: 'app', image: 'app:1' };

test('first start: sandbox and all containers', () => {
  const pod = makePod({ containers: [app, { name: 'b', image: 'b:1' }] });
  assert.deepEqual(summary(computePodActions(pod, { sandboxes: [], containers: [] })), {
    killPod: true, createSandbox: true, init: [], start: ['app', 'b'], kill: [],
  });
});

test('first start with init containers: only the first init container', () => {
  const pod = makePod({ initContainers: [init1, init2], containers: [app] });
  assert.deepEqual(summary(computePodActions(pod, { sandboxes: [], containers: [] })).init, ['init1']);
});

test('init containers run one after the other', () => {
  const pod = makePod({ initContainers: [init1, init2], containers: [app] });
  const cases: [PodRuntimeState, string[], string[]][] = [
    [st(), ['init1'], []],
    [st(container('init1', 'running')), [], []],
    [st(container('init1', 'exited')), ['init2'], []],
    [st(container('init1', 'exited'), container('init2', 'running')), [], []],
    [st(container('init1', 'exited'), container('init2', 'exited')), [], ['app']],
    // completed init containers removed from the runtime: the last one tells
    [st(container('init2', 'exited')), [], ['app']],
    // a created but never started init container is started
    [st(container('init1', 'created')), ['init1'], []],
  ];
  for (const [state, init, start] of cases) {
    const a = computePodActions(pod, state);
    assert.deepEqual([a.initContainersToStart, a.containersToStart], [init, start], JSON.stringify(state.containers.map((c) => [c.metadata.name, c.state])));
  }
});

test('init container failure: Never fails the pod, OnFailure and Always retry it', () => {
  const state = st(container('init1', 'exited', { exitCode: 1 }));
  const never = computePodActions(makePod({ initContainers: [init1], containers: [app], restartPolicy: 'Never' }), state);
  assert.deepEqual(summary(never), { killPod: true, createSandbox: false, init: [], start: [], kill: [] });
  for (const restartPolicy of ['OnFailure', 'Always'] as const) {
    const a = computePodActions(makePod({ initContainers: [init1], containers: [app], restartPolicy }), state);
    assert.deepEqual(summary(a), { killPod: false, createSandbox: false, init: ['init1'], start: [], kill: [] });
  }
});

test('regular containers and restartPolicy', () => {
  const exited0 = st(container('app', 'exited', { exitCode: 0 }));
  const exited1 = st(container('app', 'exited', { exitCode: 1 }));
  const cases: [string, PodRuntimeState, { start: string[]; killPod: boolean }][] = [
    ['Always', exited0, { start: ['app'], killPod: false }],
    ['Always', exited1, { start: ['app'], killPod: false }],
    ['OnFailure', exited0, { start: [], killPod: true }],
    ['OnFailure', exited1, { start: ['app'], killPod: false }],
    ['Never', exited0, { start: [], killPod: true }],
    ['Never', exited1, { start: [], killPod: true }],
    ['Never', st(container('app', 'running')), { start: [], killPod: false }],
  ];
  for (const [restartPolicy, state, want] of cases) {
    const a = computePodActions(makePod({ restartPolicy: restartPolicy as 'Always' }), state);
    assert.deepEqual({ start: a.containersToStart, killPod: a.killPod }, want, `${restartPolicy} ${state.containers[0]?.exitCode}`);
  }
});

test('sidecars start before regular containers, keep running and are restarted', () => {
  const pod = makePod({ initContainers: [side, init1], containers: [app] });
  const cases: [PodRuntimeState, string[], string[]][] = [
    [st(), ['side'], []],
    // the sidecar is running (no startup probe): the next init container starts alongside it
    [st(container('side', 'running')), ['init1'], []],
    [st(container('side', 'running'), container('init1', 'running')), [], []],
    [st(container('side', 'running'), container('init1', 'exited')), [], ['app']],
    // a sidecar that exits is restarted while the rest goes on
    [st(container('side', 'exited', { exitCode: 1 }), container('init1', 'exited'), container('app', 'running')), ['side'], []],
    [st(container('side', 'exited', { exitCode: 0 }), container('init1', 'running')), ['side'], []],
  ];
  for (const [state, init, start] of cases) {
    const a = computePodActions(pod, state);
    assert.deepEqual([a.initContainersToStart, a.containersToStart, a.killPod], [init, start, false], JSON.stringify(state.containers.map((c) => [c.metadata.name, c.state])));
  }
});

test('a sidecar with a startup probe holds back the next init container until it started', () => {
  const pod = makePod({ initContainers: [{ ...side, startupProbe: { exec: { command: ['true'] } } }, init1], containers: [app] });
  const s = container('side', 'running', { id: 'side-1' });
  assert.deepEqual(computePodActions(pod, st(s)).initContainersToStart, []);
  assert.deepEqual(computePodActions(pod, st(s), probes({}, { 'side-1': 'success' })).initContainersToStart, ['init1']);
  const failed = computePodActions(pod, st(s), probes({}, { 'side-1': 'failure' }));
  assert.deepEqual(summary(failed).kill, ['side:StartupProbe']);
  assert.deepEqual(failed.initContainersToStart, ['side']);
});

test('sidecars do not keep a finished pod alive', () => {
  const pod = makePod({ initContainers: [side], containers: [app], restartPolicy: 'Never' });
  const a = computePodActions(pod, st(container('side', 'running'), container('app', 'exited')));
  assert.deepEqual(summary(a), { killPod: true, createSandbox: false, init: [], start: [], kill: [] });
});

test('liveness and startup failures kill the container; it restarts unless the policy is Never', () => {
  const c = container('app', 'running', { id: 'app-1' });
  const live = computePodActions(makePod({}), st(c), probes({ 'app-1': 'failure' }));
  assert.deepEqual(summary(live), { killPod: false, createSandbox: false, init: [], start: ['app'], kill: ['app:LivenessProbe'] });
  assert.match(live.containersToKill[0]!.message, /failed liveness probe, will be restarted/);
  const startup = computePodActions(makePod({}), st(c), probes({}, { 'app-1': 'failure' }));
  assert.deepEqual(summary(startup).kill, ['app:StartupProbe']);
  const never = computePodActions(makePod({ restartPolicy: 'Never' }), st(c), probes({ 'app-1': 'failure' }));
  assert.deepEqual(summary(never), { killPod: true, createSandbox: false, init: [], start: [], kill: ['app:LivenessProbe'] });
  const healthy = computePodActions(makePod({}), st(c), probes({ 'app-1': 'success' }));
  assert.deepEqual(summary(healthy), { killPod: false, createSandbox: false, init: [], start: [], kill: [] });
});

test('a changed container spec replaces the container whatever the policy', () => {
  const c = container('app', 'running', { spec: { name: 'app', image: 'app:1' } });
  const a = computePodActions(makePod({ containers: [{ name: 'app', image: 'app:2' }], restartPolicy: 'Never' }), st(c));
  assert.deepEqual(summary(a), { killPod: false, createSandbox: false, init: [], start: ['app'], kill: ['app:SpecChanged'] });
});

test('a dead sandbox: everything starts over, unless the policy is Never', () => {
  const dead = { sandboxes: [sandbox('sb1', false)], containers: [container('app', 'exited', { exitCode: 137 })] };
  const a = computePodActions(makePod({}), dead);
  assert.deepEqual(summary(a), { killPod: true, createSandbox: true, init: [], start: ['app'], kill: [] });
  assert.equal(a.attempt, 1);
  const never = computePodActions(makePod({ restartPolicy: 'Never' }), dead);
  assert.equal(never.createSandbox, false);
  const withInit = computePodActions(makePod({ initContainers: [init1] }), { sandboxes: [sandbox('sb1', false)], containers: [container('init1', 'exited'), container('app', 'exited')] });
  assert.deepEqual(withInit.initContainersToStart, ['init1']);
});

test('a container in unknown state is killed and restarted', () => {
  const a = computePodActions(makePod({}), st(container('app', 'unknown')));
  assert.deepEqual(summary(a), { killPod: false, createSandbox: false, init: [], start: ['app'], kill: ['app:Unknown'] });
});

test('a deleted pod restarts nothing', () => {
  const pod = makePod({}, { deletionTimestamp: '2026-01-01T00:00:00Z' });
  const a = computePodActions(pod, st(container('app', 'exited', { exitCode: 1 })));
  assert.deepEqual(summary(a), { killPod: true, createSandbox: false, init: [], start: [], kill: [] });
});
