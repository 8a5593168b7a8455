// The scheduler against a real in-process API server (no controllers; a pod driver only finishes
// graceful deletions, as a kubelet would): binding, the FailedScheduling message and condition,
// event-driven retry when a fitting node appears, taints, node affinity, zone spreading and
// preemption by PriorityClass. Each test works on its own labelled group of nodes.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import type { KubeObject } from '../api/types.ts';
import { RestClient } from '../client/index.ts';
import { startScheduler, type RunningScheduler } from '../cmd/scheduler.ts';
import { startTestCluster, until, type TestCluster } from '../../test/support/cluster.ts';
import type { Pod, Taint } from './api-types.ts';

const NODES = { group: '', version: 'v1', resource: 'nodes' } as const;
const PODS = { group: '', version: 'v1', resource: 'pods', namespace: 'default' } as const;
const EVENTS = { group: '', version: 'v1', resource: 'events', namespace: 'default' } as const;
const PRIORITY_CLASSES = { group: 'scheduling.k8s.io', version: 'v1', resource: 'priorityclasses' } as const;
const CONTROL_PLANE: Taint = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };

let cluster: TestCluster;
let client: RestClient;
let sched: RunningScheduler;

async function addNode(name: string, o: { cpu?: string; labels?: Record<string, string>; taints?: Taint[] } = {}): Promise<void> {
  await client.create(NODES, { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } }, spec: { ...(o.taints ? { taints: o.taints } : {}) } });
  const capacity = { cpu: o.cpu ?? '4', memory: '8Gi', pods: '110' };
  await client.patch({ ...NODES, name }, 'merge', { status: { capacity, allocatable: capacity, conditions: [{ type: 'Ready', status: 'True' }] } }, { subresource: 'status' });
}

async function createPod(name: string, spec: Record<string, unknown> = {}, cpu = '100m', labels: Record<string, string> = {}): Promise<void> {
  await client.create(PODS, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu } } }], ...spec },
  });
}

const getPod = (name: string): Promise<Pod> => client.get<Pod>({ ...PODS, name });
const boundNode = async (name: string): Promise<string | undefined> => (await getPod(name)).spec?.nodeName;
const eventsFor = async (name: string): Promise<KubeObject[]> =>
  (await client.list(EVENTS)).items.filter((e) => (e['involvedObject'] as { name?: string }).name === name);

before(async () => {
  cluster = await startTestCluster({ controllers: [], driver: { bind: false, nodes: [] } });
  client = cluster.client;
  await addNode('cp', { cpu: '4', taints: [CONTROL_PLANE], labels: { test: 'message' } });
  await addNode('w1', { cpu: '2', labels: { test: 'message' } });
  await addNode('w2', { cpu: '2', labels: { test: 'message' } });
  const own = await RestClient.fromKubeconfig(cluster.cp.kubeconfigPath);
  sched = await startScheduler(own, pino({ level: process.env['STRATA_TEST_LOG'] ?? 'silent' }), { leaderElectRetryPeriod: '200ms', leaderElectRenewDeadline: '1s', leaderElectLeaseDuration: '2s' });
  await sched.started;
});

after(async () => {
  await sched?.stop();
  await cluster?.stop();
});

describe('scheduler against an API server', { timeout: 60_000 }, () => {
  test('binds pods and records Scheduled events', async () => {
    for (const n of ['bind-1', 'bind-2', 'bind-3']) await createPod(n, { tolerations: [{ operator: 'Exists' }] });
    for (const n of ['bind-1', 'bind-2', 'bind-3']) {
      const node = await until(`${n} bound`, () => boundNode(n));
      assert.ok(['cp', 'w1', 'w2'].includes(node));
      const pod = await getPod(n);
      assert.equal(pod.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status, 'True');
      const ev = await until(`Scheduled event of ${n}`, async () => (await eventsFor(n)).find((e) => e['reason'] === 'Scheduled'));
      assert.equal(ev['message'], `Successfully assigned default/${n} to ${node}`);
      assert.equal(ev['type'], 'Normal');
      assert.equal((ev['source'] as { component?: string }).component, 'default-scheduler');
    }
    // The scheduler's caches hold objects without managedFields (as upstream's informer transform).
    const cached = sched.scheduler!.listers.pod('default', 'bind-1');
    assert.ok((await getPod('bind-1')).metadata.managedFields?.length, 'the API keeps managedFields');
    assert.equal(cached?.metadata.managedFields, undefined);
    assert.equal(cached?.spec?.nodeName, await boundNode('bind-1'));
  });

  test('a pod that fits nowhere gets PodScheduled=False with the upstream message, and is scheduled soon after a fitting node appears', async () => {
    await createPod('huge', {}, '3');
    const expected =
      '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. ' +
      'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.';
    const cond = await until('PodScheduled=False', async () => (await getPod('huge')).status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False'));
    assert.equal(cond.reason, 'Unschedulable');
    assert.equal(cond.message, expected);
    const ev = await until('FailedScheduling event', async () => (await eventsFor('huge')).find((e) => e['reason'] === 'FailedScheduling'));
    assert.equal(ev['type'], 'Warning');
    assert.equal(ev['message'], expected);

    const t0 = Date.now();
    await addNode('w3', { cpu: '8', labels: { test: 'message' } });
    assert.equal(await until('huge bound', () => boundNode('huge'), 10_000), 'w3');
    assert.ok(Date.now() - t0 < 10_000, 'moved by the node event, not the 5-minute flush');
  });

  test('taints keep pods off unless tolerated', async () => {
    await addNode('gpu', { labels: { test: 'taints' }, taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] });
    const onGpu = { nodeSelector: { 'kubernetes.io/hostname': 'gpu' } };
    await createPod('tolerant', { ...onGpu, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] });
    await createPod('intolerant', onGpu);
    assert.equal(await until('tolerant bound', () => boundNode('tolerant')), 'gpu');
    const cond = await until('intolerant rejected', async () => (await getPod('intolerant')).status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False'));
    assert.match(cond.message ?? '', /1 node\(s\) had untolerated taint \{dedicated: gpu\}/);
    assert.equal(await boundNode('intolerant'), undefined);
  });

  test('required node affinity picks the matching zone', async () => {
    await addNode('aff-1', { labels: { test: 'affinity', 'topology.kubernetes.io/zone': 'east' } });
    await addNode('aff-2', { labels: { test: 'affinity', 'topology.kubernetes.io/zone': 'west' } });
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'test', operator: 'In', values: ['affinity'] }, { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['west'] }] }],
        },
      },
    };
    for (const n of ['west-1', 'west-2']) await createPod(n, { affinity });
    for (const n of ['west-1', 'west-2']) assert.equal(await until(`${n} bound`, () => boundNode(n)), 'aff-2');
  });

  test('topology spread across three zones places two pods per zone', async () => {
    for (const z of ['z1', 'z2', 'z3']) await addNode(`spread-${z}`, { labels: { test: 'spread', 'topology.kubernetes.io/zone': z } });
    const spec = {
      nodeSelector: { test: 'spread' },
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'spread' } } }],
    };
    const names = Array.from({ length: 6 }, (_, i) => `spread-${i}`);
    for (const n of names) await createPod(n, spec, '100m', { app: 'spread' });
    const perZone: Record<string, number> = {};
    for (const n of names) {
      const node = await until(`${n} bound`, () => boundNode(n));
      perZone[node] = (perZone[node] ?? 0) + 1;
    }
    assert.deepEqual(perZone, { 'spread-z1': 2, 'spread-z2': 2, 'spread-z3': 2 });
  });

  test('a high-priority pod preempts a low-priority one (priority from its PriorityClass)', async () => {
    for (const [name, value] of [['low', 100], ['high', 1000]] as const) {
      await client.create(PRIORITY_CLASSES, { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value });
    }
    await addNode('solo', { cpu: '2', labels: { test: 'preempt' } });
    const onSolo = { nodeSelector: { test: 'preempt' } };
    await createPod('victim', { ...onSolo, priorityClassName: 'low' }, '1500m');
    assert.equal(await until('victim bound', () => boundNode('victim')), 'solo');
    const victimUid = (await getPod('victim')).metadata.uid;
    await createPod('preemptor', { ...onSolo, priorityClassName: 'high' }, '1500m');
    const preemptorUid = (await getPod('preemptor')).metadata.uid;
    assert.equal(await until('preemptor bound', () => boundNode('preemptor'), 20_000), 'solo');
    const gone = await client.get({ ...PODS, name: 'victim' }).then(() => false, () => true);
    assert.ok(gone, 'the victim was deleted');
    const preempted = (await eventsFor('victim')).find((e) => e['reason'] === 'Preempted' && (e['involvedObject'] as { uid?: string }).uid === victimUid);
    assert.equal(preempted?.['message'], `Preempted by pod ${preemptorUid} on node solo`);
    const failed = (await eventsFor('preemptor')).find((e) => e['reason'] === 'FailedScheduling');
    assert.match(String(failed?.['message']), /1 Insufficient cpu/);
  });
});
