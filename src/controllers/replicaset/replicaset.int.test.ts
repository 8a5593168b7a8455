// The ReplicaSet and ReplicationController controllers against a real in-process API server, with
// the PodDriver playing scheduler and kubelets: exact pod counts while scaling (sampled all along),
// Events, status, the scale subresource, adoption and release, replacement of deleted pods,
// minReadySeconds, and a ReplicationController.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../api/types.ts';
import type { RestClient } from '../../client/index.ts';
import { startTestCluster, until, type TestCluster } from '../../../test/support/cluster.ts';
import { NEVER_READY } from '../../../test/support/pod-driver.ts';
import { controllerOf, PODS, REPLICA_SETS, REPLICATION_CONTROLLERS, type Pod } from '../util/index.ts';
import type { Replicated } from './types.ts';

const NAMESPACES = { group: '', version: 'v1', resource: 'namespaces' } as const;
const EVENTS = { group: '', version: 'v1', resource: 'events' } as const;

const active = (pods: Pod[]): Pod[] => pods.filter((p) => !p.metadata.deletionTimestamp && !['Succeeded', 'Failed'].includes(p.status?.phase ?? ''));

async function listPods(client: RestClient, namespace: string, labelSelector: string): Promise<Pod[]> {
  return (await client.list<Pod>({ ...PODS, namespace }, { labelSelector })).items;
}

/** Polls the live pod count in the background; `max` is the most ever seen at once. */
function sampler(client: RestClient, namespace: string, labelSelector: string) {
  let running = true;
  let max = 0;
  const loop = (async () => {
    while (running) {
      max = Math.max(max, active(await listPods(client, namespace, labelSelector)).length);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  return {
    get max() {
      return max;
    },
    async stop() {
      running = false;
      await loop;
      return max;
    },
  };
}

const replicaSet = (name: string, replicas: number, extra: { minReadySeconds?: number; annotations?: Record<string, string> } = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name },
  spec: {
    replicas,
    ...(extra.minReadySeconds ? { minReadySeconds: extra.minReadySeconds } : {}),
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name, tier: 'web' }, ...(extra.annotations ? { annotations: extra.annotations } : {}) }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
  },
});

describe('ReplicaSet and ReplicationController controllers', { timeout: 120_000 }, () => {
  let c: TestCluster;
  let client: RestClient;
  const rsRef = (namespace: string, name?: string) => ({ ...REPLICA_SETS, namespace, ...(name ? { name } : {}) });
  const getRs = (namespace: string, name: string) => client.get<Replicated>(rsRef(namespace, name));
  const ns = async (name: string) => void (await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));

  before(async () => {
    c = await startTestCluster({ controllers: ['replicaset', 'replicationcontroller'] });
    client = c.client;
  });
  after(async () => {
    await c?.stop();
  });

  it('scales up and down to exact pod counts, never overshooting, with Events and status', async () => {
    await ns('scale');
    const watch = sampler(client, 'scale', 'app=web');
    await client.create(rsRef('scale'), replicaSet('web', 5));
    await until('5 ready replicas', async () => {
      const st = (await getRs('scale', 'web')).status;
      return st?.readyReplicas === 5 && st.availableReplicas === 5 && st.replicas === 5 && st.fullyLabeledReplicas === 5 && st.observedGeneration === 1;
    });
    // Settled: keep sampling a while to catch a late duplicate.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(active(await listPods(client, 'scale', 'app=web')).length, 5);
    assert.equal(watch.max, 5, 'never more pods than replicas');
    const pods = active(await listPods(client, 'scale', 'app=web'));
    for (const p of pods) {
      assert.equal(controllerOf(p)?.kind, 'ReplicaSet');
      assert.equal(controllerOf(p)?.name, 'web');
      assert.match(p.metadata.name ?? '', /^web-[a-z0-9]{5}$/);
    }

    // Scale down through the scale subresource, as kubectl scale does.
    await client.patch(rsRef('scale', 'web'), 'merge', { spec: { replicas: 2 } }, { subresource: 'scale' });
    await until('2 replicas', async () => (await getRs('scale', 'web')).status?.replicas === 2 && active(await listPods(client, 'scale', 'app=web')).length === 2);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(active(await listPods(client, 'scale', 'app=web')).length, 2);
    const st = (await getRs('scale', 'web')).status;
    assert.equal(st?.observedGeneration, 2);

    await client.patch(rsRef('scale', 'web'), 'merge', { spec: { replicas: 4 } });
    await until('4 ready replicas', async () => (await getRs('scale', 'web')).status?.readyReplicas === 4);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(active(await listPods(client, 'scale', 'app=web')).length, 4);
    assert.equal(await watch.stop(), 5);

    const events = (await client.list<KubeObject & { reason?: string; message?: string; source?: { component?: string } }>({ ...EVENTS, namespace: 'scale' })).items;
    const creates = events.filter((e) => e.reason === 'SuccessfulCreate');
    const deletes = events.filter((e) => e.reason === 'SuccessfulDelete');
    assert.equal(creates.length, 7, '5 + 2 creations');
    assert.equal(deletes.length, 3);
    assert.match(creates[0]?.message ?? '', /^Created pod: web-[a-z0-9]{5}$/);
    assert.match(deletes[0]?.message ?? '', /^Deleted pod: web-[a-z0-9]{5}$/);
    assert.equal(creates[0]?.source?.component, 'replicaset-controller');
  });

  it('replaces a deleted pod and prefers deleting a not-ready pod when scaling down', async () => {
    await ns('heal');
    await client.create(rsRef('heal'), replicaSet('web', 3));
    await until('3 ready', async () => (await getRs('heal', 'web')).status?.readyReplicas === 3);
    const [victim] = active(await listPods(client, 'heal', 'app=web'));
    await client.delete({ ...PODS, namespace: 'heal', name: victim?.metadata.name ?? '' });
    await until('a replacement', async () => {
      const pods = active(await listPods(client, 'heal', 'app=web'));
      return pods.length === 3 && !pods.some((p) => p.metadata.uid === victim?.metadata.uid) && (await getRs('heal', 'web')).status?.readyReplicas === 3;
    });

    // An orphan that never gets ready is adopted (4 > 3: the surplus goes), and it is the one deleted.
    await client.create({ ...PODS, namespace: 'heal' }, {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: 'laggard', labels: { app: 'web', tier: 'web' }, annotations: { [NEVER_READY]: 'true' } },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    });
    await until('the laggard deleted', async () => {
      const pods = await listPods(client, 'heal', 'app=web');
      return active(pods).length === 3 && !active(pods).some((p) => p.metadata.name === 'laggard');
    });
    assert.equal((await getRs('heal', 'web')).status?.readyReplicas, 3);
  });

  it('adopts matching orphans and releases pods whose labels stop matching', async () => {
    await ns('adopt');
    for (const name of ['orphan-a', 'orphan-b']) {
      await client.create({ ...PODS, namespace: 'adopt' }, { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'web', tier: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    }
    const rs = await client.create<Replicated>(rsRef('adopt'), replicaSet('web', 3));
    await until('3 ready replicas', async () => (await getRs('adopt', 'web')).status?.readyReplicas === 3);
    const pods = active(await listPods(client, 'adopt', 'app=web'));
    assert.equal(pods.length, 3, 'two adopted, one created');
    for (const name of ['orphan-a', 'orphan-b']) {
      const p = pods.find((x) => x.metadata.name === name);
      assert.equal(controllerOf(p!)?.uid, rs.metadata.uid, `${name} adopted`);
    }

    await client.patch({ ...PODS, namespace: 'adopt', name: 'orphan-a' }, 'merge', { metadata: { labels: { app: 'other' } } });
    await until('orphan-a released and replaced', async () => {
      const released = await client.get<Pod>({ ...PODS, namespace: 'adopt', name: 'orphan-a' });
      return !controllerOf(released) && active(await listPods(client, 'adopt', 'app=web')).length === 3;
    });
  });

  it('counts pods available only after minReadySeconds', async () => {
    await ns('minready');
    await client.create(rsRef('minready'), replicaSet('web', 2, { minReadySeconds: 2 }));
    const ready = await until('2 ready', async () => {
      const st = (await getRs('minready', 'web')).status;
      return st?.readyReplicas === 2 ? st : undefined;
    });
    assert.equal(ready.availableReplicas ?? 0, 0, 'ready pods are not yet available');
    const readyAt = Date.now();
    await until('2 available', async () => (await getRs('minready', 'web')).status?.availableReplicas === 2, 6000);
    assert.ok(Date.now() - readyAt >= 500, 'availability waited for minReadySeconds');
  });

  it('runs ReplicationControllers with a map selector', async () => {
    await ns('rc');
    const rcRef = { ...REPLICATION_CONTROLLERS, namespace: 'rc' };
    await client.create(rcRef, {
      apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'legacy' },
      spec: { replicas: 3, selector: { app: 'legacy' }, template: { metadata: { labels: { app: 'legacy' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    });
    await until('3 ready', async () => (await client.get<Replicated>({ ...rcRef, name: 'legacy' })).status?.readyReplicas === 3);
    const pods = active(await listPods(client, 'rc', 'app=legacy'));
    assert.equal(pods.length, 3);
    assert.deepEqual(pods.map((p) => controllerOf(p)?.kind), ['ReplicationController', 'ReplicationController', 'ReplicationController']);
    assert.equal(pods.map((p) => controllerOf(p)?.apiVersion)[0], 'v1');
    await client.patch({ ...rcRef, name: 'legacy' }, 'merge', { spec: { replicas: 1 } });
    await until('1 replica', async () => active(await listPods(client, 'rc', 'app=legacy')).length === 1 && (await client.get<Replicated>({ ...rcRef, name: 'legacy' })).status?.replicas === 1);
  });
});
