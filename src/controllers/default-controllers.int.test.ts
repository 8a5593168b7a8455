// The namespace, serviceaccount and root-ca-cert-publisher controllers against a real in-process
// API server (MemoryStore) over HTTPS with the admin kubeconfig.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { KubeObject } from '../api/types.ts';
import { startControlPlane, type ControlPlane } from '../apiserver/index.ts';
import { RestClient, restLeaseClient, SharedInformerFactory } from '../client/index.ts';
import { isNotFound } from '../machinery/status-error.ts';
import { MemoryStore } from '../store/index.ts';
import { defaultControllers } from './index.ts';
import { ControllerManager } from './runtime/index.ts';

const NS = { group: '', version: 'v1', resource: 'namespaces' } as const;
const CM = { group: '', version: 'v1', resource: 'configmaps' } as const;
const SA = { group: '', version: 'v1', resource: 'serviceaccounts' } as const;
const DEPLOY = { group: 'apps', version: 'v1', resource: 'deployments' } as const;
const CRD = { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions' } as const;
const GADGETS = { group: 'ctl.example.com', version: 'v1', resource: 'gadgets' } as const;

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const exists = (client: RestClient, ref: Parameters<RestClient['get']>[0]): Promise<boolean> =>
  client.get(ref).then(
    () => true,
    (err: unknown) => (isNotFound(err) ? false : Promise.reject(err)),
  );

type Condition = { type: string; status: string; reason: string; message: string };
const conditions = (ns: KubeObject): Condition[] => ((ns['status'] as { conditions?: Condition[] } | undefined)?.conditions ?? []);

describe('namespace and serviceaccount controllers against a real API server', { timeout: 60_000 }, () => {
  let dir: string;
  let cp: ControlPlane;
  let client: RestClient;
  let ac: AbortController;
  let running: Promise<void>;
  let manager: ControllerManager;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-ctl-'));
    cp = await startControlPlane({
      dataDir: dir, bind: '127.0.0.1', port: 0, tlsSans: [], serviceCidr: '10.96.0.0/12', nodePortRange: [30000, 32767],
      maxInflight: 400, version: 'v1.33.0', logger: pino({ level: 'silent' }), openStore: async () => new MemoryStore(),
    });
    client = await RestClient.fromKubeconfig(cp.kubeconfigPath);
    manager = new ControllerManager({
      identity: 'int-test',
      leases: restLeaseClient(client),
      informers: () => new SharedInformerFactory(client),
      controllers: defaultControllers({ client, caPem: client.config.caPem ?? '' }),
    });
    ac = new AbortController();
    running = manager.run(ac.signal);
    await client.create(CRD, {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'gadgets.ctl.example.com' },
      spec: {
        group: 'ctl.example.com',
        scope: 'Namespaced',
        names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
      },
    });
    await until('the custom resource to be served', async () => client.list({ ...GADGETS, namespace: 'default' }).then(() => true, () => false));
  });

  after(async () => {
    ac?.abort();
    await running;
    client?.close();
    await cp?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('leads on the Lease kube-system/strata-controller-manager', async () => {
    await until('leadership', async () => manager.isLeader);
    const lease = await client.get({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: 'kube-system', name: 'strata-controller-manager' });
    assert.equal((lease['spec'] as { holderIdentity?: string }).holderIdentity, 'int-test');
  });

  it('deletes every kind of content, custom objects included, then finalizes and removes the namespace', async () => {
    await client.create(NS, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } });
    await client.create({ ...CM, namespace: 'doomed' }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c1', namespace: 'doomed' }, data: { a: 'b' } });
    await client.create({ ...DEPLOY, namespace: 'doomed' }, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd1', namespace: 'doomed' },
      spec: { selector: { matchLabels: { app: 'd1' } }, template: { metadata: { labels: { app: 'd1' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    });
    await client.create({ ...GADGETS, namespace: 'doomed' }, { apiVersion: 'ctl.example.com/v1', kind: 'Gadget', metadata: { name: 'g1', namespace: 'doomed' } });
    await client.delete({ ...NS, name: 'doomed' });
    await until('the namespace to be gone', async () => !(await exists(client, { ...NS, name: 'doomed' })));
    assert.equal(await exists(client, { ...CM, namespace: 'doomed', name: 'c1' }), false);
    assert.equal(await exists(client, { ...DEPLOY, namespace: 'doomed', name: 'd1' }), false);
    assert.equal(await exists(client, { ...GADGETS, namespace: 'doomed', name: 'g1' }), false);
  });

  it('keeps a namespace Terminating with conditions naming what remains until finalizers are gone', async () => {
    await client.create(NS, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'held' } });
    await client.create({ ...CM, namespace: 'held' }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'pinned', namespace: 'held', finalizers: ['example.com/hold'] } });
    await client.create({ ...GADGETS, namespace: 'held' }, { apiVersion: 'ctl.example.com/v1', kind: 'Gadget', metadata: { name: 'g', namespace: 'held', finalizers: ['example.com/hold'] } });
    await client.delete({ ...NS, name: 'held' });
    const ns = await until('the remaining-content conditions', async () => {
      const got = await client.get({ ...NS, name: 'held' });
      return conditions(got).some((c) => c.type === 'NamespaceContentRemaining' && c.status === 'True') ? got : undefined;
    });
    assert.equal((ns['status'] as { phase: string }).phase, 'Terminating');
    const byType = Object.fromEntries(conditions(ns).map((c) => [c.type, c]));
    assert.deepEqual(byType['NamespaceContentRemaining'], {
      ...byType['NamespaceContentRemaining'],
      reason: 'SomeResourcesRemain',
      message: 'Some resources are remaining: configmaps has 1 resource instances, gadgets.ctl.example.com has 1 resource instances',
    });
    assert.equal(byType['NamespaceFinalizersRemaining']?.status, 'True');
    assert.equal(byType['NamespaceFinalizersRemaining']?.message, 'Some content in the namespace has finalizers remaining: example.com/hold in 2 resource instances');
    assert.equal(byType['NamespaceDeletionDiscoveryFailure']?.status, 'False');
    assert.equal(byType['NamespaceDeletionContentFailure']?.status, 'False');
    assert.deepEqual((ns['spec'] as { finalizers: string[] }).finalizers, ['kubernetes'], 'not finalized while content remains');

    await client.patch({ ...CM, namespace: 'held', name: 'pinned' }, 'merge', { metadata: { finalizers: null } });
    await client.patch({ ...GADGETS, namespace: 'held', name: 'g' }, 'merge', { metadata: { finalizers: null } });
    await until('the namespace to be gone', async () => !(await exists(client, { ...NS, name: 'held' })));
  });

  it('creates the default ServiceAccount and kube-root-ca.crt in new namespaces and restores them', async () => {
    await client.create(NS, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fresh' } });
    await until('default ServiceAccount', () => exists(client, { ...SA, namespace: 'fresh', name: 'default' }));
    const cm = await until('kube-root-ca.crt', () => client.get({ ...CM, namespace: 'fresh', name: 'kube-root-ca.crt' }).catch(() => undefined));
    assert.deepEqual(cm['data'], { 'ca.crt': client.config.caPem });
    assert.match(String(client.config.caPem), /BEGIN CERTIFICATE/);

    const before = await client.get({ ...SA, namespace: 'fresh', name: 'default' });
    await client.delete({ ...SA, namespace: 'fresh', name: 'default' });
    const again = await until('default ServiceAccount re-created', () => client.get({ ...SA, namespace: 'fresh', name: 'default' }).catch(() => undefined));
    assert.notEqual(again.metadata.uid, before.metadata.uid);

    await client.patch({ ...CM, namespace: 'fresh', name: 'kube-root-ca.crt' }, 'merge', { data: { 'ca.crt': 'tampered', extra: 'x' } });
    await until('kube-root-ca.crt restored', async () => {
      const got = await client.get({ ...CM, namespace: 'fresh', name: 'kube-root-ca.crt' });
      return JSON.stringify(got['data']) === JSON.stringify({ 'ca.crt': client.config.caPem });
    });
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      assert.ok(await exists(client, { ...SA, namespace: ns, name: 'default' }), `default ServiceAccount in ${ns}`);
      assert.ok(await exists(client, { ...CM, namespace: ns, name: 'kube-root-ca.crt' }), `kube-root-ca.crt in ${ns}`);
    }
  });
});
