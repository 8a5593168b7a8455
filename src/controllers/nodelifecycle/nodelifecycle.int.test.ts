// The node lifecycle controller against a real in-process API server, on a 1 s grace period: a
// node whose Lease stops being renewed goes Unknown and gets the unreachable taints, its pods are
// marked not Ready, a pod tolerating the taint for 1 s is deleted (one tolerating it for the
// default 300 s, added by DefaultTolerationSeconds, stays), and renewal plus a Ready status bring
// the node back without taints. Cordoning adds the unschedulable taint, uncordoning removes it.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../api/types.ts';
import type { RestClient } from '../../client/index.ts';
import { isAlreadyExists } from '../../machinery/status-error.ts';
import { startTestCluster, until, type TestCluster } from '../../../test/support/cluster.ts';
import type { ControllerSpec } from '../index.ts';
import { LEASES, NODES, PODS, type Pod } from '../util/index.ts';
import { nodeLifecycleController } from './node-lifecycle-controller.ts';
import type { Node, Taint } from './taints.ts';

const EVENTS = { group: '', version: 'v1', resource: 'events' } as const;

/**
 * The controller with a 1 s grace period (CONTROLLERS' entry keeps upstream's 40 s) and a fast
 * tainting rate: the zone is fully disrupted for a moment at start (node-1 exists before it posts
 * Ready), which leaves the 0.1/s bucket drained for 10 s; the rate itself is unit-tested.
 */
const FAST: ControllerSpec = {
  name: 'nodelifecycle-fast',
  component: 'node-controller',
  make: (ctx) => nodeLifecycleController(ctx, { nodeMonitorPeriodMs: 100, nodeMonitorGracePeriodMs: 1000, nodeStartupGracePeriodMs: 1000, evictionQps: 10 }),
};

/** Renews the kube-node-lease Leases of the nodes in `alive` every 200 ms, as kubelets do every 10 s. */
function heartbeats(client: RestClient, alive: Set<string>) {
  let running = true;
  const renew = async (name: string): Promise<void> => {
    const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: new Date().toISOString().replace('Z', '000Z') } };
    try {
      await client.create({ ...LEASES, namespace: 'kube-node-lease' }, lease);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const current = await client.get({ ...LEASES, namespace: 'kube-node-lease', name });
      await client.update({ ...LEASES, namespace: 'kube-node-lease' }, { ...current, spec: lease.spec });
    }
  };
  const loop = (async () => {
    while (running) {
      for (const name of [...alive]) await renew(name).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return { stop: async () => ((running = false), await loop) };
}

describe('node lifecycle controller', { timeout: 60_000 }, () => {
  let c: TestCluster;
  let client: RestClient;
  const alive = new Set(['node-1', 'node-lost']);
  let beats: ReturnType<typeof heartbeats>;

  before(async () => {
    c = await startTestCluster({ controllers: [FAST], driver: { nodes: ['node-1'] } });
    client = c.client;
    beats = heartbeats(client, alive);
    // node-lost is a node the PodDriver does not drive: its pods' status is the test's to write.
    await c.driver!.ensureNode('node-lost');
  });
  after(async () => {
    await beats?.stop();
    await c?.stop();
  });

  const node = (name: string) => client.get<Node>({ ...NODES, name });
  const taints = async (name: string): Promise<string[]> => ((await node(name)).spec?.taints ?? []).map((t: Taint) => `${t.key}:${t.effect}`).sort();
  const ready = async (name: string) => (await node(name)).status?.conditions?.find((x) => x.type === 'Ready');
  const getPod = (name: string) => client.get<Pod>({ ...PODS, namespace: 'default', name });

  async function runningPod(name: string, tolerations: object[]): Promise<Pod> {
    const created = await client.create<Pod>({ ...PODS, namespace: 'default' }, {
      apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: 'node-lost', containers: [{ name: 'c', image: 'nginx' }], tolerations },
    } as KubeObject as Pod);
    return client.updateStatus<Pod>({ ...PODS, namespace: 'default' }, { ...created, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } });
  }

  it('a node that stops renewing its Lease goes Unknown, is tainted, its pods go; renewal brings it back', async () => {
    const victim = await runningPod('victim', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 }]);
    const stayer = await runningPod('stayer', []);
    assert.deepEqual(stayer.spec?.['tolerations'], [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ], 'DefaultTolerationSeconds added both');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await ready('node-lost'))?.status, 'True', 'a renewing node stays Ready past the grace period');

    alive.delete('node-lost');
    const cond = await until('node-lost to go Unknown', async () => {
      const r = await ready('node-lost');
      return r?.status === 'Unknown' ? r : undefined;
    }, 10_000);
    assert.deepEqual([cond.reason, cond.message], ['NodeStatusUnknown', 'Kubelet stopped posting node status.']);
    await until('the unreachable taints', async () => {
      const t = await taints('node-lost');
      return t.includes('node.kubernetes.io/unreachable:NoExecute') && t.includes('node.kubernetes.io/unreachable:NoSchedule');
    }, 10_000);
    const added = (await node('node-lost')).spec?.taints?.find((t) => t.effect === 'NoExecute')?.timeAdded;
    assert.ok(added && Math.abs(Date.parse(added) - Date.now()) < 10_000, `timeAdded ${added}`);
    await until('the pods of node-lost to be marked not Ready', async () => (await getPod('stayer')).status?.conditions?.find((x) => x.type === 'Ready')?.status === 'False');
    await until('the 1 s pod to be evicted', async () => {
      try {
        const p = await getPod('victim');
        return p.metadata.uid !== victim.metadata.uid;
      } catch {
        return true;
      }
    }, 10_000);
    const events = (await client.list<KubeObject>({ ...EVENTS, namespace: 'default' })).items;
    assert.ok(events.some((e) => e['reason'] === 'TaintManagerEviction' && e['message'] === 'Marking for deletion Pod default/victim'));

    alive.add('node-lost');
    await c.driver!.ensureNode('node-lost');
    await until('node-lost Ready and untainted', async () => (await ready('node-lost'))?.status === 'True' && (await taints('node-lost')).length === 0, 10_000);
    assert.ok(await getPod('stayer'), 'the 300 s pod outlived the outage');
    assert.deepEqual(await taints('node-1'), [], 'the healthy node was never touched');
  });

  it('cordon adds node.kubernetes.io/unschedulable:NoSchedule, uncordon removes it', async () => {
    await client.patch({ ...NODES, name: 'node-1' }, 'merge', { spec: { unschedulable: true } });
    await until('the unschedulable taint', async () => (await taints('node-1')).includes('node.kubernetes.io/unschedulable:NoSchedule'));
    await client.patch({ ...NODES, name: 'node-1' }, 'merge', { spec: { unschedulable: null } });
    await until('the taint to go', async () => (await taints('node-1')).length === 0);
  });
});
