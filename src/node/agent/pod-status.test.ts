import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generatePodStatus, metaTime, type ApiContainerStatus, type PodCondition, type StatusInput } from './pod-status.ts';
import type { PodRuntimeState } from './pod-sync.ts';
import type { AgentPod, ContainerSpec } from './pod-types.ts';
import { container, makePod, sandbox } from './testing/pod-fixtures.ts';

const st = (...containers: PodRuntimeState['containers']): PodRuntimeState => ({ sandboxes: [sandbox('sb1')], containers });
const gen = (pod: AgentPod, state: PodRuntimeState, extra: Partial<StatusInput> = {}) =>
  generatePodStatus({ pod, state, hostIP: '192.168.1.5', now: 50_000, ...extra });
const cond = (s: Record<string, unknown>, type: string) => (s['conditions'] as PodCondition[]).find((c) => c.type === type)!;
const cs = (s: Record<string, unknown>, name: string, field = 'containerStatuses') => (s[field] as ApiContainerStatus[]).find((c) => c.name === name)!;

const init1: ContainerSpec = { name: 'init1', image: 'i:1' };
const side: ContainerSpec = { name: 'side', image: 's:1', restartPolicy: 'Always' };

test('phase', () => {
  const cases: [string, AgentPod, PodRuntimeState, string, boolean?][] = [
    ['nothing yet', makePod({}), { sandboxes: [], containers: [] }, 'Pending'],
    ['running', makePod({}), st(container('app', 'running')), 'Running'],
    ['created', makePod({}), st(container('app', 'created')), 'Pending'],
    ['init running', makePod({ initContainers: [init1] }), st(container('init1', 'running')), 'Pending'],
    ['init failed, Never', makePod({ initContainers: [init1], restartPolicy: 'Never' }), st(container('init1', 'exited', { exitCode: 1 })), 'Failed'],
    ['init failed, Always', makePod({ initContainers: [init1] }), st(container('init1', 'exited', { exitCode: 1 })), 'Pending'],
    ['Never, exit 0', makePod({ restartPolicy: 'Never' }), st(container('app', 'exited')), 'Succeeded'],
    ['Never, exit 1', makePod({ restartPolicy: 'Never' }), st(container('app', 'exited', { exitCode: 1 })), 'Failed'],
    ['OnFailure, exit 0', makePod({ restartPolicy: 'OnFailure' }), st(container('app', 'exited')), 'Succeeded'],
    ['OnFailure, exit 1', makePod({ restartPolicy: 'OnFailure' }), st(container('app', 'exited', { exitCode: 1 })), 'Running'],
    ['Always, exit 1', makePod({}), st(container('app', 'exited', { exitCode: 1 })), 'Running'],
    ['Always, terminal (deleted)', makePod({}), st(container('app', 'exited', { exitCode: 143 })), 'Failed', true],
    ['Always, terminal, exit 0', makePod({}), st(container('app', 'exited')), 'Succeeded', true],
    ['sidecar not started, no regular container yet', makePod({ initContainers: [side] }), st(container('side', 'running')), 'Pending'],
    ['sidecar running, app exited 0, Never', makePod({ initContainers: [side], restartPolicy: 'Never' }), st(container('side', 'running'), container('app', 'exited')), 'Running'],
  ];
  for (const [name, pod, state, phase, terminal] of cases) {
    assert.equal(gen(pod, state, { terminal: terminal ?? false })['phase'], phase, name);
  }
});

test('a terminal phase never changes back', () => {
  const pod = makePod({}, {});
  pod.status = { phase: 'Failed' };
  assert.equal(gen(pod, st(container('app', 'running')))['phase'], 'Failed');
});

test('conditions and their lastTransitionTime', () => {
  const pod = makePod({ initContainers: [init1], readinessGates: [] });
  const s1 = gen(pod, st(container('init1', 'running')), { now: 10_000 });
  assert.deepEqual(
    (s1['conditions'] as PodCondition[]).map((c) => [c.type, c.status, c.reason ?? '']),
    [['PodReadyToStartContainers', 'True', ''], ['Initialized', 'False', 'ContainersNotInitialized'], ['Ready', 'False', 'ContainersNotReady'],
      ['ContainersReady', 'False', 'ContainersNotReady'], ['PodScheduled', 'True', '']],
  );
  assert.equal(cond(s1, 'Initialized').message, 'containers with incomplete status: [init1]');
  assert.equal(cond(s1, 'Ready').message, 'containers with unready status: [app]');
  const s2 = gen({ ...pod, status: s1 }, st(container('init1', 'exited'), container('app', 'running')), { now: 20_000 });
  assert.equal(cond(s2, 'Initialized').status, 'True');
  assert.equal(cond(s2, 'Initialized').lastTransitionTime, metaTime(20_000));
  assert.equal(cond(s2, 'PodReadyToStartContainers').lastTransitionTime, metaTime(10_000), 'unchanged condition keeps its time');
  assert.equal(cond(s2, 'Ready').status, 'True');
  assert.equal(cs(s2, 'init1', 'initContainerStatuses').ready, true, 'a completed init container is ready');
});

test('readiness from the probers, and readiness gates', () => {
  const pod = makePod({ containers: [{ name: 'app', image: 'a', readinessProbe: { httpGet: { port: 80 } } }], readinessGates: [{ conditionType: 'example.com/lb' }] });
  const state = st(container('app', 'running', { id: 'app-1' }));
  const notReady = gen(pod, state, { probes: { ready: () => false, started: () => true } });
  assert.equal(cs(notReady, 'app').ready, false);
  assert.equal(cs(notReady, 'app').started, true);
  assert.equal(cond(notReady, 'ContainersReady').status, 'False');
  const ready = gen(pod, state);
  assert.equal(cond(ready, 'ContainersReady').status, 'True');
  assert.equal(cond(ready, 'Ready').reason, 'ReadinessGatesNotReady');
  const gated = gen({ ...pod, status: { conditions: [{ type: 'example.com/lb', status: 'True' }] } }, state);
  assert.equal(cond(gated, 'Ready').status, 'True');
  assert.ok((gated['conditions'] as PodCondition[]).some((c) => c.type === 'example.com/lb'), 'foreign conditions are kept');
});

test('waiting reasons: ContainerCreating, PodInitializing, CrashLoopBackOff with lastState', () => {
  const none = gen(makePod({}), st());
  assert.deepEqual(cs(none, 'app').state, { waiting: { reason: 'ContainerCreating' } });
  const initing = gen(makePod({ initContainers: [init1] }), st(container('init1', 'running')));
  assert.deepEqual(cs(initing, 'app').state, { waiting: { reason: 'PodInitializing' } });
  const message = 'back-off 10s restarting failed container=app pod=web_default(uid-1)';
  const crashed = gen(makePod({}), st(container('app', 'exited', { exitCode: 2, attempt: 1, finishedAt: 40_000 })), {
    reasons: new Map([['app', { reason: 'CrashLoopBackOff', message }]]),
  });
  const app = cs(crashed, 'app');
  assert.deepEqual(app.state, { waiting: { reason: 'CrashLoopBackOff', message } });
  assert.equal(app.lastState.terminated?.exitCode, 2);
  assert.equal(app.lastState.terminated?.reason, 'Error');
  assert.equal(app.restartCount, 1);
  assert.equal(app.ready, false);
  // restartPolicy Never: the reason does not apply, the container stays terminated
  const never = gen(makePod({ restartPolicy: 'Never' }), st(container('app', 'exited', { exitCode: 2 })), { reasons: new Map([['app', { reason: 'CrashLoopBackOff', message }]]) });
  assert.equal(cs(never, 'app').state.terminated?.exitCode, 2);
});

test('running after a restart: lastState from the previous attempt; terminated fields and messages', () => {
  const old = container('app', 'exited', { exitCode: 137, attempt: 0, createdAt: 1, startedAt: 1000, finishedAt: 5000, id: 'old', reason: 'OOMKilled' });
  const cur = container('app', 'running', { attempt: 1, createdAt: 2, startedAt: 6000, id: 'new' });
  const s = cs(gen(makePod({}), st(old, cur)), 'app');
  assert.deepEqual(s.state, { running: { startedAt: metaTime(6000) } });
  assert.deepEqual(s.lastState, { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: metaTime(1000), finishedAt: metaTime(5000), containerID: 'strata://old' } });
  assert.equal(s.restartCount, 1);
  assert.equal(s.containerID, 'strata://new');
  const done = cs(gen(makePod({ restartPolicy: 'Never' }), st(container('app', 'exited', { id: 'x' })), { messages: new Map([['x', 'bye']]) }), 'app');
  assert.deepEqual(done.state.terminated && [done.state.terminated.reason, done.state.terminated.message], ['Completed', 'bye']);
});

test('pod IP, host IP, start time kept', () => {
  const s = gen(makePod({}), st(container('app', 'running')));
  assert.equal(s['podIP'], '10.88.0.9');
  assert.deepEqual(s['podIPs'], [{ ip: '10.88.0.9' }]);
  assert.equal(s['hostIP'], '192.168.1.5');
  assert.equal(s['startTime'], metaTime(50_000));
  const host = gen(makePod({ hostNetwork: true }), st());
  assert.equal(host['podIP'], '192.168.1.5');
  const kept = gen({ ...makePod({}), status: { startTime: 'then' } }, st());
  assert.equal(kept['startTime'], 'then');
});

test('sidecars: started only when running and started; not ready holds ContainersReady', () => {
  const pod = makePod({ initContainers: [{ ...side, startupProbe: { exec: { command: ['x'] } } }] });
  const s = gen(pod, st(container('side', 'running'), container('app', 'running')), { probes: { ready: () => true, started: (spec) => spec.name !== 'side' } });
  assert.equal(cs(s, 'side', 'initContainerStatuses').started, false);
  assert.equal(cond(s, 'ContainersReady').message, 'containers with unready status: [side]');
  assert.equal(s['phase'], 'Running');
});
