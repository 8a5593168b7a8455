// The Endpoints controller against a real in-process API server with the test PodDriver: ready
// and not-ready addresses, terminating pods, named target ports split into subsets,
// publishNotReadyAddresses, headless services, no rewrite without change, deletion with the
// service, custom Endpoints of selector-less services left alone, and leftovers removed on start.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../api/types.ts';
import { EventRecorder, SharedInformerFactory } from '../../client/index.ts';
import { startTestCluster, until, exists, type TestCluster } from '../../../test/support/cluster.ts';
import { NEVER_READY } from '../../../test/support/pod-driver.ts';
import type { Endpoints } from '../endpointslice/index.ts';
import { ENDPOINTS, NAMESPACES, PODS, SERVICES } from '../util/refs.ts';
import { endpointsController } from './endpoints-controller.ts';

const HOLD = 'test.strata.dev/hold';

function harness(get: () => TestCluster) {
  let n = 0;
  const h = {
    ns: '',
    async namespace(): Promise<string> {
      h.ns = `ep-${++n}-${Date.now() % 100000}`;
      await get().client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: h.ns } });
      return h.ns;
    },
    service: (name: string, spec: Record<string, unknown>, labels?: Record<string, string>): Promise<KubeObject> =>
      get().client.create({ ...SERVICES, namespace: h.ns }, { apiVersion: 'v1', kind: 'Service', metadata: { name, ...(labels ? { labels } : {}) }, spec }),
    pod: (name: string, labels: Record<string, string>, extra: { annotations?: Record<string, string>; finalizers?: string[]; spec?: Record<string, unknown> } = {}): Promise<KubeObject> =>
      get().client.create({ ...PODS, namespace: h.ns }, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, labels, ...(extra.annotations ? { annotations: extra.annotations } : {}), ...(extra.finalizers ? { finalizers: extra.finalizers } : {}) },
        spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }], ...extra.spec },
      }),
    endpoints: (name: string): Promise<Endpoints | undefined> =>
      get().client.get<Endpoints>({ ...ENDPOINTS, namespace: h.ns, name }).catch(() => undefined),
  };
  return h;
}

const names = (list: { targetRef?: { name?: string } }[] | undefined): string[] => (list ?? []).map((a) => a.targetRef?.name ?? '').sort();

describe('Endpoints controller', { timeout: 120_000 }, () => {
  let c: TestCluster;
  const h = harness(() => c);

  before(async () => {
    c = await startTestCluster({ controllers: [{ name: 'endpoints-test', component: 'endpoint-controller', make: (ctx) => endpointsController(ctx, { workers: 2 }) }] });
  });
  after(async () => {
    await c?.stop();
  });

  it('lists ready pods in addresses and unready ones in notReadyAddresses; terminating pods leave', async () => {
    await h.namespace();
    await h.service('web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] }, { tier: 'front' });
    await h.pod('a', { app: 'web' });
    await h.pod('b', { app: 'web' }, { finalizers: [HOLD] });
    await h.pod('slow', { app: 'web' }, { annotations: { [NEVER_READY]: 'true' } });
    await h.pod('other', { app: 'db' });

    const ep = await until('a, b ready and slow not ready', async () => {
      const e = await h.endpoints('web');
      const s = e?.subsets?.[0];
      return e?.subsets?.length === 1 && names(s?.addresses).join() === 'a,b' && names(s?.notReadyAddresses).join() === 'slow' && e;
    });
    const subset = ep.subsets![0]!;
    assert.deepEqual(subset.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    const a = subset.addresses!.find((x) => x.targetRef?.name === 'a')!;
    assert.match(a.ip, /^10\.244\.\d+\.\d+$/);
    assert.match(a.nodeName ?? '', /^node-\d$/);
    assert.deepEqual(Object.keys(a.targetRef ?? {}).sort(), ['kind', 'name', 'namespace', 'uid']);
    assert.deepEqual(ep.metadata.labels, { tier: 'front', 'endpoints.kubernetes.io/managed-by': 'endpoint-controller' });
    assert.ok(ep.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time']);

    // Terminating: out of the Endpoints while the finalizer still holds the pod.
    await c.client.delete({ ...PODS, namespace: h.ns, name: 'b' });
    await until('b removed', async () => names((await h.endpoints('web'))?.subsets?.[0]?.addresses).join() === 'a');
    await c.client.patch({ ...PODS, namespace: h.ns, name: 'b' }, 'merge', { metadata: { finalizers: null } });
  });

  it('writes nothing when nothing changed, and recreates a deleted Endpoints', async () => {
    await h.namespace();
    await h.service('quiet', { selector: { app: 'quiet' }, ports: [{ port: 80 }] });
    await h.pod('q1', { app: 'quiet' });
    const first = await until('q1 ready', async () => {
      const e = await h.endpoints('quiet');
      return e?.subsets?.[0]?.addresses?.length === 1 && e;
    });
    await c.client.patch({ ...SERVICES, namespace: h.ns, name: 'quiet' }, 'merge', { metadata: { annotations: { note: 'resync' } } });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await h.endpoints('quiet'))?.metadata.resourceVersion, first.metadata.resourceVersion);

    await c.client.delete({ ...ENDPOINTS, namespace: h.ns, name: 'quiet' });
    const again = await until('recreated', async () => {
      const e = await h.endpoints('quiet');
      return e && e.metadata.uid !== first.metadata.uid && e;
    });
    assert.deepEqual(again.subsets, first.subsets);
  });

  it('splits pods whose named target port resolves differently into subsets', async () => {
    await h.namespace();
    await h.service('named', { selector: { app: 'named' }, ports: [{ name: 'web', port: 80, targetPort: 'http' }, { name: 'admin', port: 81, targetPort: 9000 }] });
    await h.pod('n1', { app: 'named' });
    await h.pod('n2', { app: 'named' }, { spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ name: 'http', containerPort: 9090 }] }] } });
    await h.pod('n3', { app: 'named' }, { spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    const ep = await until('three subsets', async () => {
      const e = await h.endpoints('named');
      return e?.subsets?.length === 3 && e;
    });
    const portsFor = (pod: string) => ep.subsets!.filter((s) => names(s.addresses).includes(pod)).flatMap((s) => s.ports ?? []).map((p) => `${p.name}:${p.port}`).sort();
    assert.deepEqual(portsFor('n1'), ['admin:9000', 'web:8080']);
    assert.deepEqual(portsFor('n2'), ['admin:9000', 'web:9090']);
    assert.deepEqual(portsFor('n3'), ['admin:9000'], 'a pod without the named port serves only the numeric one');
    // The numeric port, shared by all three pods, is one subset with all of them.
    assert.deepEqual(names(ep.subsets!.find((s) => s.ports?.length === 1 && s.ports[0]?.name === 'admin')?.addresses), ['n1', 'n2', 'n3']);
  });

  it('publishNotReadyAddresses lists every pod as ready; headless services are labelled and publish hostnames', async () => {
    await h.namespace();
    await h.service('eager', { selector: { app: 'eager' }, publishNotReadyAddresses: true, ports: [{ port: 80 }] });
    await h.service('db', { clusterIP: 'None', selector: { app: 'db' } });
    await h.pod('slow', { app: 'eager' }, { annotations: { [NEVER_READY]: 'true' } });
    await h.pod('db-0', { app: 'db' }, { spec: { hostname: 'db-0', subdomain: 'db' } });
    const eager = await until('slow in addresses', async () => {
      const e = await h.endpoints('eager');
      return names(e?.subsets?.[0]?.addresses).join() === 'slow' && e;
    });
    assert.equal(eager.subsets![0]!.notReadyAddresses, undefined);
    const db = await until('db-0 listed', async () => {
      const e = await h.endpoints('db');
      return e?.subsets?.[0]?.addresses?.length === 1 && e;
    });
    assert.equal(db.metadata.labels?.['service.kubernetes.io/headless'], '');
    assert.equal(db.subsets![0]!.addresses![0]!.hostname, 'db-0');
    assert.equal(db.subsets![0]!.ports, undefined, 'a headless service without ports lists bare addresses');
  });

  it('deletes the Endpoints with the service and leaves custom Endpoints of selector-less services alone', async () => {
    await h.namespace();
    await h.service('gone', { selector: { app: 'gone' }, ports: [{ port: 80 }] });
    await h.service('manual', { ports: [{ port: 80 }] });
    const custom: Endpoints = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'manual' }, subsets: [{ addresses: [{ ip: '192.0.2.10' }], ports: [{ port: 80 }] }] };
    await c.client.create({ ...ENDPOINTS, namespace: h.ns }, custom);
    await until('gone has Endpoints', async () => exists(c.client, { ...ENDPOINTS, namespace: h.ns, name: 'gone' }));
    await c.client.delete({ ...SERVICES, namespace: h.ns, name: 'gone' });
    await until('Endpoints deleted', async () => !(await exists(c.client, { ...ENDPOINTS, namespace: h.ns, name: 'gone' })));
    const manual = await h.endpoints('manual');
    assert.deepEqual(manual?.subsets, [{ addresses: [{ ip: '192.0.2.10' }], ports: [{ port: 80, protocol: 'TCP' }] }]);
    assert.equal(manual?.metadata.labels, undefined);
  });
});

describe('Endpoints controller start', { timeout: 60_000 }, () => {
  let c: TestCluster;
  before(async () => {
    c = await startTestCluster({ controllers: [], driver: false });
  });
  after(async () => {
    await c?.stop();
  });

  it('deletes Endpoints left behind by services deleted while it was not running, but not leader-election records', async () => {
    const create = (name: string, annotations?: Record<string, string>) =>
      c.client.create({ ...ENDPOINTS, namespace: 'default' }, { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, ...(annotations ? { annotations } : {}) } });
    await create('leftover');
    await create('lock', { 'control-plane.alpha.kubernetes.io/leader': '{"holderIdentity":"x"}' });
    const ac = new AbortController();
    const informers = new SharedInformerFactory(c.client);
    const recorder = new EventRecorder(c.client, { source: { component: 'endpoint-controller' } });
    const running = endpointsController({ client: c.client, informers, recorder }).run(ac.signal);
    try {
      await until('leftover deleted', async () => !(await exists(c.client, { ...ENDPOINTS, namespace: 'default', name: 'leftover' })));
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(await exists(c.client, { ...ENDPOINTS, namespace: 'default', name: 'lock' }), true);
    } finally {
      ac.abort();
      await running;
    }
  });
});
