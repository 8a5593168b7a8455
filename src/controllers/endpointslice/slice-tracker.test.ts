import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SliceTracker } from './slice-tracker.ts';
import type { EndpointSlice } from './types.ts';

const slice = (uid: string, rv: number, service = 'web', generation?: number): EndpointSlice => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: uid, namespace: 'ns', uid, resourceVersion: String(rv), labels: { 'kubernetes.io/service-name': service }, ...(generation ? { generation } : {}) },
  addressType: 'IPv4',
});

describe('SliceTracker', () => {
  it('tells its own writes (no sync) from changes by others (sync)', () => {
    const t = new SliceTracker();
    assert.equal(t.shouldSync(slice('a', 10)), true, 'never written by us');
    t.update(slice('a', 10));
    assert.equal(t.shouldSync(slice('a', 10)), false, 'the event of our own write');
    assert.equal(t.shouldSync(slice('a', 12)), true, 'someone wrote after us');
    assert.equal(t.has(slice('a', 12)), true);
  });

  it('reports a stale cache: an older copy, a slice we deleted still listed, a slice we created not yet listed', () => {
    const t = new SliceTracker();
    assert.equal(t.staleSlices('ns', 'web', [slice('a', 1)]), false, 'nothing tracked');
    t.update(slice('a', 10));
    t.update(slice('b', 11));
    assert.equal(t.staleSlices('ns', 'web', [slice('a', 10), slice('b', 11)]), false);
    assert.equal(t.staleSlices('ns', 'web', [slice('a', 9), slice('b', 11)]), true, 'older than written');
    assert.equal(t.staleSlices('ns', 'web', [slice('a', 10)]), true, 'b created but not seen');
    t.expectDeletion(slice('b', 11));
    assert.equal(t.staleSlices('ns', 'web', [slice('a', 10), slice('b', 11)]), true, 'b deleted but still seen');
    assert.equal(t.staleSlices('ns', 'web', [slice('a', 10)]), false);
    assert.equal(t.staleSlices('ns', 'other', [slice('a', 1, 'other')]), false, 'per service');
  });

  it('expects its own deletions and repairs others', () => {
    const t = new SliceTracker();
    t.update(slice('a', 10));
    t.expectDeletion(slice('a', 10));
    assert.equal(t.handleDeletion(slice('a', 10)), true);
    assert.equal(t.has(slice('a', 10)), false);
    t.update(slice('b', 10));
    assert.equal(t.handleDeletion(slice('b', 10)), false, 'deleted by someone else');
    t.update(slice('c', 10));
    t.deleteService('ns', 'web');
    assert.equal(t.has(slice('c', 10)), false);
  });

  it('orders by generation when the server keeps one', () => {
    const t = new SliceTracker();
    t.update(slice('a', 50, 'web', 3));
    assert.equal(t.shouldSync(slice('a', 60, 'web', 3)), false, 'a metadata-only change keeps the generation');
    assert.equal(t.shouldSync(slice('a', 70, 'web', 4)), true);
  });
});
