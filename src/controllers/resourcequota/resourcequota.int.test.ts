// The resource quota controller against a real in-process API server: status.hard follows
// spec.hard and status.used follows object counts, pod compute requests and scopes as objects are
// created, updated (a pod finishing) and deleted, including a generic count/<resource>.<group>.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../api/types.ts';
import { startTestCluster, until, type TestCluster } from '../../../test/support/cluster.ts';
import type { ControllerSpec } from '../index.ts';
import { resourceQuotaController } from './resourcequota-controller.ts';
import type { ResourceQuota } from './usage.ts';

const NS = 'rq';
const ref = (resource: string, group = '', version = 'v1') => ({ group, version, resource, namespace: NS });
const QUOTAS = ref('resourcequotas');
const RQ: ControllerSpec = { name: 'resourcequota', component: 'resourcequota-controller', make: (ctx) => resourceQuotaController(ctx) };

function pod(name: string, resources: { requests?: Record<string, string>; limits?: Record<string, string> } = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox', resources }] } };
}

describe('resource quota controller against a real API server', { timeout: 60_000 }, () => {
  let c: TestCluster;
  const used = async (name: string) => ((await c.client.get<ResourceQuota>({ ...QUOTAS, name })).status?.used ?? {});
  /** Waits until status.used has exactly these values for the given names. */
  const usedBecomes = (name: string, want: Record<string, string>) =>
    until(`quota ${name} used ${JSON.stringify(want)}`, async () => {
      const u = await used(name);
      return Object.entries(want).every(([k, v]) => u[k] === v) ? u : undefined;
    });

  before(async () => {
    c = await startTestCluster({ controllers: [RQ], driver: false });
    await c.client.create({ group: '', version: 'v1', resource: 'namespaces' }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  });
  after(async () => {
    await c?.stop();
  });

  it('fills status.hard and status.used, and follows creates, a pod finishing, and deletes', async () => {
    const hard = {
      pods: '10', 'count/pods': '10', 'requests.cpu': '4', 'requests.memory': '4Gi', 'limits.memory': '8Gi', cpu: '4',
      configmaps: '5', secrets: '5', services: '3', 'services.nodeports': '4', resourcequotas: '2', 'count/deployments.apps': '2',
    };
    await c.client.create(QUOTAS, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'main' }, spec: { hard } });
    const first = await until('status of quota main', async () => {
      const q = await c.client.get<ResourceQuota>({ ...QUOTAS, name: 'main' });
      return q.status?.used ? q : undefined;
    });
    assert.deepEqual(first.status?.hard, hard);
    assert.deepEqual(first.status?.used, {
      pods: '0', 'count/pods': '0', 'requests.cpu': '0', 'requests.memory': '0', 'limits.memory': '0', cpu: '0',
      configmaps: '0', secrets: '0', services: '0', 'services.nodeports': '0', resourcequotas: '1', 'count/deployments.apps': '0',
    });

    await c.client.create(ref('configmaps'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } });
    await c.client.create(ref('configmaps'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } });
    await c.client.create(ref('secrets'), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } });
    await c.client.create(ref('services'), { apiVersion: 'v1', kind: 'Service', metadata: { name: 'np' }, spec: { type: 'NodePort', ports: [{ port: 80, name: 'a' }, { port: 81, name: 'b' }] } });
    await c.client.create(ref('pods'), pod('p1', { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '2Gi' } }));
    await c.client.create(ref('pods'), pod('p2', { requests: { cpu: '250m', memory: '512Mi' } }));
    await c.client.create(ref('deployments', 'apps'), {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' },
      spec: { selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
    });
    await usedBecomes('main', {
      pods: '2', 'count/pods': '2', 'requests.cpu': '750m', cpu: '750m', 'requests.memory': '1536Mi', 'limits.memory': '2Gi',
      configmaps: '2', secrets: '1', services: '1', 'services.nodeports': '2', 'count/deployments.apps': '1',
    });

    // A pod that finished stops counting against pods and compute, but still against count/pods.
    const live = await c.client.get({ ...ref('pods'), name: 'p2' });
    await c.client.updateStatus(ref('pods'), { ...live, status: { ...(live['status'] as object), phase: 'Succeeded' } });
    await usedBecomes('main', { pods: '1', 'count/pods': '2', 'requests.cpu': '500m', 'requests.memory': '1Gi' });

    await c.client.delete({ ...ref('pods'), name: 'p1' });
    await c.client.delete({ ...ref('configmaps'), name: 'a' });
    await c.client.delete({ ...ref('deployments', 'apps'), name: 'd' });
    await usedBecomes('main', { pods: '0', 'count/pods': '1', 'requests.cpu': '0', 'limits.memory': '0', configmaps: '1', 'count/deployments.apps': '0' });
  });

  it('follows spec.hard changes and honours scopes', async () => {
    await c.client.create(QUOTAS, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'besteffort' }, spec: { hard: { pods: '5' }, scopes: ['BestEffort'] } });
    await c.client.create(ref('pods'), pod('be'));
    await usedBecomes('besteffort', { pods: '1' });
    // The other quota sees the second quota too.
    await usedBecomes('main', { resourcequotas: '2' });
    const q = await c.client.get<ResourceQuota>({ ...QUOTAS, name: 'besteffort' });
    await c.client.update(QUOTAS, { ...q, spec: { ...q.spec, hard: { pods: '7' } } });
    const updated = await until('status.hard to follow spec.hard', async () => {
      const cur = await c.client.get<ResourceQuota>({ ...QUOTAS, name: 'besteffort' });
      return cur.status?.hard?.['pods'] === '7' ? cur : undefined;
    });
    assert.deepEqual(updated.status?.used, { pods: '1' }, 'the burstable pod p1 is gone and p2 finished: only the best-effort pod counts');
  });
});
