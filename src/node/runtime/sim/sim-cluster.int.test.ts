// SimCluster against a real in-process API server (no controllers, no pod driver): 50 nodes
// register with Leases, bound pods run with IPs from their node's range and become Ready, Job-style
// pods finish with their exit code, graceful deletion removes pods, admission rejects what does
// not fit, and failed nodes stop renewing their Leases.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestCluster, until, type TestCluster } from '../../../../test/support/cluster.ts';
import type { Lease } from '../../../client/index.ts';
import { parseCidr, ipv4ToNumber } from './ip-pool.ts';
import { SimCluster } from './sim-cluster.ts';
import { LEASES, NODE_LEASE_NAMESPACE, NODES, PODS, type Node, type Pod } from './types.ts';

const NS = 'default';

function pod(name: string, nodeName: string, extra: { annotations?: Record<string, string>; restartPolicy?: string; cpu?: string; readyAfterSeconds?: number } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
    spec: {
      nodeName,
      restartPolicy: extra.restartPolicy ?? 'Always',
      initContainers: [{ name: 'setup', image: 'busybox' }],
      containers: [{
        name: 'app',
        image: 'nginx:1.27',
        ...(extra.cpu ? { resources: { requests: { cpu: extra.cpu } } } : {}),
        ...(extra.readyAfterSeconds !== undefined ? { readinessProbe: { initialDelaySeconds: extra.readyAfterSeconds, httpGet: { path: '/', port: 80 } } } : {}),
      }],
    },
  };
}

function inCidr(ip: string, cidr: string): boolean {
  const c = parseCidr(cidr);
  const n = ipv4ToNumber(ip);
  return n >= c.base && n < c.base + 2 ** (32 - c.prefix);
}

describe('SimCluster against an in-process API server', { timeout: 90_000 }, () => {
  let cluster: TestCluster;
  let sim: SimCluster;

  before(async () => {
    cluster = await startTestCluster({ controllers: [], driver: false });
    sim = new SimCluster({ nodes: 50, zones: 3, cpu: '4', pods: 20, leaseRenewIntervalMs: 1000, nodeStatusUpdateFrequencyMs: 1000, terminationDelayMs: 100 }, { client: cluster.client });
    await sim.start();
  });
  after(async () => {
    await sim?.stop();
    await cluster?.stop();
  });

  const getPod = (name: string): Promise<Pod> => cluster.client.get<Pod>({ ...PODS, namespace: NS, name });
  const lease = (name: string): Promise<Lease> => cluster.client.get<Lease>({ ...LEASES, namespace: NODE_LEASE_NAMESPACE, name });
  const heartbeat = async (name: string): Promise<string | undefined> =>
    (await cluster.client.get<Node>({ ...NODES, name })).status?.conditions?.find((c) => c.type === 'Ready')?.lastHeartbeatTime;

  test('50 nodes register Ready, spread over 3 zones, each with a Lease held by itself', async () => {
    const nodes = (await cluster.client.list<Node>(NODES, { labelSelector: 'sim.strata.dev/simulated=true' })).items;
    assert.equal(nodes.length, 50);
    const zones = new Map<string, number>();
    const ips = new Set<string>();
    for (const n of nodes) {
      const labels = n.metadata.labels ?? {};
      assert.equal(labels['kubernetes.io/hostname'], n.metadata.name);
      zones.set(labels['topology.kubernetes.io/zone'] ?? '', (zones.get(labels['topology.kubernetes.io/zone'] ?? '') ?? 0) + 1);
      const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
      assert.equal(ready?.status, 'True');
      assert.ok(ready?.lastHeartbeatTime);
      const status = n.status as { capacity: Record<string, string>; allocatable: Record<string, string>; addresses: { type: string; address: string }[]; nodeInfo: { kubeletVersion: string } };
      assert.equal(status.capacity['cpu'], '4');
      assert.equal(status.allocatable['pods'], '20');
      assert.equal(status.nodeInfo.kubeletVersion, 'v1.33.0-strata');
      ips.add(status.addresses.find((a) => a.type === 'InternalIP')?.address ?? '');
      assert.ok(n.spec?.podCIDR, 'a pod range');
    }
    assert.deepEqual([...zones.values()].sort(), [16, 17, 17]);
    assert.equal(ips.size, 50, 'every node has its own InternalIP');
    const leases = (await cluster.client.list<Lease>({ ...LEASES, namespace: NODE_LEASE_NAMESPACE })).items;
    assert.equal(leases.length, 50);
    for (const l of leases) {
      assert.equal(l.spec?.holderIdentity, l.metadata.name);
      assert.equal(l.spec?.leaseDurationSeconds, 40);
      assert.equal(l.metadata.ownerReferences?.[0]?.kind, 'Node');
    }
  });

  test('bound pods run with an IP from their node\'s range and become Ready; readiness waits for the probe delay', async () => {
    await cluster.client.create(PODS, pod('web-1', 'sim-1'));
    await cluster.client.create(PODS, pod('web-2', 'sim-2', { readyAfterSeconds: 1 }));
    const ready = (p: Pod): boolean => (p.status?.['conditions'] as { type: string; status: string }[] | undefined)?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    const web1 = await until('web-1 Ready', async () => {
      const p = await getPod('web-1');
      return ready(p) ? p : undefined;
    });
    assert.equal(web1.status?.phase, 'Running');
    assert.ok(inCidr(web1.status?.podIP ?? '', sim.node('sim-1')!.podCIDR), `${web1.status?.podIP} in ${sim.node('sim-1')!.podCIDR}`);
    const cs = (web1.status?.['containerStatuses'] as Record<string, unknown>[])[0]!;
    assert.equal(cs['ready'], true);
    assert.equal(cs['started'], true);
    assert.equal(cs['restartCount'], 0);
    assert.match(String(cs['containerID']), /^sim:\/\/[0-9a-f]{64}$/);
    assert.match(String(cs['imageID']), /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    const init = (web1.status?.['initContainerStatuses'] as { state: { terminated?: { reason: string; exitCode: number } } }[])[0]!;
    assert.deepEqual([init.state.terminated?.reason, init.state.terminated?.exitCode], ['Completed', 0]);
    assert.equal(web1.status?.['qosClass'], 'BestEffort');
    assert.ok(web1.status?.['hostIP']);
    const types = (web1.status?.['conditions'] as { type: string }[]).map((c) => c.type);
    assert.deepEqual(types, ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);

    const early = await until('web-2 Running', async () => {
      const p = await getPod('web-2');
      return p.status?.phase === 'Running' ? p : undefined;
    });
    assert.equal(ready(early), false, 'not Ready before initialDelaySeconds');
    const started = Date.now();
    await until('web-2 Ready', async () => ready(await getPod('web-2')));
    assert.ok(Date.now() - started >= 500, 'Ready came after the probe delay');
  });

  test('a Job-style pod ends Succeeded or Failed with its container\'s exit code', async () => {
    await cluster.client.create(PODS, pod('job-ok', 'sim-3', { restartPolicy: 'Never', annotations: { 'sim.strata.dev/exit-code': '0', 'sim.strata.dev/run-ms': '200' } }));
    await cluster.client.create(PODS, pod('job-bad', 'sim-4', { restartPolicy: 'Never', annotations: { 'sim.strata.dev/exit-code': '3', 'sim.strata.dev/run-ms': '200' } }));
    for (const [name, phase, code, reason] of [['job-ok', 'Succeeded', 0, 'Completed'], ['job-bad', 'Failed', 3, 'Error']] as const) {
      const p = await until(`${name} ${phase}`, async () => {
        const x = await getPod(name);
        return x.status?.phase === phase ? x : undefined;
      });
      const term = (p.status?.['containerStatuses'] as { state: { terminated?: { exitCode: number; reason: string } } }[])[0]?.state.terminated;
      assert.deepEqual([term?.exitCode, term?.reason], [code, reason]);
      const readyCond = (p.status?.['conditions'] as { type: string; status: string; reason?: string }[]).find((c) => c.type === 'Ready');
      assert.deepEqual([readyCond?.status, readyCond?.reason], ['False', phase === 'Succeeded' ? 'PodCompleted' : 'PodFailed']);
    }
  });

  test('a pod that does not fit is rejected as the kubelet does', async () => {
    await cluster.client.create(PODS, pod('big-1', 'sim-5', { cpu: '3' }));
    await until('big-1 Running', async () => (await getPod('big-1')).status?.phase === 'Running');
    await cluster.client.create(PODS, pod('big-2', 'sim-5', { cpu: '2' }));
    const rejected = await until('big-2 Failed', async () => {
      const p = await getPod('big-2');
      return p.status?.phase === 'Failed' ? p : undefined;
    });
    assert.equal(rejected.status?.['reason'], 'OutOfcpu');
    assert.equal(rejected.status?.['message'], "Pod was rejected: Node didn't have enough resource: cpu, requested: 2000, used: 3000, capacity: 4000");
  });

  test('deleting a running pod gracefully removes it', async () => {
    await cluster.client.create(PODS, pod('doomed', 'sim-6'));
    await until('doomed Running', async () => (await getPod('doomed')).status?.phase === 'Running');
    await cluster.client.delete({ ...PODS, namespace: NS, name: 'doomed' });
    const inTerm = await getPod('doomed').catch(() => undefined);
    if (inTerm) assert.ok(inTerm.metadata.deletionTimestamp, 'Terminating while its containers stop');
    await until('doomed gone', async () => getPod('doomed').then(() => false, () => true));
  });

  test('a pod bound later through pods/binding (as the scheduler does) is picked up and runs', async () => {
    const unbound = pod('late', 'sim-9');
    delete unbound.spec!.nodeName;
    await cluster.client.create(PODS, unbound);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await getPod('late')).status?.phase, 'Pending', 'the simulator does not bind pods');
    await cluster.client.request('POST', `/api/v1/namespaces/${NS}/pods/late/binding`, {
      apiVersion: 'v1', kind: 'Binding', metadata: { name: 'late', namespace: NS }, target: { apiVersion: 'v1', kind: 'Node', name: 'sim-9' },
    });
    const p = await until('late Running', async () => {
      const x = await getPod('late');
      return x.status?.phase === 'Running' ? x : undefined;
    });
    assert.ok(inCidr(p.status?.podIP ?? '', sim.node('sim-9')!.podCIDR));
  });

  test('pods on nodes that are not the simulator\'s are left alone', async () => {
    await cluster.client.create(PODS, pod('elsewhere', 'real-node-1'));
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await getPod('elsewhere')).status?.phase, 'Pending');
  });

  test('addNodes registers more nodes; a Node deleted behind the simulator\'s back leaves the simulation', async () => {
    assert.deepEqual(await sim.addNodes(2), ['sim-50', 'sim-51']);
    const n50 = await cluster.client.get<Node>({ ...NODES, name: 'sim-50' });
    assert.equal(n50.metadata.labels?.['topology.kubernetes.io/zone'], 'sim-region-c');
    assert.equal((await lease('sim-51')).spec?.holderIdentity, 'sim-51');
    await cluster.client.delete({ ...NODES, name: 'sim-51' });
    await until('sim-51 leaves the simulation', async () => sim.node('sim-51') === undefined);
    const last = (await lease('sim-51')).spec?.renewTime;
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await lease('sim-51')).spec?.renewTime, last, 'no more renewals for a deleted node');
    await assert.rejects(cluster.client.get({ ...NODES, name: 'sim-51' }), /not found/, 'and it is not re-registered');
  });

  test('failNodes stops Lease renewal and status updates; pods stay as they were; recoverNodes resumes', async () => {
    const before1 = (await lease('sim-7')).spec?.renewTime;
    await until('sim-7 renews', async () => (await lease('sim-7')).spec?.renewTime !== before1, 5000);
    const hb1 = await heartbeat('sim-7');
    await until('sim-7 posts its status', async () => (await heartbeat('sim-7')) !== hb1, 5000);
    await cluster.client.create(PODS, pod('stays', 'sim-7'));
    await until('stays Running', async () => (await getPod('stays')).status?.phase === 'Running');
    assert.deepEqual(sim.failNodes(['sim-7']), ['sim-7']);
    await new Promise((r) => setTimeout(r, 300));
    const frozen = (await lease('sim-7')).spec?.renewTime;
    const frozenHeartbeat = await heartbeat('sim-7');
    await cluster.client.delete({ ...PODS, namespace: NS, name: 'stays' });
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal((await lease('sim-7')).spec?.renewTime, frozen, 'the Lease of a failed node is not renewed');
    assert.equal(await heartbeat('sim-7'), frozenHeartbeat, 'nor its status posted');
    assert.notEqual((await lease('sim-8')).spec?.renewTime, undefined);
    const stuck = await getPod('stays');
    assert.ok(stuck.metadata.deletionTimestamp, 'a pod on a dead node stays Terminating');
    assert.equal(stuck.status?.phase, 'Running');

    sim.recoverNodes(['sim-7']);
    await until('sim-7 renews again', async () => (await lease('sim-7')).spec?.renewTime !== frozen, 5000);
    await until('the deleted pod goes once its node is back', async () => getPod('stays').then(() => false, () => true));
    assert.deepEqual([sim.stats.pods.errors, sim.stats.heartbeatErrors], [0, 0]);
  });
});
