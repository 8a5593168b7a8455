// pods/eviction against a real in-process API server with no controllers: the test writes pod and
// PodDisruptionBudget status by hand, so every branch of the budget check is reached
// deterministically — allowed, refused (429 with a DisruptionBudget cause), stale budget, two
// budgets (500), unready pods under both unhealthyPodEvictionPolicy values, dry runs, and the
// Eviction's deleteOptions.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../api/types.ts';
import type { RestClient } from '../../client/index.ts';
import type { Status } from '../../machinery/status-error.ts';
import { startTestCluster, type TestCluster } from '../../../test/support/cluster.ts';

const PODS = { group: '', version: 'v1', resource: 'pods' } as const;
const PDBS = { group: 'policy', version: 'v1', resource: 'poddisruptionbudgets' } as const;
const NAMESPACES = { group: '', version: 'v1', resource: 'namespaces' } as const;

interface PodObj extends KubeObject {
  status?: { phase?: string; conditions?: { type: string; status: string; reason?: string }[] };
}
interface Budget extends KubeObject {
  status?: { observedGeneration?: number; disruptionsAllowed?: number; disruptedPods?: Record<string, string>; conditions?: { type: string; status: string; reason: string }[] };
}

describe('pods/eviction', { timeout: 60_000 }, () => {
  let c: TestCluster;
  let client: RestClient;
  let n = 0;
  let ns = '';

  before(async () => {
    c = await startTestCluster({ controllers: [], driver: false });
    client = c.client;
  });
  after(async () => {
    await c?.stop();
  });

  /** A fresh namespace per case, so budgets of one case never select pods of another. */
  async function namespace(): Promise<string> {
    ns = `ev${++n}`;
    await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    return ns;
  }

  /** A pod bound to a node (so deletion is graceful and the pod lingers, observable) in the given phase. */
  async function pod(name: string, o: { phase?: string; ready?: boolean; labels?: Record<string, string> } = {}): Promise<PodObj> {
    const created = await client.create<PodObj>({ ...PODS, namespace: ns }, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: o.labels ?? { app: 'web' } },
      spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'nginx' }] },
    });
    const phase = o.phase ?? 'Running';
    return client.updateStatus<PodObj>({ ...PODS, namespace: ns }, {
      ...created,
      status: { phase, conditions: [{ type: 'Ready', status: phase === 'Running' && o.ready !== false ? 'True' : 'False' }] },
    });
  }

  async function budget(name: string, spec: Record<string, unknown>, status: Record<string, unknown>): Promise<Budget> {
    const created = await client.create<Budget>({ ...PDBS, namespace: ns }, {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name },
      spec: { selector: { matchLabels: { app: 'web' } }, ...spec },
    });
    return client.updateStatus<Budget>({ ...PDBS, namespace: ns }, { ...created, status: { observedGeneration: 1, ...status } });
  }

  /** POSTs an Eviction; resolves with the Status, whether the server answered 2xx or not. */
  async function evict(name: string, extra: Record<string, unknown> = {}, query = ''): Promise<Status> {
    try {
      return await client.request<Status>('POST', `/api/v1/namespaces/${ns}/pods/${name}/eviction${query}`, {
        apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: ns }, ...extra,
      });
    } catch (err) {
      const status = (err as { status?: Status }).status;
      if (!status) throw err;
      return status;
    }
  }

  const getPod = (name: string) => client.get<PodObj>({ ...PODS, namespace: ns, name });
  const getBudget = (name: string) => client.get<Budget>({ ...PDBS, namespace: ns, name });

  it('evicts while the budget allows it, records the pod and then refuses with 429 and a DisruptionBudget cause', async () => {
    await namespace();
    await pod('a');
    await pod('b');
    await budget('web', { minAvailable: 1 }, { disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2 });

    const ok = await evict('a');
    assert.deepEqual([ok.code, ok.status], [201, 'Success']);
    const a = await getPod('a');
    assert.ok(a.metadata.deletionTimestamp, 'the evicted pod is being deleted');
    assert.deepEqual(a.status?.conditions?.find((x) => x.type === 'DisruptionTarget'), {
      type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting', lastProbeTime: null,
      lastTransitionTime: a.status?.conditions?.find((x) => x.type === 'DisruptionTarget')?.['lastTransitionTime' as 'type'],
    });
    const after = await getBudget('web');
    assert.equal(after.status?.disruptionsAllowed, 0);
    assert.deepEqual(Object.keys(after.status?.disruptedPods ?? {}), ['a']);
    assert.deepEqual(after.status?.conditions?.map((x) => [x.type, x.status, x.reason]), [['DisruptionAllowed', 'False', 'InsufficientPods']]);

    const refused = await evict('b');
    assert.equal(refused.code, 429);
    assert.equal(refused.reason, 'TooManyRequests');
    assert.equal(refused.message, "Cannot evict pod as it would violate the pod's disruption budget.");
    assert.deepEqual(refused.details?.causes, [{ reason: 'DisruptionBudget', message: 'The disruption budget web needs 1 healthy pods and has 2 currently' }]);
    assert.equal(refused.details?.retryAfterSeconds, undefined);
    const b = await getPod('b');
    assert.equal(b.metadata.deletionTimestamp, undefined, 'a refused eviction leaves the pod alone');
    assert.equal(b.status?.conditions?.some((x) => x.type === 'DisruptionTarget'), false);
  });

  it('answers 429 with Retry-After 10 while the budget status is older than its spec', async () => {
    await namespace();
    await pod('a');
    const created = await budget('web', { minAvailable: 1 }, { disruptionsAllowed: 5 });
    await client.update({ ...PDBS, namespace: ns }, { ...created, spec: { ...(created['spec'] as object), minAvailable: 0 } });
    const refused = await evict('a');
    assert.equal(refused.code, 429);
    assert.equal(refused.details?.retryAfterSeconds, 10);
    assert.deepEqual(refused.details?.causes, [{ reason: 'DisruptionBudget', message: 'The disruption budget web is still being processed by the server.' }]);
    assert.equal((await getPod('a')).metadata.deletionTimestamp, undefined);
  });

  it('refuses a pod two budgets select with 500, and ignores a budget with an empty selector', async () => {
    await namespace();
    await pod('a');
    await budget('one', { minAvailable: 0 }, { disruptionsAllowed: 1 });
    await budget('everything', { minAvailable: 5, selector: {} }, { disruptionsAllowed: 0 });
    assert.equal((await evict('a', {}, '?dryRun=All')).code, 201, 'the empty selector does not count for eviction');
    await budget('two', { minAvailable: 0 }, { disruptionsAllowed: 1 });
    const res = await evict('a');
    assert.equal(res.code, 500);
    assert.equal(res.message, 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  });

  it('lets pending, finished and terminating pods go whatever the budget says', async () => {
    await namespace();
    await pod('pending', { phase: 'Pending' });
    await pod('done', { phase: 'Succeeded' });
    await budget('web', { minAvailable: 10 }, { disruptionsAllowed: 0 });
    assert.equal((await evict('pending')).code, 201);
    assert.equal((await evict('done')).code, 201);
    await assert.rejects(getPod('done'), /not found/, 'a finished pod is deleted at once');
    assert.equal((await evict('pending')).code, 201, 'a pod already terminating is evicted again without a budget check');
    assert.equal((await getBudget('web')).status?.disruptionsAllowed, 0);
  });

  it('unready pods: may go while the budget is met (IfHealthyBudget), not when it is not, always with AlwaysAllow', async () => {
    await namespace();
    await pod('sick', { ready: false });
    await pod('sick2', { ready: false });
    await budget('web', { minAvailable: 2 }, { disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2 });
    assert.equal((await evict('sick')).code, 201);
    assert.equal((await getBudget('web')).status?.disruptionsAllowed, 0, 'no disruption was taken for an unready pod');
    assert.equal((await getBudget('web')).status?.disruptedPods, undefined);

    const b = await getBudget('web');
    await client.updateStatus({ ...PDBS, namespace: ns }, { ...b, status: { ...b.status, currentHealthy: 1 } });
    assert.equal((await evict('sick2')).code, 429, 'the budget is not met: an unready pod is guarded too');

    const spec = (await getBudget('web'))['spec'] as object;
    const upd = await client.update<Budget>({ ...PDBS, namespace: ns }, { ...(await getBudget('web')), spec: { ...spec, unhealthyPodEvictionPolicy: 'AlwaysAllow' } });
    await client.updateStatus({ ...PDBS, namespace: ns }, { ...upd, status: { ...upd.status, observedGeneration: upd.metadata.generation } });
    assert.equal((await evict('sick2')).code, 201);
    assert.ok((await getPod('sick2')).metadata.deletionTimestamp);
  });

  it('dry run: checks the budget but neither takes a disruption nor touches the pod', async () => {
    await namespace();
    await pod('a');
    await budget('web', { minAvailable: 0 }, { disruptionsAllowed: 1 });
    assert.equal((await evict('a', {}, '?dryRun=All')).code, 201);
    assert.equal((await evict('a', { deleteOptions: { dryRun: ['All'] } })).code, 201);
    const a = await getPod('a');
    assert.equal(a.metadata.deletionTimestamp, undefined);
    assert.equal(a.status?.conditions?.some((x) => x.type === 'DisruptionTarget'), false);
    assert.equal((await getBudget('web')).status?.disruptionsAllowed, 1);
  });

  it('honours deleteOptions (grace period, uid precondition) and checks the Eviction\'s name', async () => {
    await namespace();
    const a = await pod('a');
    await pod('b');
    const wrongUid = await evict('a', { deleteOptions: { preconditions: { uid: 'nope' } } });
    assert.equal(wrongUid.code, 409);
    assert.equal((await evict('a', { deleteOptions: { gracePeriodSeconds: 0, preconditions: { uid: a.metadata.uid } } })).code, 201);
    await assert.rejects(getPod('a'), /not found/, 'grace period 0 deletes at once');
    const mismatch = await evict('b', { metadata: { name: 'other' } });
    assert.deepEqual([mismatch.code, mismatch.message], [400, 'name in URL does not match name in Eviction object']);
    assert.equal((await evict('missing')).code, 404);
  });

  it('refuses with 403 when the budget reports negative disruptions', async () => {
    await namespace();
    await pod('a');
    await budget('web', { minAvailable: 0 }, { disruptionsAllowed: -1 });
    const res = await evict('a');
    assert.equal(res.code, 403);
    assert.match(res.message ?? '', /pdb disruptions allowed is negative/);
  });
});
