// The pod manager wired into startAgent, on the process runtime, against an in-process control
// plane: pods bound to the node really run, report their status, and go away when deleted.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { podManagerFor, startAgent, type RunningAgent } from '../../cmd/agent.ts';
import { startTestCluster, until, exists, type TestCluster } from '../../../test/support/cluster.ts';
import type { KubeObject } from '../../api/types.ts';
import type { ApiContainerStatus } from './pod-status.ts';

const NODE = 'pm-node';
const PODS = { group: '', version: 'v1', resource: 'pods', namespace: 'default' } as const;
const logger = pino({ level: process.env['STRATA_TEST_LOG'] ?? 'silent' });

let cluster: TestCluster;
let dataDir: string;
let agent: RunningAgent | undefined;

const startNodeAgent = (): Promise<RunningAgent> =>
  startAgent({
    server: cluster.cp.url,
    client: cluster.cp.localClient({ username: `system:node:${NODE}`, groups: ['system:nodes', 'system:authenticated'] }),
    nodeName: NODE, dataDir, runtime: 'process', logger, renewIntervalMs: 200,
    podManager: podManagerFor(),
  });

before(async () => {
  cluster = await startTestCluster({ controllers: [], driver: false });
  dataDir = await mkdtemp(join(tmpdir(), 'strata-pod-manager-'));
  agent = await startNodeAgent();
});

after(async () => {
  // Whatever a failed test left running goes with the runtime state.
  for (const p of (await cluster.client.list(PODS)).items) {
    await cluster.client.delete({ ...PODS, name: p.metadata.name ?? '' }, { gracePeriodSeconds: 0 }).catch(() => undefined);
  }
  await until('pods gone', async () => (await cluster.client.list(PODS)).items.length === 0, 20_000).catch(() => undefined);
  await agent?.stop();
  await cluster.stop();
  await rm(dataDir, { recursive: true, force: true });
});

function pod(name: string, container: Record<string, unknown>, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
    spec: { nodeName: NODE, automountServiceAccountToken: false, containers: [{ name: 'app', image: 'busybox', ...container }], ...spec },
  };
}

const getPod = (name: string): Promise<KubeObject> => cluster.client.get({ ...PODS, name });
const statusOf = (p: KubeObject): Record<string, unknown> => (p['status'] ?? {}) as Record<string, unknown>;
const containerStatus = (p: KubeObject): ApiContainerStatus | undefined => (statusOf(p)['containerStatuses'] as ApiContainerStatus[] | undefined)?.[0];
const condition = (p: KubeObject, type: string): string | undefined =>
  ((statusOf(p)['conditions'] as { type: string; status: string }[] | undefined) ?? []).find((c) => c.type === type)?.status;
const running = (marker: string): boolean => spawnSync('pgrep', ['-f', marker]).status === 0;

test('the node registers Ready once the pod manager has listed its pods', async () => {
  const node = await cluster.client.get({ group: '', version: 'v1', resource: 'nodes', name: NODE });
  const ready = ((node['status'] as { conditions?: { type: string; status: string }[] }).conditions ?? []).find((c) => c.type === 'Ready');
  assert.equal(ready?.status, 'True');
});

test('a pod runs as a process, goes Running and Ready, and deleting it stops the process and removes the pod', async () => {
  const marker = `strata-pm-${randomBytes(6).toString('hex')}`;
  await cluster.client.create(PODS, pod('hello', { command: ['/bin/sh', '-c', `echo hello; sleep 30; : ${marker}`] }));
  const p = await until('hello Running and Ready', async () => {
    const p = await getPod('hello');
    return statusOf(p)['phase'] === 'Running' && condition(p, 'Ready') === 'True' ? p : undefined;
  });
  const cs = containerStatus(p)!;
  assert.ok(cs.state.running?.startedAt, 'the container shows running');
  assert.equal(cs.ready, true);
  assert.match(cs.containerID ?? '', /^process:\/\/[0-9a-f]+$/);
  assert.equal(statusOf(p)['hostIP'] !== undefined, true);
  assert.equal(running(marker), true, 'the container process runs on this machine');

  await cluster.client.delete({ ...PODS, name: 'hello' });
  await until('hello deleted from the API', async () => !(await exists(cluster.client, { ...PODS, name: 'hello' })), 20_000);
  await until('its process gone', async () => !running(marker), 5_000);
});

test('a container that exits 1 with restartPolicy Never leaves the pod Failed with exit code 1', async () => {
  await cluster.client.create(PODS, pod('fails', { command: ['/bin/sh', '-c', 'exit 1'] }, { restartPolicy: 'Never' }));
  const p = await until('fails Failed', async () => {
    const p = await getPod('fails');
    return statusOf(p)['phase'] === 'Failed' ? p : undefined;
  });
  assert.equal(containerStatus(p)?.state.terminated?.exitCode, 1);
  assert.equal(containerStatus(p)?.state.terminated?.reason, 'Error');
  // A terminal pod stays in the API (only a deletion ends with the agent deleting it).
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(statusOf(await getPod('fails'))['phase'], 'Failed');
});

test('a container the process runtime cannot run waits with a reason naming the runtime, and an event says why', async () => {
  await cluster.client.create(PODS, pod('no-command', { image: 'nginx:1.27' }));
  const waiting = await until('no-command waiting with CreateContainerError', async () => {
    const w = containerStatus(await getPod('no-command'))?.state.waiting;
    return w?.reason === 'CreateContainerError' ? w : undefined;
  });
  assert.match(waiting.message ?? '', /process runtime cannot run image "nginx:1\.27" without a command/);
  const event = await until('a Failed event', async () => {
    const list = await cluster.client.list({ group: '', version: 'v1', resource: 'events', namespace: 'default' });
    return list.items.find((e) => (e['involvedObject'] as { name: string }).name === 'no-command' && e['reason'] === 'Failed');
  });
  assert.match(String(event['message']), /process runtime/);
  assert.equal((event['source'] as { host?: string }).host, NODE);
});

test('a restarted agent re-adopts the running container instead of starting another', async () => {
  const marker = `strata-pm-${randomBytes(6).toString('hex')}`;
  await cluster.client.create(PODS, pod('adopted', { command: ['/bin/sh', '-c', `sleep 60; : ${marker}`] }));
  const before = await until('adopted Running', async () => containerStatus(await getPod('adopted'))?.state.running ? containerStatus(await getPod('adopted')) : undefined);
  await agent!.stop();
  agent = undefined;
  assert.equal(running(marker), true, 'stopping the agent leaves the container running');
  agent = await startNodeAgent();
  // The new agent's workers write status again; the container is the same one, not restarted.
  await new Promise((r) => setTimeout(r, 1500));
  const afterRestart = containerStatus(await getPod('adopted'))!;
  assert.equal(afterRestart.containerID, before.containerID);
  assert.equal(afterRestart.restartCount, 0);
  assert.ok(afterRestart.state.running);
  await cluster.client.delete({ ...PODS, name: 'adopted' }, { gracePeriodSeconds: 1 });
  await until('adopted deleted', async () => !(await exists(cluster.client, { ...PODS, name: 'adopted' })), 20_000);
  await until('its process gone', async () => !running(marker), 5_000);
});

test('a pod that does not fit the node\'s allocatable is rejected before it starts: Failed, OutOfcpu, an Event', async () => {
  // The allocatable is read from the Node with the objects' TTL: wait until admission knows it.
  await new Promise((r) => setTimeout(r, 500));
  await cluster.client.create(PODS, pod('too-big', { command: ['/bin/sh', '-c', 'sleep 30'], resources: { requests: { cpu: '100000' } } }));
  const p = await until('too-big Failed', async () => {
    const p = await getPod('too-big');
    return statusOf(p)['phase'] === 'Failed' ? p : undefined;
  });
  assert.equal(statusOf(p)['reason'], 'OutOfcpu');
  assert.match(String(statusOf(p)['message']), /^Pod was rejected: Node didn't have enough resource: cpu, requested: 100000000, used: \d+, capacity: \d+$/);
  assert.equal(containerStatus(p), undefined, 'no container was started');
  const events = await cluster.client.list({ group: '', version: 'v1', resource: 'events', namespace: 'default' });
  assert.ok(events.items.some((e) => (e['involvedObject'] as { name?: string }).name === 'too-big' && e['reason'] === 'OutOfcpu'));
  // Deleting it removes it at once: there is nothing to stop.
  await cluster.client.delete({ ...PODS, name: 'too-big' });
  await until('too-big gone', async () => !(await exists(cluster.client, { ...PODS, name: 'too-big' })));
});
