import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EndpointSet } from './endpoint-set.ts';
import { reconcilePortMapping, recycleSlices, sliceToFill } from './slice-packing.ts';
import type { Endpoint, EndpointSlice, Service } from './types.ts';

const service: Service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'ns', uid: 'svc-uid' }, spec: { clusterIP: '10.96.0.10', selector: { app: 'web' } } };
const PORTS = [{ name: 'http', port: 8080, protocol: 'TCP' }];
const LABELS = { 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' };

const ep = (i: number, ready = true): Endpoint => ({
  addresses: [`10.0.${i >> 8}.${i & 255}`],
  conditions: { ready, serving: ready, terminating: false },
  targetRef: { kind: 'Pod', namespace: 'ns', name: `p${i}`, uid: `u${i}` },
  nodeName: 'n1',
});
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, k) => from + k);

function slice(name: string, ids: number[]): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'ns', resourceVersion: '5', labels: { ...LABELS }, ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'svc-uid', controller: true }] },
    addressType: 'IPv4',
    endpoints: ids.map((i) => ep(i)),
    ports: PORTS,
  };
}

function desired(ids: number[], ready = true): EndpointSet {
  const set = new EndpointSet();
  for (const i of ids) set.insert(ep(i, ready));
  return set;
}

const run = (existing: EndpointSlice[], want: EndpointSet, max = 100) =>
  reconcilePortMapping({ service, existing, desired: want, ports: PORTS, addressType: 'IPv4', maxEndpointsPerSlice: max, controllerName: 'endpointslice-controller.k8s.io' });

const sizes = (slices: EndpointSlice[]): number[] => slices.map((s) => s.endpoints?.length ?? 0).sort((a, b) => a - b);

describe('reconcilePortMapping', () => {
  it('packs 250 new endpoints into 100 + 100 + 50 new slices named after the service', () => {
    const r = run([], desired(range(0, 250)));
    assert.deepEqual(sizes(r.create), [50, 100, 100]);
    assert.deepEqual([r.update.length, r.delete.length, r.added], [0, 0, 250]);
    assert.equal(r.create[0]?.metadata.generateName, 'web-');
    assert.deepEqual(r.create[0]?.metadata.labels, LABELS);
    assert.deepEqual(r.create[0]?.ports, PORTS);
  });

  it('changes nothing when the slices already say it all', () => {
    const r = run([slice('a', range(0, 100)), slice('b', range(100, 150))], desired(range(0, 150)));
    assert.deepEqual([r.create.length, r.update.length, r.delete.length], [0, 0, 0]);
  });

  it('removes an endpoint from the one slice holding it; an emptied slice is deleted', () => {
    const r = run([slice('a', range(0, 100)), slice('b', [100])], desired(range(1, 100)));
    assert.deepEqual(r.update.map((s) => s.metadata.name), ['a']);
    assert.equal(r.update[0]?.endpoints?.length, 99);
    assert.equal(r.update[0]?.metadata.resourceVersion, '5', 'updates are conditional on what was read');
    assert.deepEqual(r.delete.map((s) => s.metadata.name), ['b']);
    assert.equal(r.removed, 2);
  });

  it('updates an endpoint whose conditions changed in place, without touching other slices', () => {
    const want = desired(range(0, 150));
    want.insert(ep(120, false));
    const r = run([slice('a', range(0, 100)), slice('b', range(100, 150))], want);
    assert.deepEqual(r.update.map((s) => s.metadata.name), ['b']);
    assert.equal(r.update[0]?.endpoints?.find((e) => e.targetRef?.name === 'p120')?.conditions?.ready, false);
    assert.equal(r.create.length, 0);
  });

  it('fills slices being updated anyway before anything else, fullest first', () => {
    // a: 90 → 89, b: 60 → 59 (one removed from each: both are updated); 15 new endpoints.
    const want = desired([...range(1, 90), ...range(100, 159), ...range(200, 215)]);
    const r = run([slice('a', range(0, 90)), slice('b', range(100, 160))], want);
    const a = r.update.find((s) => s.metadata.name === 'a')!;
    const b = r.update.find((s) => s.metadata.name === 'b')!;
    assert.equal(a.endpoints?.length, 100, 'the fuller slice is topped up first');
    assert.equal(b.endpoints?.length, 63);
    assert.equal(r.create.length, 0);
  });

  it('puts a few new endpoints into the unchanged slice they fit best rather than a new slice', () => {
    const r = run([slice('a', range(0, 95)), slice('b', range(100, 130))], desired([...range(0, 95), ...range(100, 130), ...range(200, 204)]));
    assert.deepEqual(r.update.map((s) => s.metadata.name), ['a'], '95 + 4 is closest to full');
    assert.equal(r.update[0]?.endpoints?.length, 99);
    assert.equal(r.create.length, 0);
  });

  it('rewrites slices whose labels no longer match the service', () => {
    const stale = slice('a', [1]);
    stale.metadata.labels = { ...LABELS, old: 'x' };
    const r = run([stale], desired([1]));
    assert.deepEqual(r.update.map((s) => s.metadata.labels), [LABELS]);
  });
});

describe('sliceToFill', () => {
  it('picks the slice that ends closest to full, or none when nothing has room', () => {
    const slices = [slice('a', range(0, 50)), slice('b', range(0, 90)), slice('c', range(0, 97))];
    assert.equal(sliceToFill(slices, 5, 100)?.metadata.name, 'b');
    assert.equal(sliceToFill(slices, 3, 100)?.metadata.name, 'c');
    assert.equal(sliceToFill(slices, 60, 100), undefined);
  });
});

describe('recycleSlices', () => {
  it('turns a create plus a delete of the same address type into an update of the deleted slice', () => {
    const fresh = run([], desired([7])).create[0]!;
    const old = slice('old', [1]);
    const foreign = slice('foreign', [2]);
    foreign.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'previous-incarnation' }];
    const changes = { create: [fresh], update: [] as EndpointSlice[], delete: [foreign, old] };
    recycleSlices(changes, (s) => s.metadata.ownerReferences?.[0]?.uid === 'svc-uid');
    assert.deepEqual(changes.create, []);
    assert.deepEqual(changes.delete.map((s) => s.metadata.name), ['foreign'], 'a slice of an older service of that name is not reused');
    assert.equal(changes.update[0]?.metadata.name, 'old');
    assert.equal(changes.update[0]?.metadata.generateName, undefined);
    assert.deepEqual(changes.update[0]?.endpoints?.map((e) => e.targetRef?.name), ['p7']);
  });
});
