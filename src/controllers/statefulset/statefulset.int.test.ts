// The StatefulSet controller against a real in-process API server, with the PodDriver playing
// scheduler and kubelets (pods turn Ready 300 ms after Running): OrderedReady creation order
// (observed through a watch), scale-down from the highest ordinal, claims from
// volumeClaimTemplates and their retention policy (with the garbage collector removing what the
// policy hands over), revisions and a partitioned rolling update, Parallel management, recreation
// of failed pods, status and Events.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../api/types.ts';
import type { RestClient } from '../../client/index.ts';
import { exists, startTestCluster, until, type TestCluster } from '../../../test/support/cluster.ts';
import { NEVER_READY } from '../../../test/support/pod-driver.ts';
import type { ControllerRevision } from '../history/index.ts';
import { CONTROLLER_REVISIONS, isPodReady, PERSISTENT_VOLUME_CLAIMS, PODS, STATEFUL_SETS, type Pod } from '../util/index.ts';
import type { PersistentVolumeClaim, StatefulSet } from './types.ts';

const NS = 'default';
const EVENTS = { group: '', version: 'v1', resource: 'events' } as const;

interface SetOptions {
  replicas: number;
  policy?: 'OrderedReady' | 'Parallel';
  partition?: number;
  claims?: boolean;
  whenScaled?: 'Retain' | 'Delete';
  whenDeleted?: 'Retain' | 'Delete';
  annotations?: Record<string, string>;
  image?: string;
}

const statefulSet = (name: string, o: SetOptions): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name },
  spec: {
    replicas: o.replicas,
    serviceName: name,
    ...(o.policy ? { podManagementPolicy: o.policy } : {}),
    ...(o.partition !== undefined ? { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: o.partition } } } : {}),
    ...(o.whenScaled ? { persistentVolumeClaimRetentionPolicy: { whenScaled: o.whenScaled, whenDeleted: o.whenDeleted ?? 'Retain' } } : {}),
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name }, ...(o.annotations ? { annotations: o.annotations } : {}) },
      spec: { containers: [{ name: 'c', image: o.image ?? 'nginx:1', ...(o.claims ? { volumeMounts: [{ name: 'data', mountPath: '/data' }] } : {}) }] },
    },
    ...(o.claims ? { volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] } : {}),
  },
});

const getSet = (client: RestClient, name: string): Promise<StatefulSet> => client.get<StatefulSet>({ ...STATEFUL_SETS, namespace: NS, name });
const podsOf = async (client: RestClient, name: string): Promise<Pod[]> => (await client.list<Pod>({ ...PODS, namespace: NS }, { labelSelector: `app=${name}` })).items;
const names = (pods: Pod[]): string[] => pods.map((p) => p.metadata.name ?? '').sort();
const live = (pods: Pod[]): Pod[] => pods.filter((p) => !p.metadata.deletionTimestamp);
const revisionLabel = (p: Pod): string | undefined => p.metadata.labels?.['controller-revision-hash'];
const image = (p: Pod): string | undefined => (p.spec?.['containers'] as { image?: string }[] | undefined)?.[0]?.image;

/** Records pod watch events of one namespace in the background. */
function recordPods(client: RestClient) {
  const ac = new AbortController();
  const events: { type: string; pod: Pod }[] = [];
  const done = (async () => {
    try {
      for await (const e of client.watch<Pod>({ ...PODS, namespace: NS }, { signal: ac.signal })) if (e.type !== 'ERROR' && e.type !== 'BOOKMARK') events.push({ type: e.type, pod: e.object });
    } catch {
      /* aborted */
    }
  })();
  return { events, stop: async () => (ac.abort(), await done) };
}

/** Records claim watch events of the namespace in the background. */
function recordClaims(client: RestClient) {
  const ac = new AbortController();
  const events: PersistentVolumeClaim[] = [];
  const done = (async () => {
    try {
      for await (const e of client.watch<PersistentVolumeClaim>({ ...PERSISTENT_VOLUME_CLAIMS, namespace: NS }, { signal: ac.signal })) if (e.type !== 'ERROR' && e.type !== 'BOOKMARK') events.push(e.object);
    } catch {
      /* aborted */
    }
  })();
  return { events, stop: async () => (ac.abort(), await done) };
}

async function waitReady(client: RestClient, name: string, replicas: number): Promise<StatefulSet> {
  return until(`${name} to have ${replicas} ready replicas`, async () => {
    const set = await getSet(client, name);
    const s = set.status;
    return s && s.observedGeneration === set.metadata.generation && s.readyReplicas === replicas && s.replicas === replicas && s.updatedReplicas === replicas && set;
  });
}

describe('StatefulSet controller', { timeout: 120_000 }, () => {
  let c: TestCluster;
  let client: RestClient;

  before(async () => {
    c = await startTestCluster({ controllers: ['statefulset', 'garbagecollector'], driver: { readyDelayMs: 300 } });
    client = c.client;
  });
  after(async () => {
    await c?.stop();
  });

  it('OrderedReady creates web-1 only once web-0 is Ready, with stable identity, claims and Events', async () => {
    const rec = recordPods(client);
    await client.create({ ...STATEFUL_SETS, namespace: NS }, statefulSet('web', { replicas: 3, claims: true }));
    const set = await waitReady(client, 'web', 3);
    await rec.stop();

    // Each pod appeared only after every lower ordinal had been reported Ready.
    const readySeen = new Set<string>();
    const order: string[] = [];
    for (const { type, pod } of rec.events) {
      const name = pod.metadata.name ?? '';
      if (type === 'ADDED') {
        const ordinal = Number(name.split('-').pop());
        for (let lower = 0; lower < ordinal; lower++) assert.ok(readySeen.has(`web-${lower}`), `${name} was created before web-${lower} was Ready`);
        order.push(name);
      }
      if (isPodReady(pod)) readySeen.add(name);
    }
    assert.deepEqual(order, ['web-0', 'web-1', 'web-2']);

    const pods = await podsOf(client, 'web');
    for (const pod of pods) {
      const name = pod.metadata.name ?? '';
      assert.equal(pod.metadata.labels?.['statefulset.kubernetes.io/pod-name'], name);
      assert.equal(pod.metadata.labels?.['apps.kubernetes.io/pod-index'], name.split('-').pop());
      assert.equal(revisionLabel(pod), set.status?.updateRevision);
      assert.equal(pod.spec?.['hostname'], name);
      assert.equal(pod.spec?.['subdomain'], 'web');
      assert.deepEqual(pod.spec?.['volumes'], [{ name: 'data', persistentVolumeClaim: { claimName: `data-${name}` } }]);
    }
    const claims = (await client.list<PersistentVolumeClaim>({ ...PERSISTENT_VOLUME_CLAIMS, namespace: NS })).items.filter((p) => p.metadata.name?.includes('-web-'));
    assert.deepEqual(claims.map((p) => p.metadata.name).sort(), ['data-web-0', 'data-web-1', 'data-web-2']);
    assert.deepEqual(claims[0]?.metadata.labels, { app: 'web' });
    assert.equal(claims[0]?.metadata.ownerReferences, undefined, 'Retain: the claims have no owners');

    const s = set.status!;
    assert.equal(s.currentRevision, s.updateRevision);
    assert.deepEqual([s.replicas, s.readyReplicas, s.currentReplicas, s.updatedReplicas, s.availableReplicas], [3, 3, 3, 3, 3]);
    const revisions = (await client.list<ControllerRevision>({ ...CONTROLLER_REVISIONS, namespace: NS }, { labelSelector: 'app=web' })).items;
    assert.deepEqual(revisions.map((r) => [r.metadata.name, r.revision]), [[s.updateRevision, 1]]);
    assert.equal(revisions[0]?.metadata.name, `web-${revisions[0]?.metadata.labels?.['controller.kubernetes.io/hash']}`);
    assert.equal(revisions[0]?.metadata.ownerReferences?.[0]?.uid, set.metadata.uid);

    const events = (await client.list<KubeObject & { reason?: string; message?: string }>({ ...EVENTS, namespace: NS })).items;
    const messages = events.filter((e) => e.reason === 'SuccessfulCreate').map((e) => e.message);
    assert.ok(messages.includes('create Pod web-0 in StatefulSet web successful'), messages.join('\n'));
    assert.ok(messages.includes('create Claim data-web-0 Pod web-0 in StatefulSet web success'), messages.join('\n'));
  });

  it('scales down from the highest ordinal, one at a time, and keeps the claims (whenScaled: Retain)', async () => {
    const rec = recordPods(client);
    await client.patch({ ...STATEFUL_SETS, namespace: NS, name: 'web' }, 'merge', { spec: { replicas: 1 } });
    await until('web to have one pod', async () => names(await podsOf(client, 'web')).join() === 'web-0');
    await rec.stop();
    const deletions = rec.events.filter((e) => e.type === 'DELETED').map((e) => e.pod.metadata.name);
    assert.deepEqual(deletions, ['web-2', 'web-1']);
    // web-1 was not marked for deletion before web-2 was gone.
    const web2Gone = rec.events.findIndex((e) => e.type === 'DELETED' && e.pod.metadata.name === 'web-2');
    const web1Terminating = rec.events.findIndex((e) => e.pod.metadata.name === 'web-1' && !!e.pod.metadata.deletionTimestamp);
    assert.ok(web2Gone >= 0 && web1Terminating > web2Gone, 'web-1 terminated after web-2 was deleted');
    const claims = (await client.list<PersistentVolumeClaim>({ ...PERSISTENT_VOLUME_CLAIMS, namespace: NS })).items.map((p) => p.metadata.name);
    for (const n of ['data-web-0', 'data-web-1', 'data-web-2']) assert.ok(claims.includes(n), `${n} kept`);
    await waitReady(client, 'web', 1);
  });

  it('rolls out a new template only to ordinals at or above the partition, then to all', async () => {
    await client.patch({ ...STATEFUL_SETS, namespace: NS, name: 'web' }, 'merge', { spec: { replicas: 3, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } } });
    const before = await waitReady(client, 'web', 3);
    const oldRevision = before.status?.updateRevision;
    await client.patch({ ...STATEFUL_SETS, namespace: NS, name: 'web' }, 'strategic', { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:2' }] } } } });
    const partial = await until('web-2 to be updated', async () => {
      const set = await getSet(client, 'web');
      const s = set.status;
      return s && s.observedGeneration === set.metadata.generation && s.updatedReplicas === 1 && s.readyReplicas === 3 && set;
    });
    const newRevision = partial.status?.updateRevision;
    assert.notEqual(newRevision, oldRevision);
    assert.equal(partial.status?.currentRevision, oldRevision, 'a partitioned rollout leaves the current revision');
    const pods = live(await podsOf(client, 'web'));
    const byName = new Map(pods.map((p) => [p.metadata.name, p]));
    assert.equal(image(byName.get('web-2')!), 'nginx:2');
    assert.equal(revisionLabel(byName.get('web-2')!), newRevision);
    for (const n of ['web-0', 'web-1']) {
      assert.equal(image(byName.get(n)!), 'nginx:1', `${n} stays below the partition`);
      assert.equal(revisionLabel(byName.get(n)!), oldRevision);
    }

    await client.patch({ ...STATEFUL_SETS, namespace: NS, name: 'web' }, 'merge', { spec: { updateStrategy: { rollingUpdate: { partition: 0 } } } });
    const done = await until('all of web to be updated', async () => {
      const set = await getSet(client, 'web');
      const s = set.status;
      return s && s.observedGeneration === set.metadata.generation && s.updatedReplicas === 3 && s.readyReplicas === 3 && s.currentRevision === newRevision && set;
    });
    assert.equal(done.status?.currentReplicas, 3);
    for (const p of live(await podsOf(client, 'web'))) assert.equal(image(p), 'nginx:2');
    const revisions = (await client.list<ControllerRevision>({ ...CONTROLLER_REVISIONS, namespace: NS }, { labelSelector: 'app=web' })).items;
    assert.deepEqual(revisions.map((r) => [r.metadata.name, r.revision]).sort((a, b) => Number(a[1]) - Number(b[1])), [[oldRevision, 1], [newRevision, 2]]);
  });

  it('Parallel creates every pod at once, without waiting for readiness', async () => {
    await client.create({ ...STATEFUL_SETS, namespace: NS }, statefulSet('par', { replicas: 3, policy: 'Parallel', annotations: { [NEVER_READY]: 'true' } }));
    await until('three par pods', async () => names(await podsOf(client, 'par')).join() === 'par-0,par-1,par-2');
    const set = await until('par status', async () => {
      const s = await getSet(client, 'par');
      return s.status?.replicas === 3 && s;
    });
    assert.equal(set.status?.readyReplicas ?? 0, 0);
  });

  it('OrderedReady does not go past a pod that never turns Ready', async () => {
    await client.create({ ...STATEFUL_SETS, namespace: NS }, statefulSet('slow', { replicas: 2, annotations: { [NEVER_READY]: 'true' } }));
    await until('slow-0 Running', async () => (await podsOf(client, 'slow')).some((p) => p.status?.phase === 'Running'));
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual(names(await podsOf(client, 'slow')), ['slow-0']);
  });

  it('recreates a failed pod under the same name', async () => {
    const [old] = (await podsOf(client, 'web')).filter((p) => p.metadata.name === 'web-0');
    assert.ok(old);
    await client.updateStatus({ ...PODS, namespace: NS }, { ...old, status: { ...old.status, phase: 'Failed' } });
    const fresh = await until('web-0 to be recreated', async () => {
      const p = (await podsOf(client, 'web')).find((x) => x.metadata.name === 'web-0');
      return p && p.metadata.uid !== old.metadata.uid && p;
    });
    assert.equal(fresh.metadata.labels?.['statefulset.kubernetes.io/pod-name'], 'web-0');
    await waitReady(client, 'web', 3);
  });

  it('retention policy Delete: claims owned by the set, a scaled-down pod\'s by the pod, and collected with them', async () => {
    await client.create({ ...STATEFUL_SETS, namespace: NS }, statefulSet('db', { replicas: 2, claims: true, whenScaled: 'Delete', whenDeleted: 'Delete' }));
    const set = await waitReady(client, 'db', 2);
    const db1 = (await podsOf(client, 'db')).find((p) => p.metadata.name === 'db-1')!;
    const claimRef = (name: string) => ({ ...PERSISTENT_VOLUME_CLAIMS, namespace: NS, name });
    const setRef = [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: set.metadata.uid }];
    for (const n of ['data-db-0', 'data-db-1']) {
      assert.deepEqual(await until(`${n} owned by the set`, async () => (await client.get(claimRef(n))).metadata.ownerReferences), setRef);
    }

    const rec = recordClaims(client);
    await client.patch({ ...STATEFUL_SETS, namespace: NS, name: 'db' }, 'merge', { spec: { replicas: 1 } });
    await until('db-1 to go', async () => names(await podsOf(client, 'db')).join() === 'db-0');
    await until('data-db-1 to be collected with db-1', async () => !(await exists(client, claimRef('data-db-1'))));
    await rec.stop();
    const handedOver = rec.events.find((e) => e.metadata.name === 'data-db-1' && e.metadata.ownerReferences?.some((r) => r.kind === 'Pod'));
    assert.deepEqual(handedOver?.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Pod', name: 'db-1', uid: db1.metadata.uid }], 'the scaled-down pod alone owned its claim');
    assert.deepEqual((await client.get(claimRef('data-db-0'))).metadata.ownerReferences, setRef);

    // Scaling up again makes a fresh claim for the ordinal.
    await client.patch({ ...STATEFUL_SETS, namespace: NS, name: 'db' }, 'merge', { spec: { replicas: 2 } });
    await waitReady(client, 'db', 2);
    assert.deepEqual((await client.get(claimRef('data-db-1'))).metadata.ownerReferences, setRef);

    await client.delete({ ...STATEFUL_SETS, namespace: NS, name: 'db' });
    for (const n of ['data-db-0', 'data-db-1']) await until(`${n} to be collected with the set`, async () => !(await exists(client, claimRef(n))));
  });
});
