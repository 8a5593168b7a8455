import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Endpoints, EndpointSlice } from '../endpointslice/index.ts';
import { mirrorDesired } from './desired.ts';
import { planMirror } from './mirror-plan.ts';

function endpoints(subsets: NonNullable<Endpoints['subsets']>, meta: Partial<Endpoints['metadata']> = {}): Endpoints {
  return { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'ext', namespace: 'ns', uid: 'ep-uid', ...meta }, subsets };
}

const ips = (n: number, prefix = '10.0'): { ip: string }[] => Array.from({ length: n }, (_, i) => ({ ip: `${prefix}.${i >> 8}.${i & 255}` }));
const port = { name: 'http', port: 8080, protocol: 'TCP' };
const plan = (ep: Endpoints, existing: EndpointSlice[] = [], max = 1000) => planMirror(ep, existing, mirrorDesired(ep, max), max);

/** What the API server would hand back after a create of `s`. */
const stored = (s: EndpointSlice, name: string): EndpointSlice => ({ ...structuredClone(s), metadata: { ...structuredClone(s.metadata), name, resourceVersion: '7' } });

describe('mirrorDesired and planMirror', () => {
  it('mirrors a subset into one slice: ready and not ready addresses, node, hostname, target; labels and annotations copied', () => {
    const ep = endpoints(
      [{ addresses: [{ ip: '10.0.0.1', nodeName: 'n1', hostname: 'h', targetRef: { kind: 'Pod', name: 'p', namespace: 'ns' } }], notReadyAddresses: [{ ip: '10.0.0.2' }], ports: [port] }],
      { labels: { team: 'a' }, annotations: { note: 'x', 'endpoints.kubernetes.io/last-change-trigger-time': 't', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
    );
    const p = plan(ep);
    assert.equal(p.create.length, 1);
    const s = p.create[0]!;
    assert.equal(s.metadata.generateName, 'ext-');
    assert.deepEqual(s.metadata.labels, { team: 'a', 'kubernetes.io/service-name': 'ext', 'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io' });
    assert.deepEqual(s.metadata.annotations, { note: 'x' });
    assert.deepEqual(s.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Endpoints', name: 'ext', uid: 'ep-uid', controller: true, blockOwnerDeletion: true }]);
    assert.deepEqual(s.endpoints, [
      { addresses: ['10.0.0.1'], conditions: { ready: true }, targetRef: { kind: 'Pod', name: 'p', namespace: 'ns' }, nodeName: 'n1', hostname: 'h' },
      { addresses: ['10.0.0.2'], conditions: { ready: false } },
    ]);
    assert.deepEqual(s.ports, [port]);
  });

  it('writes nothing when the slice already mirrors the Endpoints; rewrites it in place when anything differs', () => {
    const ep = endpoints([{ addresses: ips(3), ports: [port] }], { labels: { team: 'a' } });
    const current = stored(plan(ep).create[0]!, 'ext-abcde');
    assert.deepEqual(plan(ep, [current]), { create: [], update: [], delete: [] });

    const moved = plan(endpoints([{ addresses: ips(2), ports: [port] }], { labels: { team: 'a' } }), [current]);
    assert.deepEqual([moved.create.length, moved.delete.length], [0, 0]);
    assert.equal(moved.update[0]?.metadata.name, 'ext-abcde');
    assert.equal(moved.update[0]?.endpoints?.length, 2);

    const relabelled = plan(endpoints([{ addresses: ips(3), ports: [port] }], { labels: { team: 'b' } }), [current]);
    assert.equal(relabelled.update[0]?.metadata.labels?.['team'], 'b');

    const recreated = plan(endpoints([{ addresses: ips(3), ports: [port] }], { labels: { team: 'a' }, uid: 'new-uid' }), [current]);
    assert.equal(recreated.update[0]?.metadata.ownerReferences?.[0]?.uid, 'new-uid', 'an Endpoints recreated under the same name takes its slices over');
  });

  it('splits by address type and by port list; slices nobody needs are deleted or reused', () => {
    const ep = endpoints([
      { addresses: [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }], ports: [port] },
      { addresses: [{ ip: '10.0.0.2' }], ports: [{ name: 'admin', port: 9000, protocol: 'TCP' }] },
    ]);
    const p = plan(ep);
    assert.deepEqual(p.create.map((s) => `${s.addressType}:${s.ports?.[0]?.name}:${s.endpoints?.map((e) => e.addresses[0]).join()}`).sort(), [
      'IPv4:admin:10.0.0.2',
      'IPv4:http:10.0.0.1',
      'IPv6:http:fd00::1',
    ]);
    const v6 = stored(p.create.find((s) => s.addressType === 'IPv6')!, 'ext-v6');
    const onlyV4 = plan(endpoints([{ addresses: [{ ip: '10.0.0.1' }], ports: [port] }]), [v6]);
    assert.deepEqual(onlyV4.delete.map((s) => s.metadata.name), ['ext-v6']);
    const otherPort = stored(p.create.find((s) => s.ports?.[0]?.name === 'admin')!, 'ext-admin');
    const reused = plan(endpoints([{ addresses: [{ ip: '10.0.0.1' }], ports: [port] }]), [otherPort]);
    assert.deepEqual([reused.create.length, reused.delete.length], [0, 0]);
    assert.equal(reused.update[0]?.metadata.name, 'ext-admin', 'the slice to delete is rewritten instead of creating one');
    assert.deepEqual(reused.update[0]?.ports, [port]);
  });

  it('mirrors at most maxEndpointsPerSubset addresses per subset and skips addresses that are not IPs', () => {
    const d = mirrorDesired(endpoints([{ addresses: [...ips(4), { ip: 'not-an-ip' }], notReadyAddresses: ips(3, '10.9'), ports: [port] }]), 5);
    assert.deepEqual([d.invalid, d.skipped], [1, 3]);
    const group = [...d.groups.values()].find((g) => g.addressType === 'IPv4')!;
    assert.equal(group.endpoints.size, 5);
  });

  it('deletes all slices of Endpoints without addresses', () => {
    const current = stored(plan(endpoints([{ addresses: ips(1), ports: [port] }])).create[0]!, 'ext-1');
    assert.deepEqual(plan(endpoints([]), [current]).delete.map((s) => s.metadata.name), ['ext-1']);
  });
});
