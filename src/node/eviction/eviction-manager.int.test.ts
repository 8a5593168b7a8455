// The eviction manager against a real API server with an injected stats summary: under memory
// pressure the pod using most above its request is failed as Evicted with the kubelet's message
// and an Event, the node gets the memory-pressure taint; without pressure nothing is evicted and
// the taint goes.

import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../api/types.ts';
import { EventRecorder, FakeClock } from '../../client/index.ts';
import { startTestCluster, type TestCluster } from '../../../test/support/cluster.ts';
import type { Summary, SummarySource } from '../stats/index.ts';
import { EvictionManager } from './eviction-manager.ts';
import { parseEvictionHard } from './thresholds.ts';

const MI = 1024 * 1024;
const T = '2026-01-01T00:00:00Z';

class FakeStats implements SummarySource {
  availableMemory = 4096 * MI;
  usage = new Map<string, { uid: string; ws: number }>();
  async summary(): Promise<Summary> {
    return {
      node: { nodeName: 'n1', startTime: T, memory: { time: T, availableBytes: this.availableMemory, workingSetBytes: 4096 * MI }, fs: { time: T, availableBytes: 500, capacityBytes: 1000 } },
      pods: [...this.usage].map(([name, u]) => ({
        podRef: { name, namespace: 'default', uid: u.uid },
        startTime: T,
        containers: [{ name: 'app', startTime: T, memory: { time: T, workingSetBytes: u.ws } }],
        memory: { time: T, workingSetBytes: u.ws },
      })),
    };
  }
}

describe('EvictionManager (integration)', () => {
  let c: TestCluster;
  const stats = new FakeStats();
  let manager: EvictionManager;
  const clock = new FakeClock(Date.now());

  before(async () => {
    c = await startTestCluster({ controllers: [], driver: false });
    await c.client.create({ group: '', version: 'v1', resource: 'nodes' }, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
    for (const [name, request, ws] of [['small', '100Mi', 50 * MI], ['hog', '64Mi', 600 * MI], ['medium', '64Mi', 200 * MI]] as const) {
      const p: KubeObject = await c.client.create<KubeObject>({ group: '', version: 'v1', resource: 'pods', namespace: 'default' }, {
        apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
        spec: { nodeName: 'n1', containers: [{ name: 'app', image: 'busybox', resources: { requests: { memory: request } } }] },
      });
      stats.usage.set(name, { uid: p.metadata.uid ?? '', ws });
    }
    manager = new EvictionManager({
      nodeName: 'n1',
      client: c.client,
      stats,
      thresholds: parseEvictionHard('memory.available<100Mi,nodefs.available<10%'),
      clock,
      pressureTransitionPeriodMs: 60_000,
      recorder: new EventRecorder(c.client, { source: { component: 'kubelet', host: 'n1' } }),
    });
  });
  after(() => c.stop());

  it('evicts nothing and sets no taint while memory is plentiful', async () => {
    const out = await manager.synchronize();
    assert.equal(out.evicted, undefined);
    const node = await c.client.get<{ apiVersion: string; kind: string; metadata: object; spec?: { taints?: unknown[] } }>({ group: '', version: 'v1', resource: 'nodes', name: 'n1' });
    assert.equal(node.spec?.taints, undefined);
  });

  it('under memory pressure fails the pod most over its request, with the kubelet message, an Event and the taint', async () => {
    stats.availableMemory = 90 * MI;
    const out = await manager.synchronize();
    assert.equal(out.evicted, 'default/hog');
    const hog = await c.client.get<{ apiVersion: string; kind: string; metadata: object; status?: { phase?: string; reason?: string; message?: string; conditions?: { type: string; reason?: string }[] } }>({ group: '', version: 'v1', resource: 'pods', namespace: 'default', name: 'hog' });
    assert.equal(hog.status?.phase, 'Failed');
    assert.equal(hog.status?.reason, 'Evicted');
    assert.equal(hog.status?.message, 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 90Mi. Container app was using 600Mi, request is 64Mi, has larger consumption of memory. ');
    assert.equal(hog.status?.conditions?.find((x) => x.type === 'DisruptionTarget')?.reason, 'TerminationByKubelet');
    const node = await c.client.get<{ apiVersion: string; kind: string; metadata: object; spec?: { taints?: { key: string; effect: string }[] } }>({ group: '', version: 'v1', resource: 'nodes', name: 'n1' });
    assert.deepEqual(node.spec?.taints, [{ key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' }]);
    const events = await c.client.list({ group: '', version: 'v1', resource: 'events', namespace: 'default' });
    assert.ok(events.items.some((e) => (e as { reason?: string; involvedObject?: { name?: string } }).reason === 'Evicted' && (e as { involvedObject?: { name?: string } }).involvedObject?.name === 'hog'));

    // The next cycle, still under pressure, takes the next pod (a Failed pod is no candidate).
    assert.equal((await manager.synchronize()).evicted, 'default/medium');
    stats.availableMemory = 2048 * MI;
    assert.equal((await manager.synchronize()).evicted, undefined);
    const held = await c.client.get<{ apiVersion: string; kind: string; metadata: object; spec?: { taints?: unknown[] } }>({ group: '', version: 'v1', resource: 'nodes', name: 'n1' });
    assert.equal(held.spec?.taints?.length, 1, 'the taint outlives the pressure for the transition period');
    await clock.advance(61_000);
    await manager.synchronize();
    const after = await c.client.get<{ apiVersion: string; kind: string; metadata: object; spec?: { taints?: unknown[] } }>({ group: '', version: 'v1', resource: 'nodes', name: 'n1' });
    assert.deepEqual(after.spec?.taints ?? [], []);
  });
});
