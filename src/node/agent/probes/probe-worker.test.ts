import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../client/clock.ts';
import type { ContainerStatus } from '../../runtime/cri.ts';
import type { ProbeResult } from '../pod-sync.ts';
import type { ContainerSpec, Probe } from '../pod-types.ts';
import { container } from '../testing/pod-fixtures.ts';
import { ProbeManager } from './probe-manager.ts';
import { ProbeWorker } from './probe-worker.ts';

/** A worker whose probe answers from `answers` (the last one repeats); reports are logged with their time. */
function harness(type: 'liveness' | 'readiness' | 'startup', probe: Probe, answers: ProbeResult[], startedAt = 0, started = () => true) {
  const clock = new FakeClock(startedAt);
  const reports: [number, ProbeResult][] = [];
  const runsAt: number[] = [];
  let i = 0;
  const w = new ProbeWorker(type, probe, 'c1', startedAt, {
    clock,
    run: async () => {
      runsAt.push(clock.now());
      const r = answers[Math.min(i++, answers.length - 1)]!;
      return { result: r === 'success' ? 'success' : 'failure', output: r };
    },
    started,
    // the manager keeps only changes; so does this log
    report: (r) => void (reports.at(-1)?.[1] !== r && reports.push([clock.now(), r])),
  });
  return { clock, w, reports, runsAt };
}

test('initialDelaySeconds then one run per periodSeconds', async () => {
  const h = harness('readiness', { exec: {}, initialDelaySeconds: 5, periodSeconds: 2 }, ['success']);
  await h.clock.advance(4_999);
  assert.deepEqual(h.runsAt, []);
  await h.clock.advance(5_001);
  assert.deepEqual(h.runsAt, [5_000, 7_000, 9_000]);
  assert.deepEqual(h.reports, [[5_000, 'success']]);
  h.w.stop();
});

test('failureThreshold failures in a row before a failure counts', async () => {
  const h = harness('readiness', { exec: {}, periodSeconds: 1, failureThreshold: 3 }, ['success', 'failure', 'failure', 'success', 'failure', 'failure', 'failure']);
  await h.clock.advance(10_000);
  assert.deepEqual(h.reports, [[0, 'success'], [6_000, 'failure']]);
  h.w.stop();
});

test('successThreshold successes in a row before readiness succeeds', async () => {
  const h = harness('readiness', { exec: {}, periodSeconds: 1, successThreshold: 2, failureThreshold: 1 }, ['failure', 'success', 'failure', 'success', 'success']);
  await h.clock.advance(6_000);
  assert.deepEqual(h.reports, [[0, 'failure'], [4_000, 'success']]);
  h.w.stop();
});

test('a liveness failure puts the worker on hold (the container gets replaced)', async () => {
  const h = harness('liveness', { exec: {}, periodSeconds: 1, failureThreshold: 2 }, ['failure']);
  await h.clock.advance(10_000);
  assert.deepEqual(h.reports, [[1_000, 'failure']]);
  assert.equal(h.w.runs, 2);
  h.w.stop();
});

test('liveness waits for the startup probe', async () => {
  let started = false;
  const h = harness('liveness', { exec: {}, periodSeconds: 1 }, ['success'], 0, () => started);
  await h.clock.advance(3_000);
  assert.equal(h.w.runs, 0);
  started = true;
  await h.clock.advance(1_000);
  assert.equal(h.w.runs, 1);
  h.w.stop();
});

test('startup stops probing once it succeeded', async () => {
  const h = harness('startup', { exec: {}, periodSeconds: 1, failureThreshold: 10 }, ['failure', 'failure', 'success']);
  await h.clock.advance(10_000);
  assert.equal(h.w.runs, 3);
  assert.deepEqual(h.reports, [[2_000, 'success']]);
});

test('manager: startup gates liveness and readiness; results by container id; replaced containers reset', async () => {
  const clock = new FakeClock(0);
  const events: string[] = [];
  const calls: string[] = [];
  const spec: ContainerSpec = {
    name: 'app', image: 'a',
    startupProbe: { exec: { command: ['startup'] }, periodSeconds: 1, failureThreshold: 5 },
    livenessProbe: { exec: { command: ['live'] }, periodSeconds: 10 },
    readinessProbe: { exec: { command: ['ready'] }, periodSeconds: 10 },
  };
  let startupOk = false;
  const m = new ProbeManager({
    clock,
    run: async (probe, _spec, c) => {
      const cmd = probe.exec!.command![0]!;
      calls.push(`${cmd}@${clock.now()}:${c.id}`);
      return { result: cmd !== 'startup' || startupOk ? 'success' : 'failure', output: '' };
    },
    onResult: (e) => events.push(`${e.type}:${e.result}`),
  });
  const c1: ContainerStatus = container('app', 'running', { id: 'c1', startedAt: 0 });
  m.sync([spec], new Map([['app', c1]]), '10.0.0.1');
  await clock.advance(1_500);
  assert.deepEqual(calls, ['startup@0:c1', 'startup@1000:c1']);
  assert.equal(m.started(spec, 'c1'), false);
  assert.equal(m.ready(spec, 'c1'), false);
  startupOk = true;
  await clock.advance(1_000);
  assert.deepEqual(calls.slice(2).sort(), ['live@2000:c1', 'ready@2000:c1', 'startup@2000:c1']);
  assert.equal(m.started(spec, 'c1'), true);
  assert.equal(m.ready(spec, 'c1'), true);
  assert.equal(m.liveness('c1'), 'success');
  assert.deepEqual(events, ['startup:success', 'liveness:success', 'readiness:success']);
  // the container is replaced: new workers, the old results are dropped
  const c2 = container('app', 'running', { id: 'c2', startedAt: 3_000 });
  startupOk = false;
  await clock.advance(500);
  m.sync([spec], new Map([['app', c2]]), '10.0.0.1');
  assert.equal(m.ready(spec, 'c1'), false);
  assert.equal(m.worker('app', 'startup')?.containerId, 'c2');
  m.dispose();
  assert.equal(clock.pendingTimers, 0);
});
