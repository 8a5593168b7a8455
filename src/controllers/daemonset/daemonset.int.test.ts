// The DaemonSet controller against a real in-process API server, with the PodDriver playing
// scheduler and kubelets on fake nodes: one pod per node (pinned by node affinity), a node added,
// NoSchedule and NoExecute taints, nodeSelector, rolling updates with maxUnavailable (watched
// all along) and with maxSurge, revisions and a rollback, OnDelete, failed pods, status.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../api/types.ts';
import type { RestClient } from '../../client/index.ts';
import { startTestCluster, until, type TestCluster } from '../../../test/support/cluster.ts';
import type { ControllerRevision } from '../history/index.ts';
import { CONTROLLER_REVISIONS, DAEMON_SETS, isPodReady, NODES, PODS, type Pod } from '../util/index.ts';
import type { DaemonSet, DaemonSetSpec, Toleration } from './types.ts';

const NS = 'default';
const EVENTS = { group: '', version: 'v1', resource: 'events' } as const;

const daemonSet = (name: string, spec: Partial<DaemonSetSpec> & { nodeSelector?: Record<string, string> } = {}, image = 'fluentd:1'): KubeObject => {
  const { nodeSelector, ...rest } = spec;
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { ...(nodeSelector ? { nodeSelector } : {}), containers: [{ name: 'c', image }] } },
      ...rest,
    },
  };
};

const getDs = (client: RestClient, name: string): Promise<DaemonSet> => client.get<DaemonSet>({ ...DAEMON_SETS, namespace: NS, name });
const podsOf = async (client: RestClient, name: string): Promise<Pod[]> => (await client.list<Pod>({ ...PODS, namespace: NS }, { labelSelector: `app=${name}` })).items;
const live = (pods: Pod[]): Pod[] => pods.filter((p) => !p.metadata.deletionTimestamp);
const nodesOf = (pods: Pod[]): string[] => live(pods).map((p) => p.spec?.nodeName ?? '?').sort();
const image = (p: Pod): string | undefined => (p.spec?.['containers'] as { image?: string }[] | undefined)?.[0]?.image;
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until status reports `n` nodes wanted, scheduled, ready, updated and available for the current generation. */
async function settled(client: RestClient, name: string, n: number): Promise<DaemonSet> {
  return until(`${name} to settle on ${n} nodes`, async () => {
    const ds = await getDs(client, name);
    const s = ds.status;
    const ok = s && s.observedGeneration === ds.metadata.generation && s.desiredNumberScheduled === n && s.currentNumberScheduled === n &&
      s.numberReady === n && s.updatedNumberScheduled === n && s.numberAvailable === n && (s.numberMisscheduled ?? 0) === 0;
    return ok && nodesOf(await podsOf(client, name)).length === n && ds;
  });
}

async function setTaints(client: RestClient, node: string, taints: { key: string; effect: string; value?: string }[]): Promise<void> {
  await client.patch({ ...NODES, name: node }, 'merge', { spec: { taints: taints.length ? taints : null } });
}

/** Records, from a pod watch, the most nodes ever without a ready, non-terminating pod of `app`, and the most pods on one node. */
function watchAvailability(client: RestClient, app: string, nodes: string[]) {
  const ac = new AbortController();
  const pods = new Map<string, Pod>();
  let maxUnavailable = 0;
  let maxPerNode = 0;
  const done = (async () => {
    try {
      for await (const e of client.watch<Pod>({ ...PODS, namespace: NS }, { signal: ac.signal, labelSelector: `app=${app}` })) {
        if (e.type === 'ERROR' || e.type === 'BOOKMARK') continue;
        if (e.type === 'DELETED') pods.delete(e.object.metadata.name ?? '');
        else pods.set(e.object.metadata.name ?? '', e.object);
        const all = [...pods.values()];
        const up = new Set(all.filter((p) => isPodReady(p) && !p.metadata.deletionTimestamp).map((p) => p.spec?.nodeName));
        maxUnavailable = Math.max(maxUnavailable, nodes.filter((n) => !up.has(n)).length);
        for (const n of nodes) maxPerNode = Math.max(maxPerNode, all.filter((p) => p.spec?.nodeName === n && !p.metadata.deletionTimestamp).length);
      }
    } catch {
      /* aborted */
    }
  })();
  return { stop: async () => (ac.abort(), await done, { maxUnavailable, maxPerNode }), reset: () => ((maxUnavailable = 0), (maxPerNode = 0)) };
}

describe('DaemonSet controller', { timeout: 120_000 }, () => {
  let c: TestCluster;
  let client: RestClient;

  before(async () => {
    c = await startTestCluster({ controllers: ['daemonset'] });
    client = c.client;
  });
  after(async () => {
    await c?.stop();
  });

  it('runs one pod per node, pinned by node affinity, and follows a new node', async () => {
    await client.create({ ...DAEMON_SETS, namespace: NS }, daemonSet('fluentd'));
    const ds = await settled(client, 'fluentd', 3);
    assert.deepEqual(nodesOf(await podsOf(client, 'fluentd')), ['node-1', 'node-2', 'node-3']);
    const [pod] = await podsOf(client, 'fluentd');
    const spec = pod!.spec as { affinity?: unknown; tolerations?: Toleration[] };
    assert.deepEqual(spec.affinity, { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [pod!.spec?.nodeName] }] }] } } });
    assert.deepEqual(spec.tolerations?.map((t) => `${t.key}:${t.effect}`), [
      'node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/disk-pressure:NoSchedule',
      'node.kubernetes.io/memory-pressure:NoSchedule', 'node.kubernetes.io/pid-pressure:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule',
    ]);
    const revisions = (await client.list<ControllerRevision>({ ...CONTROLLER_REVISIONS, namespace: NS }, { labelSelector: 'app=fluentd' })).items;
    assert.equal(revisions.length, 1);
    assert.equal(revisions[0]?.revision, 1);
    const hash = revisions[0]?.metadata.labels?.['controller-revision-hash'];
    assert.equal(revisions[0]?.metadata.name, `fluentd-${hash}`);
    assert.equal(pod!.metadata.labels?.['controller-revision-hash'], hash);
    assert.equal(pod!.metadata.labels?.['pod-template-generation'], String(ds.metadata.generation));
    const events = (await client.list<KubeObject & { reason?: string; message?: string }>({ ...EVENTS, namespace: NS })).items;
    assert.ok(events.some((e) => e.reason === 'SuccessfulCreate' && e.message === `Created pod: ${pod!.metadata.name}`));

    c.driver!.nodes.push('node-4');
    await c.driver!.ensureNode('node-4');
    await settled(client, 'fluentd', 4);
    assert.deepEqual(nodesOf(await podsOf(client, 'fluentd')), ['node-1', 'node-2', 'node-3', 'node-4']);
  });

  it('keeps off untolerated NoSchedule taints, and leaves nodes with untolerated NoExecute taints', async () => {
    // NoSchedule on node-4: the pod already there may stay (misscheduled), but is not replaced.
    await setTaints(client, 'node-4', [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]);
    await until('node-4 counted misscheduled', async () => {
      const s = (await getDs(client, 'fluentd')).status;
      return s?.desiredNumberScheduled === 3 && s.numberMisscheduled === 1;
    });
    const onNode4 = live(await podsOf(client, 'fluentd')).find((p) => p.spec?.nodeName === 'node-4')!;
    await client.delete({ ...PODS, namespace: NS, name: onNode4.metadata.name ?? '' });
    await until('the pod on node-4 to go', async () => !nodesOf(await podsOf(client, 'fluentd')).includes('node-4'));
    await settled(client, 'fluentd', 3);
    await pause(500);
    assert.deepEqual(nodesOf(await podsOf(client, 'fluentd')), ['node-1', 'node-2', 'node-3'], 'no new pod on the NoSchedule node');

    // A node created tainted never gets one; a tolerated taint does not matter.
    c.driver!.nodes.push('node-5');
    await client.create(NODES, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-5' }, spec: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] } });
    await c.driver!.ensureNode('node-5');
    await setTaints(client, 'node-1', [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]);
    // NoExecute on node-3: its pod is deleted.
    await setTaints(client, 'node-3', [{ key: 'maintenance', effect: 'NoExecute' }]);
    await until('the pod on node-3 to go', async () => nodesOf(await podsOf(client, 'fluentd')).join() === 'node-1,node-2');
    await settled(client, 'fluentd', 2);

    for (const n of ['node-1', 'node-3', 'node-4']) await setTaints(client, n, []);
    await client.delete({ ...NODES, name: 'node-5' });
    await settled(client, 'fluentd', 4);
  });

  it('honours nodeSelector as node labels change', async () => {
    await client.create({ ...DAEMON_SETS, namespace: NS }, daemonSet('ssd', { nodeSelector: { disk: 'ssd' } }));
    await until('ssd status', async () => (await getDs(client, 'ssd')).status?.observedGeneration === 1);
    assert.deepEqual(nodesOf(await podsOf(client, 'ssd')), []);
    await client.patch({ ...NODES, name: 'node-2' }, 'merge', { metadata: { labels: { disk: 'ssd' } } });
    await settled(client, 'ssd', 1);
    assert.deepEqual(nodesOf(await podsOf(client, 'ssd')), ['node-2']);
    await client.patch({ ...NODES, name: 'node-2' }, 'merge', { metadata: { labels: { disk: null } } });
    await until('the ssd pod to go', async () => nodesOf(await podsOf(client, 'ssd')).length === 0);
    await client.delete({ ...DAEMON_SETS, namespace: NS, name: 'ssd' });
  });

  it('rolls a new template out one node at a time (maxUnavailable 1), and rolls back to the old revision', async () => {
    const nodes = ['node-1', 'node-2', 'node-3', 'node-4'];
    await client.create({ ...DAEMON_SETS, namespace: NS }, daemonSet('roll', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } } }));
    await settled(client, 'roll', 4);
    const w = watchAvailability(client, 'roll', nodes);
    await pause(100);
    w.reset();
    await client.patch({ ...DAEMON_SETS, namespace: NS, name: 'roll' }, 'strategic', { spec: { template: { spec: { containers: [{ name: 'c', image: 'fluentd:2' }] } } } });
    await settled(client, 'roll', 4);
    const seen = await w.stop();
    assert.equal(seen.maxUnavailable, 1, 'exactly one node at a time was without a ready pod');
    assert.deepEqual(live(await podsOf(client, 'roll')).map(image), ['fluentd:2', 'fluentd:2', 'fluentd:2', 'fluentd:2']);
    let revisions = (await client.list<ControllerRevision>({ ...CONTROLLER_REVISIONS, namespace: NS }, { labelSelector: 'app=roll' })).items;
    assert.deepEqual(revisions.map((r) => r.revision).sort(), [1, 2]);
    const first = revisions.find((r) => r.revision === 1)!;

    // Back to the first template: its revision becomes the newest instead of a new one appearing.
    await client.patch({ ...DAEMON_SETS, namespace: NS, name: 'roll' }, 'strategic', { spec: { template: { spec: { containers: [{ name: 'c', image: 'fluentd:1' }] } } } });
    await settled(client, 'roll', 4);
    revisions = (await client.list<ControllerRevision>({ ...CONTROLLER_REVISIONS, namespace: NS }, { labelSelector: 'app=roll' })).items;
    assert.deepEqual(revisions.map((r) => [r.metadata.name, r.revision]).sort((a, b) => Number(a[1]) - Number(b[1])), [[revisions.find((r) => r.revision === 2)?.metadata.name, 2], [first.metadata.name, 3]]);
    for (const p of live(await podsOf(client, 'roll'))) assert.equal(p.metadata.labels?.['controller-revision-hash'], first.metadata.labels?.['controller-revision-hash']);
    await client.delete({ ...DAEMON_SETS, namespace: NS, name: 'roll' });
  });

  it('surges a new pod beside the old one with maxSurge, never leaving a node without a ready pod', async () => {
    const nodes = ['node-1', 'node-2', 'node-3', 'node-4'];
    await client.create({ ...DAEMON_SETS, namespace: NS }, daemonSet('surge', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } }));
    await settled(client, 'surge', 4);
    const w = watchAvailability(client, 'surge', nodes);
    await pause(100);
    w.reset();
    await client.patch({ ...DAEMON_SETS, namespace: NS, name: 'surge' }, 'strategic', { spec: { template: { spec: { containers: [{ name: 'c', image: 'fluentd:2' }] } } } });
    await settled(client, 'surge', 4);
    const seen = await w.stop();
    assert.equal(seen.maxUnavailable, 0);
    assert.equal(seen.maxPerNode, 2, 'old and new pods shared a node');
    assert.deepEqual(live(await podsOf(client, 'surge')).map(image), ['fluentd:2', 'fluentd:2', 'fluentd:2', 'fluentd:2']);
    await client.delete({ ...DAEMON_SETS, namespace: NS, name: 'surge' });
  });

  it('OnDelete replaces a pod only when it is deleted', async () => {
    await client.create({ ...DAEMON_SETS, namespace: NS }, daemonSet('ondel', { updateStrategy: { type: 'OnDelete' } }));
    await settled(client, 'ondel', 4);
    await client.patch({ ...DAEMON_SETS, namespace: NS, name: 'ondel' }, 'strategic', { spec: { template: { spec: { containers: [{ name: 'c', image: 'fluentd:2' }] } } } });
    const ds = await until('the update observed', async () => {
      const d = await getDs(client, 'ondel');
      return d.status?.observedGeneration === d.metadata.generation && d;
    });
    await pause(500);
    assert.deepEqual(live(await podsOf(client, 'ondel')).map(image), ['fluentd:1', 'fluentd:1', 'fluentd:1', 'fluentd:1']);
    assert.equal((await getDs(client, 'ondel')).status?.updatedNumberScheduled, 0);
    const victim = live(await podsOf(client, 'ondel')).find((p) => p.spec?.nodeName === 'node-2')!;
    await client.delete({ ...PODS, namespace: NS, name: victim.metadata.name ?? '' });
    const replacement = await until('a new pod on node-2', async () => live(await podsOf(client, 'ondel')).find((p) => p.spec?.nodeName === 'node-2' && p.metadata.uid !== victim.metadata.uid));
    assert.equal(image(replacement), 'fluentd:2');
    assert.equal(replacement.metadata.labels?.['pod-template-generation'], String(ds.metadata.generation));
    await until('one updated pod in status', async () => (await getDs(client, 'ondel')).status?.updatedNumberScheduled === 1);
    await client.delete({ ...DAEMON_SETS, namespace: NS, name: 'ondel' });
  });

  it('replaces a failed daemon pod', async () => {
    const old = live(await podsOf(client, 'fluentd')).find((p) => p.spec?.nodeName === 'node-1')!;
    await client.updateStatus({ ...PODS, namespace: NS }, { ...old, status: { ...old.status, phase: 'Failed' } });
    await until('a new pod on node-1', async () => live(await podsOf(client, 'fluentd')).some((p) => p.spec?.nodeName === 'node-1' && p.metadata.uid !== old.metadata.uid && isPodReady(p)));
    const events = (await client.list<KubeObject & { reason?: string; message?: string }>({ ...EVENTS, namespace: NS })).items;
    assert.ok(events.some((e) => e.reason === 'FailedDaemonPod' && e.message === `Found failed daemon pod default/${old.metadata.name} on node node-1, will try to kill it`));
  });
});
