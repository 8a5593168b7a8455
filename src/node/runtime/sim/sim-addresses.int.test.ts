// Two simulators against one API server (as two `strata sim` processes would be) never hand out
// the same pod range, node InternalIP or pod IP: each starts at an offset derived from its prefix
// and walks past the addresses Nodes already hold. A restarted simulator keeps its nodes' addresses.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestCluster, until, type TestCluster } from '../../../../test/support/cluster.ts';
import { internalIpOf } from './address-plan.ts';
import { SimCluster } from './sim-cluster.ts';
import { NODES, PODS, type Node, type Pod } from './types.ts';

const NS = 'default';
const pod = (name: string, nodeName: string): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS },
  spec: { nodeName, containers: [{ name: 'app', image: 'pause' }] },
});

describe('two simulators against one server', { timeout: 90_000 }, () => {
  let cluster: TestCluster;
  const sims: SimCluster[] = [];

  before(async () => {
    cluster = await startTestCluster({ controllers: [], driver: false });
  });
  after(async () => {
    for (const s of sims) await s.stop();
    await cluster?.stop();
  });

  test('nodes and pods get disjoint addresses, also when both simulators would start in the same block', async () => {
    // 'alpha-' hashes to its own block; the second one is forced onto it (the flag's worst case).
    const first = new SimCluster({ nodes: 6, prefix: 'alpha-' }, { client: cluster.client });
    sims.push(first);
    await first.start();
    const second = new SimCluster({ nodes: 6, prefix: 'beta-', addressOffset: first.config.addressOffset }, { client: cluster.client });
    sims.push(second);
    await second.start();
    const third = new SimCluster({ nodes: 6, prefix: 'gamma-' }, { client: cluster.client });
    sims.push(third);
    await third.start();

    const nodes = (await cluster.client.list<Node>(NODES)).items.filter((n) => /^(alpha|beta|gamma)-/.test(n.metadata.name ?? ''));
    assert.equal(nodes.length, 18);
    assert.equal(new Set(nodes.map((n) => n.spec?.podCIDR)).size, 18, 'pod ranges are disjoint');
    assert.equal(new Set(nodes.map((n) => internalIpOf(n))).size, 18, 'InternalIPs are disjoint');

    const names = [...first.nodeNames(), ...second.nodeNames(), ...third.nodeNames()];
    for (const [i, nodeName] of names.entries()) {
      for (const k of [0, 1]) await cluster.client.create({ ...PODS, namespace: NS }, pod(`p-${i}-${k}`, nodeName));
    }
    let pods: Pod[] = [];
    await until('36 pods Running with an IP', async () => {
      pods = (await cluster.client.list<Pod>({ ...PODS, namespace: NS })).items.filter((p) => p.metadata.name?.startsWith('p-'));
      return pods.length === 36 && pods.every((p) => p.status?.phase === 'Running' && p.status.podIP);
    }, 30_000);
    assert.equal(new Set(pods.map((p) => p.status?.podIP)).size, 36, 'pod IPs are disjoint');
  });

  test('a restarted simulator keeps its nodes’ addresses', async () => {
    const before = (await cluster.client.list<Node>(NODES)).items.filter((n) => n.metadata.name?.startsWith('gamma-'));
    await sims.pop()!.stop();
    const again = new SimCluster({ nodes: 6, prefix: 'gamma-' }, { client: cluster.client });
    sims.push(again);
    await again.start();
    for (const n of before) {
      const view = again.node(n.metadata.name!);
      assert.equal(view?.podCIDR, n.spec?.podCIDR);
    }
    const afterRestart = (await cluster.client.list<Node>(NODES)).items.filter((n) => n.metadata.name?.startsWith('gamma-'));
    assert.deepEqual(afterRestart.map((n) => internalIpOf(n)).sort(), before.map((n) => internalIpOf(n)).sort());
  });
});
