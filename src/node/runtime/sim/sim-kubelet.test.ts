import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../../../client/index.ts';
import { allocatableFrom } from '../../agent/resource-admission.ts';
import { SimKubelet, type PodBehaviour, type SyncResult } from './sim-kubelet.ts';
import type { Pod } from './types.ts';

const BEHAVIOUR: PodBehaviour = { readyDelayMs: 0, terminationDelayMs: 200, defaultRunMs: undefined, exitAfterMs: 300 };
const T0 = Date.parse('2030-01-01T00:00:00Z');

function kubelet(opts: { pods?: number; cpu?: string; memory?: string; behaviour?: Partial<PodBehaviour>; clock?: FakeClock } = {}) {
  const clock = opts.clock ?? new FakeClock(T0);
  const allocatable = allocatableFrom({ cpu: opts.cpu ?? '4', memory: opts.memory ?? '8Gi', pods: opts.pods ?? 10, 'ephemeral-storage': '100Gi' });
  const k = new SimKubelet({ name: 'sim-0', hostIP: '10.64.0.1', podCidr: '10.128.0.0/24' }, allocatable, { ...BEHAVIOUR, ...opts.behaviour }, clock);
  return { clock, k };
}

let uid = 0;
function pod(name: string, o: { restartPolicy?: string; annotations?: Record<string, string>; cpu?: string; memory?: string; probeDelay?: number; init?: boolean; sidecar?: boolean } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns', uid: `uid-${++uid}`, ...(o.annotations ? { annotations: o.annotations } : {}) },
    spec: {
      nodeName: 'sim-0',
      restartPolicy: o.restartPolicy ?? 'Always',
      ...(o.init || o.sidecar ? { initContainers: [...(o.init ? [{ name: 'setup', image: 'busybox' }] : []), ...(o.sidecar ? [{ name: 'proxy', image: 'envoy', restartPolicy: 'Always' }] : [])] } : {}),
      containers: [{
        name: 'app',
        image: 'nginx:1.27',
        resources: { requests: { ...(o.cpu ? { cpu: o.cpu } : {}), ...(o.memory ? { memory: o.memory } : {}) } },
        ...(o.probeDelay !== undefined ? { readinessProbe: { initialDelaySeconds: o.probeDelay } } : {}),
      }],
    },
    status: { phase: 'Pending', qosClass: 'BestEffort' },
  };
}

/** The server's side of a sync: merge the status patch into the pod (nulls remove). */
function apply(p: Pod, r: SyncResult): Pod {
  if (!r.status) return p;
  const status: Record<string, unknown> = { ...p.status };
  for (const [k, v] of Object.entries(r.status)) {
    if (v === null) delete status[k];
    else status[k] = v;
  }
  return { ...p, status };
}

type Cond = { type: string; status: string; reason?: string; message?: string };
type CS = { name: string; ready: boolean; started: boolean; restartCount: number; state: Record<string, Record<string, unknown>>; lastState: Record<string, Record<string, unknown>>; containerID?: string };
const cond = (p: Pod, type: string): Cond | undefined => (p.status?.['conditions'] as Cond[] | undefined)?.find((c) => c.type === type);
const app = (p: Pod): CS => (p.status?.['containerStatuses'] as CS[])[0]!;

describe('SimKubelet pod lifecycle', () => {
  test('Pending → Running and Ready at once, with an IP from the node range; a second sync writes nothing', async () => {
    const { k } = kubelet();
    const created = pod('web', { init: true });
    const r = await k.sync(created);
    const p = apply(created, r);
    assert.equal(p.status?.phase, 'Running');
    assert.equal(p.status?.podIP, '10.128.0.2');
    assert.equal(p.status?.['hostIP'], '10.64.0.1');
    assert.equal(p.status?.['qosClass'], 'BestEffort', 'fields the kubelet does not own are kept');
    assert.deepEqual((p.status?.['conditions'] as Cond[]).map((c) => `${c.type}=${c.status}`), ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True']);
    assert.deepEqual([app(p).ready, app(p).started, app(p).restartCount, Object.keys(app(p).state)], [true, true, 0, ['running']]);
    const init = (p.status?.['initContainerStatuses'] as CS[])[0]!;
    assert.deepEqual([init.state['terminated']?.['reason'], init.state['terminated']?.['exitCode'], init.ready, init.started], ['Completed', 0, true, false]);
    assert.equal(r.wakeAt, undefined, 'nothing will change by itself');
    assert.deepEqual(await k.sync(p), {}, 'the reported status is stable');
  });

  test('Ready waits for the readinessProbe initialDelaySeconds; never-ready pods never get there', async () => {
    const { clock, k } = kubelet();
    let p = pod('slow', { probeDelay: 5 });
    let r = await k.sync(p);
    p = apply(p, r);
    assert.equal(p.status?.phase, 'Running');
    assert.deepEqual(cond(p, 'Ready'), { ...cond(p, 'Ready'), status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [app]' });
    assert.equal(r.wakeAt, T0 + 5000);
    await clock.advance(4999);
    assert.equal((await k.sync(p)).status, undefined);
    await clock.advance(1);
    p = apply(p, await k.sync(p));
    assert.equal(cond(p, 'Ready')?.status, 'True');
    assert.equal(app(p).ready, true);

    let never = pod('never', { annotations: { 'sim.strata.dev/never-ready': 'true' } });
    r = await k.sync(never);
    never = apply(never, r);
    assert.equal(never.status?.phase, 'Running');
    assert.equal(cond(never, 'Ready')?.status, 'False');
    assert.equal(r.wakeAt, undefined);
  });

  test('restartPolicy Never: the pod ends Succeeded or Failed with the exit code, and frees its share', async () => {
    const { clock, k } = kubelet();
    let bad = pod('bad', { restartPolicy: 'Never', cpu: '1', annotations: { 'sim.strata.dev/exit-code': '2', 'sim.strata.dev/run-ms': '1000' } });
    let r = await k.sync(bad);
    bad = apply(bad, r);
    assert.equal(bad.status?.phase, 'Running');
    assert.equal(r.wakeAt, T0 + 1000);
    assert.deepEqual(k.usage, { pods: 1, requests: { milliCpu: 1000, memory: 0, ephemeralStorage: 0 } });
    await clock.advance(1000);
    r = await k.sync(bad);
    bad = apply(bad, r);
    assert.equal(bad.status?.phase, 'Failed');
    assert.deepEqual(app(bad).state['terminated'], { exitCode: 2, reason: 'Error', startedAt: '2030-01-01T00:00:00Z', finishedAt: '2030-01-01T00:00:01Z', containerID: app(bad).containerID });
    assert.deepEqual([cond(bad, 'Ready')?.reason, cond(bad, 'PodReadyToStartContainers')?.status], ['PodFailed', 'False']);
    assert.equal(bad.status?.podIP, '10.128.0.2', 'the pod keeps reporting its IP');
    assert.equal(k.usage.pods, 0, 'a finished pod no longer counts');
    assert.equal(r.wakeAt, undefined);
    assert.deepEqual(await k.sync(bad), {});

    let ok = pod('ok', { restartPolicy: 'Never', annotations: { 'sim.strata.dev/exit-code': '0' } });
    ok = apply(ok, await k.sync(ok));
    assert.equal(ok.status?.podIP, '10.128.0.3');
    await clock.advance(300);
    ok = apply(ok, await k.sync(ok));
    assert.equal(ok.status?.phase, 'Succeeded');
    assert.deepEqual([cond(ok, 'Ready')?.reason, cond(ok, 'Initialized')?.reason], ['PodCompleted', 'PodCompleted']);
  });

  test('--pod-run-duration finishes pods that may finish; restartPolicy Always pods run on', async () => {
    const { clock, k } = kubelet({ behaviour: { defaultRunMs: 500 } });
    let job = pod('job', { restartPolicy: 'OnFailure' });
    let svc = pod('svc');
    job = apply(job, await k.sync(job));
    const r = await k.sync(svc);
    svc = apply(svc, r);
    assert.equal(r.wakeAt, undefined);
    await clock.advance(500);
    job = apply(job, await k.sync(job));
    svc = apply(svc, await k.sync(svc));
    assert.deepEqual([job.status?.phase, svc.status?.phase], ['Succeeded', 'Running']);
  });

  test('a failing container restarts with upstream back-off: at once, then after 10 s, 20 s…', async () => {
    const { clock, k } = kubelet();
    let p = pod('crash', { restartPolicy: 'OnFailure', annotations: { 'sim.strata.dev/exit-code': '1', 'sim.strata.dev/run-ms': '100' } });
    p = apply(p, await k.sync(p));
    await clock.advance(100);
    let r = await k.sync(p);
    p = apply(p, r);
    assert.equal(p.status?.phase, 'Running');
    assert.deepEqual([app(p).restartCount, Object.keys(app(p).state), app(p).lastState['terminated']?.['exitCode']], [1, ['running'], 1]);
    await clock.advance(100);
    r = await k.sync(p);
    p = apply(p, r);
    assert.equal(app(p).state['waiting']?.['reason'], 'CrashLoopBackOff');
    assert.equal(app(p).state['waiting']?.['message'], `back-off 10s restarting failed container=app pod=crash_ns(${p.metadata.uid})`);
    assert.equal(r.wakeAt, T0 + 200 + 10_000);
    assert.equal(p.status?.phase, 'Running', 'a crash-looping pod stays Running');
    await clock.advance(10_000);
    p = apply(p, await k.sync(p));
    assert.deepEqual([app(p).restartCount, Object.keys(app(p).state)], [2, ['running']]);
    await clock.advance(100);
    p = apply(p, await k.sync(p));
    assert.match(String(app(p).state['waiting']?.['message']), /^back-off 20s /);
  });

  test('graceful deletion: containers stop after min(grace period, sim delay), then the pod is deleted', async () => {
    const { clock, k } = kubelet();
    let p = pod('doomed', { sidecar: true });
    p = apply(p, await k.sync(p));
    p = { ...p, metadata: { ...p.metadata, deletionTimestamp: '2030-01-01T00:00:30Z', deletionGracePeriodSeconds: 30 } };
    let r = await k.sync(p);
    assert.deepEqual(r, { wakeAt: T0 + 200 }, 'containers still running for the sim delay');
    await clock.advance(200);
    r = await k.sync(p);
    assert.equal(r.delete, true);
    p = apply(p, r);
    assert.equal(p.status?.phase, 'Succeeded', 'every container stopped cleanly');
    assert.deepEqual(Object.keys(app(p).state), ['terminated']);
    assert.equal((p.status?.['initContainerStatuses'] as CS[])[0]!.state['terminated']?.['reason'], 'Completed');
    assert.equal(k.usage.pods, 0);
    assert.deepEqual(await k.sync(p), { delete: true }, 'a failed delete is simply made again');

    const short = kubelet({ behaviour: { terminationDelayMs: 5000 } });
    let q = pod('quick');
    q = apply(q, await short.k.sync(q));
    q = { ...q, metadata: { ...q.metadata, deletionTimestamp: '2030-01-01T00:00:01Z', deletionGracePeriodSeconds: 1 } };
    assert.deepEqual(await short.k.sync(q), { wakeAt: T0 + 1000 }, 'a shorter grace period wins');

    const never = kubelet();
    const pending = { ...pod('unstarted'), metadata: { ...pod('unstarted').metadata, deletionTimestamp: '2030-01-01T00:00:30Z', deletionGracePeriodSeconds: 30 } };
    assert.deepEqual(await never.k.sync(pending), { delete: true }, 'a pod that never started goes at once');
  });

  test('a pod replaced under the same name (new uid) starts afresh; forget() frees the sandbox and IP', async () => {
    const { k } = kubelet();
    let a = pod('x');
    a = apply(a, await k.sync(a));
    assert.equal(a.status?.podIP, '10.128.0.2');
    await k.forget('ns/x');
    assert.equal(k.runtime.sandboxCount, 0);
    const b = apply(pod('x'), await k.sync(pod('x')));
    assert.equal(b.status?.podIP, '10.128.0.3', 'next-fit allocation, the old IP is free again');
    assert.equal(k.usage.pods, 1);
  });

  test('a restarted simulator adopts running pods from their status without restarting them', async () => {
    const clock = new FakeClock(T0);
    const first = kubelet({ clock });
    let p = pod('kept', { init: true, restartPolicy: 'Never', annotations: { 'sim.strata.dev/exit-code': '0', 'sim.strata.dev/run-ms': '60000' } });
    p = apply(p, await first.k.sync(p));
    await clock.advance(10_000);
    const second = kubelet({ clock });
    const r = await second.k.sync(p);
    assert.equal(r.status, undefined, 'nothing changed');
    assert.equal(r.wakeAt, T0 + 60_000, 'the container still exits when it would have');
    assert.equal(second.k.usage.pods, 1);
    const other = apply(pod('new'), await second.k.sync(pod('new')));
    assert.notEqual(other.status?.podIP, p.status?.podIP, 'the adopted IP stays taken');
  });
});
