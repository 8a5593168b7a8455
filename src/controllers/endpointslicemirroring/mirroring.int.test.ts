// The mirroring controller (with the Endpoints controller, which deletes the Endpoints of deleted
// services) against a real in-process API server: custom Endpoints of selector-less services
// become EndpointSlices owned by the Endpoints, follow its changes in place, split by address
// type, and go away with the Endpoints, the service, a selector, or a skip-mirror label.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestCluster, until, type TestCluster } from '../../../test/support/cluster.ts';
import { endpointsController } from '../endpoints/index.ts';
import type { Endpoints, EndpointSlice } from '../endpointslice/index.ts';
import { ENDPOINT_SLICES, ENDPOINTS, NAMESPACES, SERVICES } from '../util/refs.ts';
import { endpointSliceMirroringController } from './mirroring-controller.ts';

const MIRRORED = 'endpointslice.kubernetes.io/managed-by=endpointslicemirroring-controller.k8s.io';

describe('EndpointSlice mirroring controller', { timeout: 120_000 }, () => {
  let c: TestCluster;
  let n = 0;
  let ns = '';

  before(async () => {
    c = await startTestCluster({
      driver: false,
      controllers: [
        { name: 'endpoints-test', component: 'endpoint-controller', make: (ctx) => endpointsController(ctx) },
        { name: 'mirroring-test', component: 'endpointslicemirroring-controller', make: (ctx) => endpointSliceMirroringController(ctx) },
      ],
    });
  });
  after(async () => {
    await c?.stop();
  });

  async function setup(svc: string): Promise<Endpoints> {
    ns = `mirror-${++n}`;
    await c.client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await c.client.create({ ...SERVICES, namespace: ns }, { apiVersion: 'v1', kind: 'Service', metadata: { name: svc }, spec: { ports: [{ name: 'http', port: 80 }] } });
    return c.client.create<Endpoints>({ ...ENDPOINTS, namespace: ns }, {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: svc, labels: { team: 'a' }, annotations: { note: 'hand-made', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
      subsets: [{ addresses: [{ ip: '192.0.2.1' }, { ip: '192.0.2.2', nodeName: 'n1', hostname: 'two' }], notReadyAddresses: [{ ip: '192.0.2.3' }], ports: [{ name: 'http', port: 8080 }] }],
    });
  }

  const mirrored = async (svc: string): Promise<EndpointSlice[]> =>
    (await c.client.list<EndpointSlice>({ ...ENDPOINT_SLICES, namespace: ns }, { labelSelector: `kubernetes.io/service-name=${svc},${MIRRORED}` })).items;

  it('mirrors custom Endpoints into a slice owned by them, and updates it in place', async () => {
    const ep = await setup('ext');
    const [slice] = await until('mirrored slice', async () => {
      const s = await mirrored('ext');
      return s.length === 1 && s;
    });
    assert.equal(slice!.addressType, 'IPv4');
    assert.match(slice!.metadata.name ?? '', /^ext-/);
    assert.deepEqual(slice!.metadata.labels, { team: 'a', 'kubernetes.io/service-name': 'ext', 'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io' });
    assert.deepEqual(slice!.metadata.annotations, { note: 'hand-made' });
    assert.deepEqual(slice!.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Endpoints', name: 'ext', uid: ep.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    assert.deepEqual(slice!.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    const byIp = new Map((slice!.endpoints ?? []).map((e) => [e.addresses[0], e]));
    assert.deepEqual(byIp.get('192.0.2.1'), { addresses: ['192.0.2.1'], conditions: { ready: true } });
    assert.deepEqual(byIp.get('192.0.2.2'), { addresses: ['192.0.2.2'], conditions: { ready: true }, nodeName: 'n1', hostname: 'two' });
    assert.deepEqual(byIp.get('192.0.2.3'), { addresses: ['192.0.2.3'], conditions: { ready: false } });

    await c.client.patch({ ...ENDPOINTS, namespace: ns, name: 'ext' }, 'merge', { subsets: [{ addresses: [{ ip: '192.0.2.9' }], ports: [{ name: 'http', port: 8080 }] }] });
    const [updated] = await until('updated', async () => {
      const s = await mirrored('ext');
      return s.length === 1 && s[0]!.endpoints?.length === 1 && s;
    });
    assert.equal(updated!.metadata.name, slice!.metadata.name, 'the same slice, rewritten');
    assert.deepEqual(updated!.endpoints?.[0]?.addresses, ['192.0.2.9']);

    // IPv6 addresses go into a slice of their own.
    await c.client.patch({ ...ENDPOINTS, namespace: ns, name: 'ext' }, 'merge', { subsets: [{ addresses: [{ ip: '192.0.2.9' }, { ip: '2001:db8::9' }], ports: [{ name: 'http', port: 8080 }] }] });
    const both = await until('two address types', async () => {
      const s = await mirrored('ext');
      return s.length === 2 && s;
    });
    assert.deepEqual(both.map((s) => s.addressType).sort(), ['IPv4', 'IPv6']);
  });

  it('removes the mirrored slices when the Endpoints go', async () => {
    await setup('e1');
    await until('mirrored', async () => (await mirrored('e1')).length === 1);
    await c.client.delete({ ...ENDPOINTS, namespace: ns, name: 'e1' });
    await until('slices removed', async () => (await mirrored('e1')).length === 0);
  });

  it('removes them when the service goes (its Endpoints go too)', async () => {
    await setup('e2');
    await until('mirrored', async () => (await mirrored('e2')).length === 1);
    await c.client.delete({ ...SERVICES, namespace: ns, name: 'e2' });
    await until('slices removed', async () => (await mirrored('e2')).length === 0);
    await until('Endpoints removed by the Endpoints controller', async () =>
      c.client.get({ ...ENDPOINTS, namespace: ns, name: 'e2' }).then(() => false, () => true));
  });

  it('removes them when the service gains a selector, or the Endpoints ask not to be mirrored', async () => {
    await setup('e3');
    await until('mirrored', async () => (await mirrored('e3')).length === 1);
    await c.client.patch({ ...SERVICES, namespace: ns, name: 'e3' }, 'merge', { spec: { selector: { app: 'x' } } });
    await until('slices removed after selector', async () => (await mirrored('e3')).length === 0);

    await setup('e4');
    await until('mirrored', async () => (await mirrored('e4')).length === 1);
    await c.client.patch({ ...ENDPOINTS, namespace: ns, name: 'e4' }, 'merge', { metadata: { labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } } });
    await until('slices removed after skip-mirror', async () => (await mirrored('e4')).length === 0);
  });

  it('does not mirror Endpoints labelled skip-mirror (as the apiserver labels its own) or holding a leader-election record', async () => {
    await setup('e5');
    const custom = (name: string, meta: Record<string, unknown>) =>
      c.client.create({ ...ENDPOINTS, namespace: ns }, { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, ...meta }, subsets: [{ addresses: [{ ip: '192.0.2.7' }], ports: [{ port: 80 }] }] });
    for (const name of ['skipped', 'lock']) {
      await c.client.create({ ...SERVICES, namespace: ns }, { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }] } });
    }
    await custom('skipped', { labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } });
    await custom('lock', { annotations: { 'control-plane.alpha.kubernetes.io/leader': '{}' } });
    await until('e5 mirrored', async () => (await mirrored('e5')).length === 1);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(await mirrored('skipped'), []);
    assert.deepEqual(await mirrored('lock'), []);
  });
});
