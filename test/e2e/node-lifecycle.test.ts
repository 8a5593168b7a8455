// The node agent black-box on `strata up` with real kubectl: crash loops, liveness restarts,
// readiness gating a Service's EndpointSlice, a Job to completion, an image the process runtime
// cannot run, a pod's activeDeadlineSeconds, and a SIGKILLed `strata up` that comes back without
// losing or duplicating a pod.
// Every workload is created up front so their timelines (crash-loop back-off is 10 s, then 20 s)
// overlap; the checks that watch them run concurrently, the restart check runs last.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually, freePort, parseTable } from './harness.ts';
import { removeRuntimeCgroups } from '../support/process-runtime-cleanup.ts';
import { eventsFor, getJson, killAllWith, pidsWith, startUp, type UpProcess } from './node-cluster.ts';

let up: UpProcess;
let dir: string;
/** In every pod's command line, so that cleanup finds what a failed run left behind. */
let marker: string;

const pod = (name: string, container: Record<string, unknown>, spec: Record<string, unknown> = {}, labels: Record<string, string> = {}): Record<string, unknown> => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels },
  spec: { terminationGracePeriodSeconds: 2, containers: [{ name: 'main', image: 'busybox', ...container }], ...spec },
});

/** A shell script that ends with a comment naming the marker (its sh process carries it). */
const sh = (script: string): string[] => ['sh', '-c', `${script} # ${marker}`];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'strata-node-e2e-'));
  marker = join(dir, `m-${randomBytes(4).toString('hex')}`);
  mkdirSync(marker);
  up = await startUp(join(dir, 'data'), await freePort());
  const manifests = [
    pod('crash', { command: sh('exit 1') }),
    pod('live', {
      command: sh(`echo started >> ${marker}/live-starts; sleep 3600`),
      livenessProbe: { exec: { command: ['test', '-f', join(marker, 'never-there')] }, initialDelaySeconds: 1, periodSeconds: 1, failureThreshold: 2 },
    }),
    pod('rdy', {
      command: sh('sleep 3600'),
      readinessProbe: { exec: { command: ['test', '-f', join(marker, 'ready')] }, periodSeconds: 1 },
    }, {}, { app: 'rdy' }),
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'rdy' }, spec: { selector: { app: 'rdy' }, ports: [{ port: 80, targetPort: 8080 }] } },
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'once' },
      spec: { backoffLimit: 0, template: { spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 2, containers: [{ name: 'work', image: 'busybox', command: sh(`echo done > ${marker}/job-ran`) }] } } },
    },
    pod('nocmd', {}, {}, {}),
    pod('deadline', { command: sh('sleep 3600') }, { activeDeadlineSeconds: 3 }),
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'keeper' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'keeper' } },
        template: {
          metadata: { labels: { app: 'keeper' } },
          spec: { terminationGracePeriodSeconds: 2, containers: [{ name: 'main', image: 'busybox', command: sh(`echo $HOSTNAME >> ${marker}/keeper-starts; sleep 3600`) }] },
        },
      },
    },
  ];
  up.kube.k(['apply', '-f', '-'], { input: manifests.map((m) => JSON.stringify(m)).join('\n') });
});

after(async () => {
  if (up) await up.stop('SIGINT');
  killAllWith(marker);
  if (dir) {
    await removeRuntimeCgroups(dir);
    rmSync(dir, { recursive: true, force: true });
  }
});

const containerStatus = (name: string): any => getJson(up.kube, ['pod', name])?.status?.containerStatuses?.[0];
const podRow = (name: string): Record<string, string> | undefined => parseTable(up.kube.kubectl(['get', 'pod', name]).stdout)[0];
const condition = (name: string, type: string): string | undefined =>
  getJson(up.kube, ['pod', name])?.status?.conditions?.find((c: { type: string }) => c.type === type)?.status;

describe('pods on the process runtime', { concurrency: true }, () => {
  test('a crashing container goes to CrashLoopBackOff with a growing restart count', async () => {
    const first = await eventually('crash in CrashLoopBackOff', () => {
      const row = podRow('crash');
      return row?.['STATUS'] === 'CrashLoopBackOff' && Number(row['RESTARTS']?.split(' ')[0]) >= 1 && row;
    }, 40_000, 250);
    const cs = containerStatus('crash');
    assert.equal(cs.state.waiting?.reason, 'CrashLoopBackOff');
    assert.match(cs.state.waiting.message, /back-off \d+s restarting failed container=main pod=crash_default/);
    assert.equal(cs.lastState.terminated?.exitCode, 1);
    assert.equal(cs.lastState.terminated?.reason, 'Error');
    const before = Number(first['RESTARTS']!.split(' ')[0]);
    // The next restart comes after the back-off (10 s, then 20 s).
    await eventually('another restart', () => (containerStatus('crash')?.restartCount ?? 0) > before, 35_000, 500);
    const reasons = eventsFor(up.kube, 'crash').map((e) => e.reason);
    assert.ok(reasons.includes('BackOff'), `events: ${reasons}`);
    assert.ok(reasons.includes('Started'), `events: ${reasons}`);
  });

  test('a failing liveness probe restarts the container', async () => {
    await eventually('live restarted', () => (containerStatus('live')?.restartCount ?? 0) >= 1, 40_000, 250);
    const events = eventsFor(up.kube, 'live');
    const unhealthy = events.find((e) => e.reason === 'Unhealthy');
    const killing = events.find((e) => e.reason === 'Killing');
    assert.ok(unhealthy, `an Unhealthy event: ${JSON.stringify(events)}`);
    assert.equal(unhealthy.type, 'Warning');
    assert.match(unhealthy.message, /^Liveness probe failed/);
    assert.ok(killing, `a Killing event: ${JSON.stringify(events)}`);
    assert.match(killing.message, /Container main failed liveness probe, will be restarted/);
    // The container really started again (its script ran twice).
    await eventually('a second start of live', () => readFileSync(join(marker, 'live-starts'), 'utf8').split('\n').filter(Boolean).length >= 2, 15_000, 250);
  });

  test('a readiness probe gates the Ready condition and the Service\'s endpoint', async () => {
    const endpoint = (): { ready?: boolean } | undefined => {
      const slices = getJson(up.kube, ['endpointslices', '-l', 'kubernetes.io/service-name=rdy']);
      return slices?.items?.flatMap((s: { endpoints?: { conditions: { ready?: boolean } }[] }) => s.endpoints ?? []).map((e: { conditions: { ready?: boolean } }) => e.conditions)[0];
    };
    await eventually('rdy running, not ready', () => containerStatus('rdy')?.state?.running && endpoint()?.ready === false, 30_000, 250);
    assert.equal(condition('rdy', 'Ready'), 'False');
    assert.equal(condition('rdy', 'ContainersReady'), 'False');
    assert.equal(podRow('rdy')?.['READY'], '0/1');
    writeFileSync(join(marker, 'ready'), '');
    await eventually('rdy Ready', () => condition('rdy', 'Ready') === 'True', 15_000, 250);
    await eventually('the endpoint ready', () => endpoint()?.ready === true, 15_000, 250);
    assert.equal(podRow('rdy')?.['READY'], '1/1');
    assert.equal(containerStatus('rdy').restartCount, 0, 'a readiness failure never restarts');
  });

  test('a Job runs to completion', async () => {
    const wait = up.kube.kubectl(['wait', '--for=condition=complete', 'job/once', '--timeout=60s'], { timeoutMs: 70_000 });
    assert.equal(wait.code, 0, wait.stderr);
    assert.match(wait.stdout, /job.batch\/once condition met/);
    assert.equal(readFileSync(join(marker, 'job-ran'), 'utf8'), 'done\n');
    const pods = getJson(up.kube, ['pods', '-l', 'job-name=once']).items;
    assert.equal(pods.length, 1);
    assert.equal(pods[0].status.phase, 'Succeeded');
    assert.equal(pods[0].status.containerStatuses[0].state.terminated.reason, 'Completed');
    assert.equal(getJson(up.kube, ['job', 'once']).status.succeeded, 1);
  });

  test('a container without a command whose image the runtime cannot run waits with a reason, message and event', async () => {
    const cs = await eventually('nocmd waiting with a reason', () => {
      const s = containerStatus('nocmd');
      return s?.state?.waiting?.reason === 'CreateContainerError' && s;
    }, 30_000, 250);
    assert.match(cs.state.waiting.message, /cannot run image "busybox" without a command/);
    assert.equal(podRow('nocmd')?.['STATUS'], 'CreateContainerError');
    const failed = eventsFor(up.kube, 'nocmd').find((e) => e.reason === 'Failed');
    assert.ok(failed, 'a Failed event');
    assert.match(failed.message, /cannot run image "busybox" without a command/);
    // The agent tries again after its back-off period (10 s), not at every 1 s sync.
    await new Promise((r) => setTimeout(r, 4000));
    const count = eventsFor(up.kube, 'nocmd').filter((e) => e.reason === 'Failed').reduce((n, e) => n + (e.count ?? 1), 0);
    assert.ok(count <= 2, `${count} creation attempts in about 5 s`);
    assert.equal(getJson(up.kube, ['pod', 'nocmd']).status.phase, 'Pending');
  });

  test('a pod past its activeDeadlineSeconds is killed and ends Failed with DeadlineExceeded', async () => {
    const p = await eventually('deadline Failed', () => {
      const got = getJson(up.kube, ['pod', 'deadline']);
      return got?.status?.phase === 'Failed' && got;
    }, 30_000, 250);
    assert.equal(p.status.reason, 'DeadlineExceeded');
    assert.equal(p.status.message, 'Pod was active on the node longer than the specified deadline');
    assert.ok(p.status.containerStatuses[0].state.terminated, 'its container was stopped');
    const event = eventsFor(up.kube, 'deadline').find((e) => e.reason === 'DeadlineExceeded');
    assert.equal(event?.type, 'Normal');
  });
});

test('strata up killed with SIGKILL and started again neither loses nor duplicates a pod', async () => {
  const keepers = (): { name: string; uid: string; restarts: number; id: string }[] =>
    (getJson(up.kube, ['pods', '-l', 'app=keeper'])?.items ?? []).map((p: any) => ({
      name: p.metadata.name, uid: p.metadata.uid, restarts: p.status?.containerStatuses?.[0]?.restartCount, id: p.status?.containerStatuses?.[0]?.containerID,
    })).sort((a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name));
  const before = await eventually('both keepers running', () => {
    const ks = keepers();
    return ks.length === 2 && ks.every((k) => k.id) && parseTable(up.kube.k(['get', 'pods', '-l', 'app=keeper'])).every((r) => r['STATUS'] === 'Running') && ks;
  }, 30_000, 250);
  const starts = (): string[] => readFileSync(join(marker, 'keeper-starts'), 'utf8').split('\n').filter(Boolean);
  assert.equal(starts().length, 2);
  const running = pidsWith(`keeper-starts; sleep 3600 # ${marker}`);
  // Each container shows as several processes (supervisor, namespace init, the shell): the set
  // of their pids is what must survive.
  assert.ok(running.length >= 2, 'the keepers run as processes on this machine');
  const jobPods = getJson(up.kube, ['pods', '-l', 'job-name=once']).items.map((p: any) => p.metadata.uid);

  assert.equal(await up.stop('SIGKILL'), null);
  // The containers outlive the agent (their supervisors are detached), as a kubelet's do.
  assert.deepEqual(pidsWith(`keeper-starts; sleep 3600 # ${marker}`).sort(), running.sort());

  await up.restart();
  // After an unclean stop the controllers wait for their old Lease to expire: once they run, a
  // lost or duplicated pod would show.
  await eventually('the controllers again', () => up.output().split('✔ controllers').length > 2, 40_000, 250);
  await new Promise((r) => setTimeout(r, 3000));
  const after = await eventually('both keepers running again', () => {
    const ks = keepers();
    return ks.length === 2 && parseTable(up.kube.k(['get', 'pods', '-l', 'app=keeper'])).every((r) => r['STATUS'] === 'Running') && ks;
  }, 30_000, 250);
  assert.deepEqual(after, before, 'the same pods (uids), the same containers, no restarts');
  assert.equal(starts().length, 2, 'no container started again');
  assert.deepEqual(pidsWith(`keeper-starts; sleep 3600 # ${marker}`).sort(), running.sort(), 'the same processes');
  assert.deepEqual(getJson(up.kube, ['pods', '-l', 'job-name=once']).items.map((p: any) => p.metadata.uid), jobPods, 'the finished Job is not run again');
  assert.equal(getJson(up.kube, ['job', 'once']).status.succeeded, 1);
});
