// The Deployment controller (with the ReplicaSet controller under it) against a real in-process API
// server and the PodDriver: a rolling update of 10 replicas sampled for its surge and availability
// bounds, Recreate never overlapping old and new pods, the progress deadline, pause/resume,
// revision history cleanup, rollback by template, proportional scaling and plain scaling.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../api/types.ts';
import type { RestClient } from '../../client/index.ts';
import { startTestCluster, until, type TestCluster } from '../../../test/support/cluster.ts';
import { NEVER_READY } from '../../../test/support/pod-driver.ts';
import type { ReplicaSet } from '../replicaset/index.ts';
import { DEPLOYMENTS, isPodReady, PODS, REPLICA_SETS, type Pod } from '../util/index.ts';
import { computeHash } from './hash.ts';
import { POD_TEMPLATE_HASH, REVISION, REVISION_HISTORY, type Deployment, type DeploymentSpec } from './types.ts';

const NAMESPACES = { group: '', version: 'v1', resource: 'namespaces' } as const;
const EVENTS = { group: '', version: 'v1', resource: 'events' } as const;
const NS = 'deploy';
const REPLICA_SETS_NS = { ...REPLICA_SETS, namespace: NS };

type Containers = { containers?: { image: string }[] } | undefined;
/** The first container image of a pod or of a ReplicaSet's template. */
const image = (obj: Pod | ReplicaSet): string => {
  const spec = obj.kind === 'Pod' || !('template' in ((obj.spec ?? {}) as object)) ? obj.spec : (obj as ReplicaSet).spec?.template?.spec;
  return (spec as Containers)?.containers?.[0]?.image ?? '';
};

function deployment(name: string, replicas: number, img: string, spec: Partial<DeploymentSpec> = {}, annotations?: Record<string, string>): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name }, ...(annotations ? { annotations } : {}) }, spec: { containers: [{ name: 'web', image: img }] } },
      ...spec,
    },
  };
}

describe('Deployment controller', { timeout: 180_000 }, () => {
  let c: TestCluster;
  let client: RestClient;
  const ref = (name?: string) => ({ ...DEPLOYMENTS, namespace: NS, ...(name ? { name } : {}) });
  const get = (name: string) => client.get<Deployment>(ref(name));
  const sets = async (name: string) => (await client.list<ReplicaSet>({ ...REPLICA_SETS, namespace: NS }, { labelSelector: `app=${name}` })).items;
  const pods = async (name: string) => (await client.list<Pod>({ ...PODS, namespace: NS }, { labelSelector: `app=${name}` })).items;
  const live = (ps: Pod[]) => ps.filter((p) => !p.metadata.deletionTimestamp);
  const setImage = (name: string, img: string) => client.patch(ref(name), 'strategic', { spec: { template: { spec: { containers: [{ name: 'web', image: img }] } } } });
  const complete = (name: string, replicas: number) =>
    until(`${name} rolled out`, async () => {
      const d = await get(name);
      const st = d.status ?? {};
      const progressing = st.conditions?.find((x) => x.type === 'Progressing');
      return (st.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) && (st.updatedReplicas ?? 0) === replicas && (st.replicas ?? 0) === replicas && (st.availableReplicas ?? 0) === replicas && progressing?.reason === 'NewReplicaSetAvailable' ? d : undefined;
    }, 30_000);

  before(async () => {
    c = await startTestCluster({ controllers: ['replicaset', 'deployment'], driver: { readyDelayMs: 40 } });
    client = c.client;
    await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  });
  after(async () => {
    await c?.stop();
  });

  it('rolls 10 replicas to a new template within maxSurge 3 and maxUnavailable 2', async () => {
    await client.create(ref(), deployment('roll', 10, 'nginx:1', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } }));
    const first = await complete('roll', 10);
    assert.equal(first.metadata.annotations?.[REVISION], '1');
    assert.deepEqual(first.status?.conditions?.map((x) => [x.type, x.status, x.reason]), [['Available', 'True', 'MinimumReplicasAvailable'], ['Progressing', 'True', 'NewReplicaSetAvailable']]);
    const [rs1] = await sets('roll');
    const hash1 = rs1?.metadata.labels?.[POD_TEMPLATE_HASH] ?? '';
    assert.equal(rs1?.metadata.name, `roll-${hash1}`);
    assert.deepEqual(rs1?.spec?.selector?.matchLabels, { app: 'roll', [POD_TEMPLATE_HASH]: hash1 });
    assert.deepEqual([rs1?.metadata.annotations?.[REVISION], rs1?.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'], rs1?.metadata.annotations?.['deployment.kubernetes.io/max-replicas']], ['1', '10', '13']);

    let samples = 0;
    const violations: string[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const [ps, rss] = await Promise.all([pods('roll'), sets('roll')]);
        const running = live(ps);
        const specSum = rss.reduce((n, rs) => n + (rs.spec?.replicas ?? 0), 0);
        const ready = running.filter(isPodReady).length;
        if (running.length > 13) violations.push(`${running.length} pods`);
        if (specSum > 13) violations.push(`ReplicaSets want ${specSum} pods`);
        if (ready < 8) violations.push(`${ready} ready pods`);
        samples++;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await setImage('roll', 'nginx:2');
    const done = await complete('roll', 10);
    sampling = false;
    await sampler;
    assert.deepEqual(violations, [], `bounds held over ${samples} samples`);
    assert.ok(samples >= 5, `sampled during the rollout (${samples})`);
    assert.equal(done.metadata.annotations?.[REVISION], '2');
    const after = await sets('roll');
    assert.equal(after.length, 2);
    const newRS = after.find((rs) => rs.metadata.uid !== rs1?.metadata.uid);
    const oldRS = after.find((rs) => rs.metadata.uid === rs1?.metadata.uid);
    assert.equal(newRS?.spec?.replicas, 10);
    assert.equal(oldRS?.spec?.replicas, 0);
    assert.equal(newRS?.metadata.annotations?.[REVISION], '2');
    assert.notEqual(newRS?.metadata.labels?.[POD_TEMPLATE_HASH], hash1);
    await until('old pods gone', async () => live(await pods('roll')).length === 10);
    assert.deepEqual(new Set(live(await pods('roll')).map(image)), new Set(['nginx:2']));
    const events = (await client.list<KubeObject & { reason?: string; message?: string }>({ ...EVENTS, namespace: NS })).items.filter((e) => e.reason === 'ScalingReplicaSet').map((e) => e.message);
    assert.ok(events.includes(`Scaled up replica set ${newRS?.metadata.name} from 0 to 3`), JSON.stringify(events));
    assert.ok(events.includes(`Scaled down replica set ${oldRS?.metadata.name} from 10 to 8`), JSON.stringify(events));
  });

  it('Recreate: the old pods are gone before new ones are created', async () => {
    await client.create(ref(), deployment('recreate', 3, 'nginx:1', { strategy: { type: 'Recreate' } }));
    await complete('recreate', 3);
    let overlap = 0;
    let sawNew = false;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const images = new Set((await pods('recreate')).map(image));
        if (images.has('nginx:1') && images.has('nginx:2')) overlap++;
        if (images.has('nginx:2')) sawNew = true;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await setImage('recreate', 'nginx:2');
    await complete('recreate', 3);
    sampling = false;
    await sampler;
    assert.ok(sawNew);
    assert.equal(overlap, 0, 'no sample held old and new pods together');
    assert.deepEqual(live(await pods('recreate')).map(image), ['nginx:2', 'nginx:2', 'nginx:2']);
  });

  it('reports ProgressDeadlineExceeded when the new pods never get ready', async () => {
    await client.create(ref(), deployment('stuck', 2, 'nginx:1', { progressDeadlineSeconds: 1 }, { [NEVER_READY]: 'true' }));
    const d = await until('the deadline exceeded', async () => {
      const x = await get('stuck');
      return x.status?.conditions?.find((cond) => cond.type === 'Progressing')?.reason === 'ProgressDeadlineExceeded' ? x : undefined;
    }, 10_000);
    const [rs] = await sets('stuck');
    const progressing = d.status?.conditions?.find((x) => x.type === 'Progressing');
    assert.equal(progressing?.status, 'False');
    assert.equal(progressing?.message, `ReplicaSet "${rs?.metadata.name}" has timed out progressing.`);
    const available = d.status?.conditions?.find((x) => x.type === 'Available');
    assert.deepEqual([available?.status, available?.reason], ['False', 'MinimumReplicasUnavailable']);
    assert.equal(d.status?.unavailableReplicas, 2);
  });

  it('pauses: no rollout while paused, scaling still applies; resumes where it left off', async () => {
    await client.create(ref(), deployment('paused', 2, 'nginx:1'));
    await complete('paused', 2);
    await client.patch(ref('paused'), 'merge', { spec: { paused: true } });
    await until('paused condition', async () => (await get('paused')).status?.conditions?.find((x) => x.type === 'Progressing')?.reason === 'DeploymentPaused');
    await setImage('paused', 'nginx:2');
    await client.patch(ref('paused'), 'merge', { spec: { replicas: 4 } });
    await until('scaled while paused', async () => {
      const d = await get('paused');
      return (d.status?.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) && d.status?.availableReplicas === 4;
    });
    await new Promise((r) => setTimeout(r, 300));
    const held = await sets('paused');
    assert.equal(held.length, 1, 'no new ReplicaSet while paused');
    assert.equal(held[0]?.spec?.replicas, 4);
    assert.equal(image(held[0]!), 'nginx:1');

    await client.patch(ref('paused'), 'merge', { spec: { paused: false } });
    await complete('paused', 4);
    const rolled = await sets('paused');
    assert.equal(rolled.length, 2);
    assert.equal(rolled.find((rs) => image(rs) === 'nginx:2')?.spec?.replicas, 4);
  });

  it('keeps revisionHistoryLimit old ReplicaSets, and a rollback reuses the old ReplicaSet with a new revision', async () => {
    await client.create(ref(), deployment('history', 1, 'nginx:1', { revisionHistoryLimit: 1 }));
    await complete('history', 1);
    for (const img of ['nginx:2', 'nginx:3', 'nginx:4']) {
      await setImage('history', img);
      await complete('history', 1);
    }
    await until('history trimmed to one old ReplicaSet', async () => (await sets('history')).length === 2);
    const kept = await sets('history');
    assert.deepEqual(kept.map((rs) => [image(rs), rs.metadata.annotations?.[REVISION]]).sort(), [['nginx:3', '3'], ['nginx:4', '4']]);

    // kubectl rollout undo puts the old template (without the hash label) back into the Deployment.
    const old = kept.find((rs) => image(rs) === 'nginx:3')!;
    const template = structuredClone(old.spec?.template ?? {});
    delete template.metadata?.labels?.[POD_TEMPLATE_HASH];
    await client.patch(ref('history'), 'json', [{ op: 'replace', path: '/spec/template', value: template }]);
    const d = await complete('history', 1);
    await until('the Deployment revision moves to 5', async () => (await get('history')).metadata.annotations?.[REVISION] === '5');
    const after = await sets('history');
    assert.equal(after.length, 2, 'no new ReplicaSet for a rollback');
    const reused = after.find((rs) => rs.metadata.uid === old.metadata.uid);
    assert.equal(reused?.metadata.annotations?.[REVISION], '5');
    assert.equal(reused?.metadata.annotations?.[REVISION_HISTORY], '3');
    assert.equal(reused?.spec?.replicas, 1);
    assert.ok(d);
  });

  it('scales proportionally while a rollout is stuck', async () => {
    await client.create(ref(), deployment('prop', 10, 'nginx:1', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } }));
    await complete('prop', 10);
    // New pods never get ready: the rollout stops at old 8 + new 5 (13 = 10 + surge; 8 available = 10 - 2).
    await client.patch(ref('prop'), 'strategic', { spec: { template: { metadata: { annotations: { [NEVER_READY]: 'true' } } } } });
    const sizes = async () => {
      const rss = await sets('prop');
      const isNew = (rs: ReplicaSet) => rs.spec?.template?.metadata?.annotations?.[NEVER_READY] === 'true';
      return [rss.find((rs) => !isNew(rs))?.spec?.replicas, rss.find(isNew)?.spec?.replicas];
    };
    await until('rollout stuck at 8 old + 5 new', async () => {
      const [o, n] = await sizes();
      return o === 8 && n === 5 && (await get('prop')).status?.availableReplicas === 8;
    });
    await client.patch(ref('prop'), 'merge', { spec: { replicas: 20 } });
    // 10 more (20 + 3 surge - 13) spread by size: old 8·23/13 ≈ 14, new 5·23/13 ≈ 9.
    await until('proportionally scaled', async () => {
      const [o, n] = await sizes();
      return o === 14 && n === 9;
    });
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(await sizes(), [14, 9], 'and stays there');
  });

  it('resolves a pod-template-hash collision by bumping collisionCount', async () => {
    // Paused, the Deployment creates no ReplicaSet: read its defaulted template, take the name its
    // ReplicaSet would get with a foreign ReplicaSet, then let it go.
    const created = await client.create<Deployment>(ref(), deployment('clash', 2, 'nginx:1', { paused: true }));
    const name = `clash-${computeHash(created.spec?.template)}`;
    await client.create(REPLICA_SETS_NS, {
      apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name },
      spec: { replicas: 0, selector: { matchLabels: { squatter: 'yes' } }, template: { metadata: { labels: { squatter: 'yes' } }, spec: { containers: [{ name: 'x', image: 'busybox' }] } } },
    });
    await client.patch(ref('clash'), 'merge', { spec: { paused: false } });
    const d = await complete('clash', 2);
    assert.equal(d.status?.collisionCount, 1);
    const [rs] = await sets('clash');
    assert.equal(rs?.metadata.name, `clash-${computeHash(created.spec?.template, 1)}`);
    assert.equal((await client.get<ReplicaSet>({ ...REPLICA_SETS_NS, name })).spec?.template?.metadata?.labels?.['squatter'], 'yes', 'the foreign ReplicaSet is left alone');
  });

  it('scales a finished Deployment up and down to exact pod counts', async () => {
    await client.create(ref(), deployment('plain', 3, 'nginx:1'));
    await complete('plain', 3);
    await client.patch(ref('plain'), 'merge', { spec: { replicas: 1 } });
    await complete('plain', 1);
    await until('1 pod', async () => live(await pods('plain')).length === 1);
    await client.patch(ref('plain'), 'merge', { spec: { replicas: 5 } });
    await complete('plain', 5);
    assert.equal(live(await pods('plain')).length, 5);
    assert.equal((await sets('plain')).length, 1);
  });
});
