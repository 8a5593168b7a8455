// The disruption controller against a real in-process API server, with the ReplicaSet controller
// and the PodDriver: budget status over a ReplicaSet's pods (a percentage counts against the
// ReplicaSet's replicas), observedGeneration following spec changes, and pods/eviction allowed,
// refused with 429 once the budget is spent, and allowed again when the replacement pod is Ready.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../api/types.ts';
import type { RestClient } from '../../client/index.ts';
import type { Status } from '../../machinery/status-error.ts';
import { startTestCluster, until, type TestCluster } from '../../../test/support/cluster.ts';
import { NEVER_READY } from '../../../test/support/pod-driver.ts';
import { PODS, POD_DISRUPTION_BUDGETS, REPLICA_SETS, type Pod } from '../util/index.ts';
import type { PodDisruptionBudget } from './budget.ts';

const NAMESPACES = { group: '', version: 'v1', resource: 'namespaces' } as const;

const replicaSet = (name: string, replicas: number, annotations: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name }, annotations }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
  },
});

const budget = (name: string, app: string, spec: Record<string, unknown>): PodDisruptionBudget => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name },
  spec: { selector: { matchLabels: { app } }, ...spec },
});

describe('disruption controller', { timeout: 60_000 }, () => {
  let c: TestCluster;
  let client: RestClient;
  const ns = 'pdb';

  before(async () => {
    c = await startTestCluster({ controllers: ['disruption', 'replicaset'], driver: { nodes: ['node-1', 'node-2'] } });
    client = c.client;
    await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  });
  after(async () => {
    await c?.stop();
  });

  const getBudget = (name: string) => client.get<PodDisruptionBudget>({ ...POD_DISRUPTION_BUDGETS, namespace: ns, name });
  const livePods = async (app: string): Promise<Pod[]> =>
    (await client.list<Pod>({ ...PODS, namespace: ns }, { labelSelector: `app=${app}` })).items.filter((p) => !p.metadata.deletionTimestamp);

  async function evict(name: string): Promise<Status> {
    try {
      return await client.request<Status>('POST', `/api/v1/namespaces/${ns}/pods/${name}/eviction`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: ns } });
    } catch (err) {
      const status = (err as { status?: Status }).status;
      if (!status) throw err;
      return status;
    }
  }

  it('reports expected, desired and healthy pods; a percentage counts against the ReplicaSet\'s replicas; only Ready pods are healthy', async () => {
    await client.create({ ...REPLICA_SETS, namespace: ns }, replicaSet('web', 4));
    await client.create({ ...REPLICA_SETS, namespace: ns }, replicaSet('slow', 2, { [NEVER_READY]: 'true' }));
    await client.create({ ...POD_DISRUPTION_BUDGETS, namespace: ns }, budget('web', 'web', { minAvailable: '50%' }));
    await client.create({ ...POD_DISRUPTION_BUDGETS, namespace: ns }, budget('slow', 'slow', { maxUnavailable: 1 }));
    const web = await until('web budget status', async () => {
      const b = await getBudget('web');
      return b.status?.currentHealthy === 4 ? b : undefined;
    });
    assert.deepEqual(
      [web.status?.expectedPods, web.status?.desiredHealthy, web.status?.disruptionsAllowed, web.status?.observedGeneration],
      [4, 2, 2, 1],
    );
    assert.deepEqual(web.status?.conditions?.map((x) => [x.type, x.status, x.reason]), [['DisruptionAllowed', 'True', 'SufficientPods']]);
    const slow = await until('slow budget status', async () => {
      const b = await getBudget('slow');
      return b.status?.expectedPods === 2 && (await livePods('slow')).every((p) => p.status?.phase === 'Running') ? b : undefined;
    });
    assert.deepEqual([slow.status?.currentHealthy, slow.status?.desiredHealthy, slow.status?.disruptionsAllowed], [0, 1, 0]);
    assert.equal(slow.status?.conditions?.[0]?.reason, 'InsufficientPods');
  });

  it('follows spec changes: observedGeneration moves with the generation', async () => {
    const b = await getBudget('web');
    await client.update({ ...POD_DISRUPTION_BUDGETS, namespace: ns }, { ...b, spec: { ...b.spec, minAvailable: 3 } });
    const updated = await until('the new generation observed', async () => {
      const x = await getBudget('web');
      return x.status?.observedGeneration === 2 ? x : undefined;
    });
    assert.deepEqual([updated.metadata.generation, updated.status?.desiredHealthy, updated.status?.disruptionsAllowed], [2, 3, 1]);
  });

  it('allows one eviction, refuses the next with 429, and allows again once the replacement is Ready', async () => {
    const [first, second] = await livePods('web');
    assert.ok(first && second);
    const ok = await evict(first.metadata.name ?? '');
    assert.deepEqual([ok.code, ok.status], [201, 'Success']);
    const refused = await evict(second.metadata.name ?? '');
    assert.equal(refused.code, 429, JSON.stringify(refused));
    assert.equal(refused.reason, 'TooManyRequests');
    assert.deepEqual(refused.details?.causes?.map((x) => x.reason), ['DisruptionBudget']);
    assert.match(refused.details?.causes?.[0]?.message ?? '', /^The disruption budget web needs 3 healthy pods and has [34] currently$/);

    // The ReplicaSet replaces the evicted pod; once the new one is Ready the budget has room again.
    await until('the budget to allow a disruption again', async () => {
      const x = await getBudget('web');
      return x.status?.currentHealthy === 4 && x.status.disruptionsAllowed === 1 && !x.status.disruptedPods;
    });
    const again = await evict(second.metadata.name ?? '');
    assert.equal(again.code, 201, JSON.stringify(again));
    await until('the second pod to go', async () => !(await livePods('web')).some((p) => p.metadata.uid === second.metadata.uid));
  });
});
