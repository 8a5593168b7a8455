// The EndpointSlice controller against a real in-process API server, with the test PodDriver
// binding pods and marking them Running/Ready: slices follow readiness, termination, scale (250
// pods → 3 slices of at most 100), named target ports, publishNotReadyAddresses and headless
// services, are owned by their Service, and are not rewritten when nothing changed.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../api/types.ts';
import { startTestCluster, until, type TestCluster } from '../../../test/support/cluster.ts';
import { NEVER_READY } from '../../../test/support/pod-driver.ts';
import { ENDPOINT_SLICES, NAMESPACES, PODS, SERVICES } from '../util/refs.ts';
import { endpointSliceController } from './endpointslice-controller.ts';
import type { Endpoint, EndpointSlice } from './types.ts';

const HOLD = 'test.strata.dev/hold';

describe('EndpointSlice controller', { timeout: 120_000 }, () => {
  let c: TestCluster;
  let n = 0;
  let ns: string;

  before(async () => {
    c = await startTestCluster({
      controllers: [{ name: 'endpointslice-test', component: 'endpointslice-controller', make: (ctx) => endpointSliceController(ctx, { workers: 2 }) }],
    });
  });
  after(async () => {
    await c?.stop();
  });

  async function newNamespace(): Promise<string> {
    ns = `eps-${++n}`;
    await c.client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    return ns;
  }

  const service = (name: string, spec: Record<string, unknown>, labels?: Record<string, string>): Promise<KubeObject> =>
    c.client.create({ ...SERVICES, namespace: ns }, { apiVersion: 'v1', kind: 'Service', metadata: { name, ...(labels ? { labels } : {}) }, spec });

  const pod = (name: string, labels: Record<string, string>, extra: { annotations?: Record<string, string>; finalizers?: string[]; spec?: Record<string, unknown> } = {}): Promise<KubeObject> =>
    c.client.create({ ...PODS, namespace: ns }, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels, ...(extra.annotations ? { annotations: extra.annotations } : {}), ...(extra.finalizers ? { finalizers: extra.finalizers } : {}) },
      spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }], ...extra.spec },
    });

  const slicesOf = async (svc: string): Promise<EndpointSlice[]> =>
    (await c.client.list<EndpointSlice>({ ...ENDPOINT_SLICES, namespace: ns }, { labelSelector: `kubernetes.io/service-name=${svc}` })).items;

  const endpointsOf = (slices: EndpointSlice[]): Endpoint[] => slices.flatMap((s) => s.endpoints ?? []);

  const sameConditions = (ep: Endpoint | undefined, want: Endpoint['conditions']): boolean => JSON.stringify(ep?.conditions) === JSON.stringify(want);

  const byPod = (slices: EndpointSlice[], name: string): Endpoint | undefined => endpointsOf(slices).find((e) => e.targetRef?.name === name);

  it('publishes the ready pods of a selector service in one slice owned by the service, and follows readiness and termination', async () => {
    await newNamespace();
    const svc = await service('web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] }, { tier: 'front' });
    for (const name of ['a', 'b', 'c']) await pod(name, { app: 'web' }, name === 'c' ? { finalizers: [HOLD] } : {});
    await pod('other', { app: 'db' });

    const slices = await until('3 ready endpoints', async () => {
      const s = await slicesOf('web');
      return s.length === 1 && endpointsOf(s).filter((e) => e.conditions?.ready).length === 3 && s;
    });
    const slice = slices[0]!;
    assert.equal(slice.addressType, 'IPv4');
    assert.match(slice.metadata.name ?? '', /^web-[a-z0-9]{5}$/);
    assert.deepEqual(slice.metadata.labels, { tier: 'front', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
    assert.deepEqual(slice.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    assert.deepEqual(slice.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    assert.ok(slice.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time']);
    const a = byPod(slices, 'a')!;
    assert.match(a.addresses[0] ?? '', /^10\.244\.\d+\.\d+$/);
    assert.deepEqual(a.conditions, { ready: true, serving: true, terminating: false });
    assert.match(a.nodeName ?? '', /^node-\d$/);
    assert.equal(a.targetRef?.kind, 'Pod');
    assert.equal(a.targetRef?.namespace, ns);
    assert.ok(a.targetRef?.uid);
    assert.equal(byPod(slices, 'other'), undefined, 'pods the selector does not match stay out');

    // Unready (the driver is told to leave it so): still listed, not ready, not serving.
    await c.client.patch({ ...PODS, namespace: ns, name: 'b' }, 'merge', { metadata: { annotations: { [NEVER_READY]: 'true' } } });
    const b = await c.client.get<KubeObject & { status: { conditions: { type: string; status: string }[] } }>({ ...PODS, namespace: ns, name: 'b' });
    b.status.conditions = b.status.conditions.map((x) => (x.type === 'Ready' ? { ...x, status: 'False' } : x));
    await c.client.updateStatus({ ...PODS, namespace: ns }, b);
    await until('b listed not ready, not serving', async () => sameConditions(byPod(await slicesOf('web'), 'b'), { ready: false, serving: false, terminating: false }));

    // Terminating (a finalizer holds it): listed as terminating, serving while still ready.
    await c.client.delete({ ...PODS, namespace: ns, name: 'c' });
    await until('c listed terminating, serving', async () => sameConditions(byPod(await slicesOf('web'), 'c'), { ready: false, serving: true, terminating: true }));
    await c.client.patch({ ...PODS, namespace: ns, name: 'c' }, 'merge', { metadata: { finalizers: null } });
    await until('c gone', async () => byPod(await slicesOf('web'), 'c') === undefined);
    assert.equal((await slicesOf('web')).length, 1, 'the slice was updated in place');
  });

  it('does not rewrite slices when nothing changed', async () => {
    await newNamespace();
    await service('quiet', { selector: { app: 'quiet' }, ports: [{ port: 80 }] });
    await pod('q1', { app: 'quiet' });
    const [slice] = await until('q1 ready', async () => {
      const s = await slicesOf('quiet');
      return endpointsOf(s).some((e) => e.conditions?.ready) && s;
    });
    // Syncs that find nothing to change (a service annotation, an irrelevant pod edit) write nothing.
    await c.client.patch({ ...SERVICES, namespace: ns, name: 'quiet' }, 'merge', { metadata: { annotations: { note: 'resync' } } });
    await c.client.patch({ ...PODS, namespace: ns, name: 'q1' }, 'merge', { metadata: { annotations: { touched: 'yes' } } });
    await new Promise((r) => setTimeout(r, 500));
    const [again] = await slicesOf('quiet');
    assert.equal(again?.metadata.resourceVersion, slice?.metadata.resourceVersion);
    // A service label is copied to its slices.
    await c.client.patch({ ...SERVICES, namespace: ns, name: 'quiet' }, 'merge', { metadata: { labels: { team: 'x' } } });
    await until('service label copied', async () => (await slicesOf('quiet'))[0]?.metadata.labels?.['team'] === 'x');
  });

  it('splits 250 pods into 3 slices of at most 100 endpoints, and grows the one with room', async () => {
    await newNamespace();
    // Pods first, so the service's first sync packs them all at once (pods that arrive one by
    // one are placed with as few writes as possible, not packed as tightly).
    await Promise.all(Array.from({ length: 250 }, (_, i) => pod(`p${i}`, { app: 'big' })));
    await until('250 ready pods', async () => {
      const pods = (await c.client.list<KubeObject & { status?: { conditions?: { type: string; status: string }[] } }>({ ...PODS, namespace: ns })).items;
      return pods.filter((p) => p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True')).length === 250;
    }, 60_000);
    await service('big', { selector: { app: 'big' }, ports: [{ port: 80 }] });
    const slices = await until('250 ready endpoints', async () => {
      const s = await slicesOf('big');
      return endpointsOf(s).filter((e) => e.conditions?.ready).length === 250 && s;
    }, 60_000);
    const sizes = (list: EndpointSlice[]) => list.map((s) => (s.endpoints ?? []).length).sort((x, y) => x - y);
    assert.deepEqual(sizes(slices), [50, 100, 100]);
    assert.equal(new Set(endpointsOf(slices).map((e) => e.targetRef?.name)).size, 250, 'each pod once');

    // 30 more pods, arriving as they come: they go into the slice with room; no slice is replaced.
    await Promise.all(Array.from({ length: 30 }, (_, i) => pod(`q${i}`, { app: 'big' })));
    const grown = await until('280 ready endpoints', async () => {
      const s = await slicesOf('big');
      return endpointsOf(s).filter((e) => e.conditions?.ready).length === 280 && s;
    }, 60_000);
    assert.deepEqual(sizes(grown), [80, 100, 100]);
    assert.deepEqual(grown.map((s) => s.metadata.name).sort(), slices.map((s) => s.metadata.name).sort());
  });

  it('resolves named target ports per pod: pods with different container ports land in different slices', async () => {
    await newNamespace();
    await service('named', { selector: { app: 'named' }, ports: [{ name: 'web', port: 80, targetPort: 'http' }] });
    await pod('n1', { app: 'named' });
    await pod('n2', { app: 'named' }, { spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ name: 'http', containerPort: 9090 }] }] } });
    const slices = await until('two port groups', async () => {
      const s = await slicesOf('named');
      return s.length === 2 && endpointsOf(s).filter((e) => e.conditions?.ready).length === 2 && s;
    });
    const portOf = (pod: string) => slices.find((s) => (s.endpoints ?? []).some((e) => e.targetRef?.name === pod))?.ports;
    assert.deepEqual(portOf('n1'), [{ name: 'web', port: 8080, protocol: 'TCP' }]);
    assert.deepEqual(portOf('n2'), [{ name: 'web', port: 9090, protocol: 'TCP' }]);
  });

  it('publishNotReadyAddresses marks unready pods ready; headless services get the headless label and hostnames', async () => {
    await newNamespace();
    await service('eager', { selector: { app: 'eager' }, publishNotReadyAddresses: true, ports: [{ port: 80 }] });
    await service('db', { clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 5432 }] });
    await pod('slow', { app: 'eager' }, { annotations: { [NEVER_READY]: 'true' } });
    await pod('db-0', { app: 'db' }, { spec: { hostname: 'db-0', subdomain: 'db' } });

    const eager = await until('slow listed', async () => {
      const s = await slicesOf('eager');
      return byPod(s, 'slow') ? s : undefined;
    });
    assert.deepEqual(byPod(eager, 'slow')?.conditions, { ready: true, serving: false, terminating: false });

    const db = await until('db-0 ready', async () => {
      const s = await slicesOf('db');
      return byPod(s, 'db-0')?.conditions?.ready && s;
    });
    assert.equal(db[0]?.metadata.labels?.['service.kubernetes.io/headless'], '');
    assert.equal(byPod(db, 'db-0')?.hostname, 'db-0');
  });

  it('keeps one empty slice for a service without endpoints and ignores selector-less services', async () => {
    await newNamespace();
    await service('empty', { selector: { app: 'nobody' }, ports: [{ port: 80 }] });
    await service('manual', { ports: [{ port: 80 }] });
    const [placeholder] = await until('placeholder', async () => {
      const s = await slicesOf('empty');
      return s.length === 1 && s;
    });
    assert.deepEqual(placeholder?.endpoints ?? [], []);
    assert.deepEqual(placeholder?.ports ?? [], []);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(await slicesOf('manual'), []);
  });
});
