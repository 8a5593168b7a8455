import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, sleep } from '../../client/clock.ts';
import type { HookRunner } from './lifecycle/hooks.ts';
import { ContainerBackoff } from './pod-backoff.ts';
import type { ApiContainerStatus, PodCondition } from './pod-status.ts';
import type { AgentPod, ContainerSpec } from './pod-types.ts';
import { RuntimeRelister } from './pod-observe.ts';
import { PodWorker, type PodWorkerDeps } from './pod-worker.ts';
import type { ProbeRunner } from './probes/probe-manager.ts';
import { FakeRuntime } from './testing/fake-runtime.ts';
import { makePod } from './testing/pod-fixtures.ts';

function setup(pod: AgentPod, extra: Partial<PodWorkerDeps> = {}, rt?: FakeRuntime, clock = new FakeClock(1_000_000)) {
  const runtime = rt ?? new FakeRuntime(clock);
  const statuses: Record<string, unknown>[] = [];
  const events: string[] = [];
  const terminated: { deleted: boolean }[] = [];
  const worker = new PodWorker(pod, {
    runtime, clock, hostIP: '192.168.1.5',
    statusWriter: (_p, s) => void statuses.push(s),
    recorder: { event: (_p, type, reason, message) => events.push(`${type} ${reason} ${message}`) },
    onTerminated: (_p, how) => void terminated.push(how),
    backoff: new ContainerBackoff(clock),
    // the node's shared relist, as the agent wires it (pod-observe tests cover the direct path)
    relister: new RuntimeRelister(runtime, clock),
    ...extra,
  });
  const step = async (ms = 0): Promise<void> => {
    await clock.advance(ms);
    await worker.idle();
  };
  const last = () => statuses.at(-1) ?? {};
  const cs = (name: string, field = 'containerStatuses') => ((last()[field] as ApiContainerStatus[] | undefined) ?? []).find((c) => c.name === name)!;
  const cond = (type: string) => (last()['conditions'] as PodCondition[]).find((c) => c.type === type)!;
  return { clock, rt: runtime, worker, statuses, events, terminated, step, last, cs, cond };
}

test('first start: sandbox, containers, Running and Ready with the pod IP', async () => {
  const h = setup(makePod({ containers: [{ name: 'app', image: 'app:1' }, { name: 'b', image: 'b:1' }] }));
  h.worker.start();
  await h.step();
  assert.deepEqual(h.rt.calls, ['runPodSandbox web 0', 'createContainer app 0', 'startContainer app', 'createContainer b 0', 'startContainer b']);
  assert.equal(h.last()['phase'], 'Running');
  assert.equal(h.last()['podIP'], '10.88.0.1');
  assert.equal(h.cond('Ready').status, 'True');
  assert.equal(h.cs('app').started, true);
  assert.ok(h.events.includes('Normal Started Started container app'));
  // labelled for re-adoption
  assert.equal(h.rt.latest('app')!.labels['io.kubernetes.pod.uid'], 'uid-1');
  assert.equal(h.rt.latest('app')!.labels['io.kubernetes.container.name'], 'app');
  h.worker.dispose();
});

test('init containers run in order before the regular containers', async () => {
  const h = setup(makePod({ initContainers: [{ name: 'i1', image: 'i' }, { name: 'i2', image: 'i' }] }));
  h.worker.start();
  await h.step();
  assert.equal(h.last()['phase'], 'Pending');
  assert.equal(h.cond('Initialized').status, 'False');
  assert.deepEqual(h.cs('app').state, { waiting: { reason: 'PodInitializing' } });
  h.rt.exit(h.rt.latest('i1')!.id, 0);
  await h.step(1000);
  h.rt.exit(h.rt.latest('i2')!.id, 0);
  await h.step(1000);
  assert.deepEqual(h.rt.calls.filter((c) => c.startsWith('start')), ['startContainer i1', 'startContainer i2', 'startContainer app']);
  assert.equal(h.last()['phase'], 'Running');
  assert.equal(h.cond('Initialized').status, 'True');
  h.worker.dispose();
});

test('an init container failing with restartPolicy Never fails the pod', async () => {
  const h = setup(makePod({ initContainers: [{ name: 'i1', image: 'i' }], restartPolicy: 'Never' }));
  h.worker.start();
  await h.step();
  h.rt.exit(h.rt.latest('i1')!.id, 3);
  await h.step(1000);
  assert.equal(h.last()['phase'], 'Failed');
  assert.equal(h.rt.latest('app'), undefined, 'the regular container never starts');
  assert.deepEqual(h.terminated, [{ deleted: false }]);
  assert.equal(h.cs('i1', 'initContainerStatuses').state.terminated?.exitCode, 3);
});

test('CrashLoopBackOff: restarts after 0, 10, 20, 40 s; waiting reason, lastState and restartCount', async () => {
  const h = setup(makePod({}));
  h.worker.start();
  await h.step();
  const restartsAt: number[] = [];
  const t0 = h.clock.now();
  for (let i = 0; i < 4; i++) {
    h.rt.exit(h.rt.latest('app')!.id, 1);
    const exitedAt = h.clock.now();
    const attempt = h.rt.latest('app')!.metadata.attempt;
    while (h.rt.latest('app')!.metadata.attempt === attempt) await h.step(1000);
    restartsAt.push(h.rt.latest('app')!.startedAt - exitedAt);
    if (i === 1) {
      // while backing off the status said so
      const waiting = h.statuses.map((s) => (s['containerStatuses'] as ApiContainerStatus[])[0]!).find((c) => c.state.waiting?.reason === 'CrashLoopBackOff');
      assert.equal(waiting?.state.waiting?.message, 'back-off 10s restarting failed container=app pod=web_default(uid-1)');
      assert.equal(waiting?.lastState.terminated?.exitCode, 1);
    }
  }
  // The first restart happens on the next relist (1 s); later ones once the back-off ran out.
  assert.deepEqual(restartsAt, [1000, 10_000, 20_000, 40_000]);
  assert.ok(h.clock.now() > t0);
  assert.equal(h.cs('app').restartCount, 4);
  assert.equal(h.cs('app').lastState.terminated?.exitCode, 1);
  assert.ok(h.cs('app').state.running);
  assert.ok(h.events.some((e) => e.startsWith('Warning BackOff Back-off restarting failed container app')));
  h.worker.dispose();
});

test('restartPolicy OnFailure restarts failures only; Never leaves the pod Succeeded', async () => {
  const h = setup(makePod({ restartPolicy: 'OnFailure' }));
  h.worker.start();
  await h.step();
  h.rt.exit(h.rt.latest('app')!.id, 1);
  await h.step(1000);
  assert.equal(h.rt.latest('app')!.metadata.attempt, 1);
  h.rt.exit(h.rt.latest('app')!.id, 0);
  await h.step(1000);
  assert.equal(h.last()['phase'], 'Succeeded');
  assert.equal(h.cs('app').state.terminated?.reason, 'Completed');
  assert.ok(h.rt.calls.includes('stopPodSandbox sb-1'));
  assert.deepEqual(h.terminated, [{ deleted: false }]);
});

test('a failed liveness probe kills and restarts the container', async () => {
  let healthy = true;
  const probeRunner: ProbeRunner = async () => ({ result: healthy ? 'success' : 'failure', output: healthy ? '' : 'HTTP probe failed with statuscode: 500' });
  const spec: ContainerSpec = { name: 'app', image: 'a', livenessProbe: { httpGet: { port: 80 }, periodSeconds: 5, failureThreshold: 2 } };
  const h = setup(makePod({ containers: [spec] }), { probeRunner });
  h.worker.start();
  await h.step();
  const first = h.rt.latest('app')!.id;
  await h.step(10_000);
  assert.equal(h.rt.latest('app')!.id, first);
  healthy = false;
  for (let i = 0; i < 12; i++) await h.step(1000);
  assert.notEqual(h.rt.latest('app')!.id, first);
  assert.ok(h.rt.calls.includes('stopContainer app 30'));
  assert.ok(h.events.includes('Normal Killing Container app failed liveness probe, will be restarted'));
  assert.ok(h.events.some((e) => e.startsWith('Warning Unhealthy Liveness probe failed')));
  assert.equal(h.cs('app').restartCount, 1);
  h.worker.dispose();
});

test('readiness follows the readiness probe', async () => {
  let ready = false;
  const probeRunner: ProbeRunner = async () => ({ result: ready ? 'success' : 'failure', output: '' });
  const h = setup(makePod({ containers: [{ name: 'app', image: 'a', readinessProbe: { exec: { command: ['x'] }, periodSeconds: 1 } }] }), { probeRunner });
  h.worker.start();
  await h.step();
  await h.step(2000);
  assert.equal(h.cond('Ready').status, 'False');
  assert.equal(h.cs('app').ready, false);
  ready = true;
  await h.step(1000);
  await h.step(0);
  assert.equal(h.cond('Ready').status, 'True');
  h.worker.dispose();
});

test('a failed postStart hook kills the container (PostStartHookError) and it is retried', async () => {
  let fail = true;
  const hookRunner: HookRunner = async () => ({ result: fail ? 'failure' : 'success', output: 'boom' });
  const spec: ContainerSpec = { name: 'app', image: 'a', lifecycle: { postStart: { exec: { command: ['hook'] } } } };
  const h = setup(makePod({ containers: [spec] }), { hookRunner });
  h.worker.start();
  await h.step();
  assert.deepEqual(h.rt.calls.slice(1, 4), ['createContainer app 0', 'startContainer app', 'stopContainer app 30']);
  assert.deepEqual(h.cs('app').state, { waiting: { reason: 'PostStartHookError', message: 'Exec lifecycle hook (["hook"]) for Container in Pod failed - error: boom' } });
  assert.ok(h.events.some((e) => e.startsWith('Warning FailedPostStartHook')));
  fail = false;
  await h.step(1000);
  assert.ok(h.cs('app').state.running);
  assert.equal(h.cs('app').restartCount, 1);
  h.worker.dispose();
});

test('graceful termination: preStop (5 s of 30), then SIGTERM with the remaining 25 s; sidecars last; then terminated', async () => {
  const clock = new FakeClock(1_000_000);
  const hooks: string[] = [];
  const hookRunner: HookRunner = async (_h, target) => {
    hooks.push(`preStop ${target.containerId} @${clock.now()}`);
    await sleep(clock, 5_000);
    return { result: 'success', output: '' };
  };
  const pod = makePod({
    terminationGracePeriodSeconds: 30,
    initContainers: [{ name: 'side', image: 's', restartPolicy: 'Always' }],
    containers: [{ name: 'app', image: 'a', lifecycle: { preStop: { exec: { command: ['drain'] } } } }],
  });
  const h = setup(pod, { hookRunner }, undefined, clock);
  h.worker.start();
  await h.step();
  await h.step(1000);
  assert.ok(h.rt.latest('app')!.state === 'CONTAINER_RUNNING');
  const start = h.rt.calls.length;
  h.worker.update({ ...pod, metadata: { ...pod.metadata, deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 30 } });
  await clock.advance(1000);
  assert.equal(h.terminated.length, 0, 'preStop still runs');
  await h.step(5000);
  assert.deepEqual(h.rt.calls.slice(start), ['stopContainer app 25', 'stopContainer side 25', 'stopPodSandbox sb-1']);
  assert.equal(hooks.length, 1);
  assert.deepEqual(h.terminated, [{ deleted: true }]);
  assert.equal(h.last()['phase'], 'Failed', 'SIGTERMed containers (143) leave the pod Failed');
  assert.equal(h.cs('app').state.terminated?.exitCode, 143);
  await h.worker.cleanup();
  assert.equal(h.rt.containers.size, 0);
  h.worker.dispose();
});

test('termination without grace left still gives containers 2 s', async () => {
  const pod = makePod({});
  const h = setup(pod);
  h.worker.start();
  await h.step();
  h.worker.update({ ...pod, metadata: { ...pod.metadata, deletionTimestamp: 'now', deletionGracePeriodSeconds: 0 } });
  await h.step();
  assert.ok(h.rt.calls.includes('stopContainer app 2'));
  assert.deepEqual(h.terminated, [{ deleted: true }]);
});

test('re-adoption: a new worker on a runtime that runs the pod creates nothing', async () => {
  const clock = new FakeClock(1_000_000);
  const pod = makePod({ initContainers: [{ name: 'i1', image: 'i' }, { name: 'side', image: 's', restartPolicy: 'Always' }] });
  const first = setup(pod, {}, undefined, clock);
  first.worker.start();
  await first.step();
  first.rt.exit(first.rt.latest('i1')!.id, 0);
  await first.step(1000);
  await first.step(1000);
  assert.equal(first.last()['phase'], 'Running');
  first.worker.dispose();
  const ids = [...first.rt.containers.keys()].sort();
  // the agent restarts: a fresh worker (the API still holds the status the first one wrote)
  const second = setup({ ...pod, status: first.last() }, {}, first.rt, clock);
  const before = first.rt.calls.length;
  second.worker.start();
  await second.step();
  await second.step(5000);
  assert.deepEqual(first.rt.calls.slice(before), [], 'no sandbox or container created, started or stopped');
  assert.deepEqual([...first.rt.containers.keys()].sort(), ids);
  assert.equal(second.worker.status?.['phase'] ?? first.last()['phase'], 'Running');
  // and it keeps managing them: a crash is restarted
  second.rt.exit(second.rt.latest('app')!.id, 1);
  await second.step(1000);
  assert.equal(second.rt.latest('app')!.metadata.attempt, 1);
  second.worker.dispose();
});

test('sandbox failure is retried on the next sync', async () => {
  const h = setup(makePod({}));
  h.rt.fail('runPodSandbox');
  const errors: unknown[] = [];
  const w = new PodWorker(makePod({}), { runtime: h.rt, clock: h.clock, hostIP: 'h', statusWriter: () => undefined, onError: (_p, e) => errors.push(e) });
  w.start();
  await w.idle();
  assert.equal(errors.length, 1);
  await h.clock.advance(1000);
  await w.idle();
  assert.ok(h.rt.latest('app'));
  w.dispose();
});

test('a container whose creation fails waits with the reason and is tried again after 10 s, not at every sync', async () => {
  const h = setup(makePod({}));
  h.rt.fail('createContainer', new Error('no such image'), true);
  h.worker.start();
  await h.step();
  assert.equal(h.cs('app').state.waiting?.reason, 'CreateContainerError');
  assert.equal(h.cs('app').state.waiting?.message, 'no such image');
  const attempts = (): number => h.events.filter((e) => e.startsWith('Warning Failed')).length;
  assert.equal(attempts(), 1);
  for (let i = 0; i < 9; i++) await h.step(1000);
  assert.equal(attempts(), 1, 'the resyncs in between keep the reason without another attempt');
  assert.equal(h.cs('app').state.waiting?.reason, 'CreateContainerError');
  await h.step(1000);
  assert.equal(attempts(), 2);
  h.rt.failures.delete('createContainer');
  await h.step(10_000);
  assert.ok(h.cs('app').state.running, 'started once the runtime can create it');
  h.worker.dispose();
});

test('a pod past its activeDeadlineSeconds is killed and ends Failed with DeadlineExceeded', async () => {
  const pod = makePod({});
  pod.spec.activeDeadlineSeconds = 5;
  const h = setup(pod);
  h.worker.start();
  await h.step();
  assert.equal(h.last()['phase'], 'Running');
  for (let i = 0; i < 4; i++) await h.step(1000);
  assert.equal(h.last()['phase'], 'Running', 'still within its deadline');
  await h.step(1000);
  assert.equal(h.last()['phase'], 'Failed');
  assert.equal(h.last()['reason'], 'DeadlineExceeded');
  assert.equal(h.last()['message'], 'Pod was active on the node longer than the specified deadline');
  assert.ok(h.events.includes('Normal DeadlineExceeded Pod was active on the node longer than the specified deadline'));
  assert.ok(h.cs('app').state.terminated, 'its container was stopped');
  assert.deepEqual(h.terminated, [{ deleted: false }]);
  h.worker.dispose();
});

test('exec probes go through the runtime execSync; an httpGet readiness probe hits a real loopback server', async (t) => {
  const { createServer } = await import('node:http');
  let status = 503;
  const server = createServer((_req, res) => res.writeHead(status).end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const port = (server.address() as import('node:net').AddressInfo).port;
  const pod = makePod({
    hostNetwork: true,
    containers: [{
      name: 'app', image: 'a',
      readinessProbe: { httpGet: { path: '/healthz', port }, periodSeconds: 1 },
      livenessProbe: { exec: { command: ['check'] }, periodSeconds: 1 },
    }],
  });
  const h = setup(pod, { hostIP: '127.0.0.1' });
  h.worker.start();
  const until = async (cond: () => boolean): Promise<void> => {
    for (let i = 0; i < 100 && !cond(); i++) {
      await h.step(1000);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  await until(() => h.rt.calls.some((c) => c === 'execSync app check'));
  assert.ok(h.rt.calls.includes('execSync app check'));
  await h.step(2000);
  assert.equal(h.cond('Ready').status, 'False');
  status = 200;
  await until(() => h.cond('Ready').status === 'True');
  assert.equal(h.cond('Ready').status, 'True');
  assert.equal(h.last()['podIP'], '127.0.0.1');
  h.worker.dispose();
});

test('a sidecar starts before the regular containers and is restarted when it exits', async () => {
  const h = setup(makePod({ initContainers: [{ name: 'side', image: 's', restartPolicy: 'Always' }] }));
  h.worker.start();
  await h.step();
  await h.step(1000);
  assert.deepEqual(h.rt.calls.filter((c) => c.startsWith('startContainer')), ['startContainer side', 'startContainer app']);
  h.rt.exit(h.rt.latest('side')!.id, 1);
  await h.step(1000);
  assert.equal(h.rt.latest('side')!.state, 'CONTAINER_RUNNING');
  assert.equal(h.rt.latest('side')!.metadata.attempt, 1);
  assert.equal(h.rt.latest('app')!.metadata.attempt, 0, 'the regular container is left alone');
  assert.equal(h.cs('side', 'initContainerStatuses').restartCount, 1);
  assert.equal(h.last()['phase'], 'Running');
  h.worker.dispose();
});

test('a new image replaces the running container', async () => {
  const pod = makePod({});
  const h = setup(pod);
  h.worker.start();
  await h.step();
  const first = h.rt.latest('app')!.id;
  h.worker.update({ ...pod, spec: { ...pod.spec, containers: [{ name: 'app', image: 'app:2' }] } });
  await h.step();
  assert.ok(h.events.includes('Normal Killing Container app definition changed, will be restarted'));
  const now = h.rt.latest('app')!;
  assert.notEqual(now.id, first);
  assert.equal(now.image.image, 'app:2');
  assert.equal(now.state, 'CONTAINER_RUNNING');
  h.worker.dispose();
});

test('a pod deleted before anything ran ends Failed and is reported terminated', async () => {
  const pod = makePod({}, { deletionTimestamp: 'now', deletionGracePeriodSeconds: 30 });
  const h = setup(pod);
  h.worker.start();
  await h.step();
  assert.deepEqual(h.rt.calls, []);
  assert.equal(h.last()['phase'], 'Failed');
  assert.deepEqual(h.terminated, [{ deleted: true }]);
});
