import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EndpointAddress, EndpointSubset } from '../endpointslice/index.ts';
import { truncateSubsets } from './capacity.ts';

const addrs = (prefix: string, n: number): EndpointAddress[] => Array.from({ length: n }, (_, i) => ({ ip: `${prefix}.${i >> 8}.${i & 255}` }));
const count = (subsets: EndpointSubset[]) => subsets.map((s) => [s.addresses?.length ?? 0, s.notReadyAddresses?.length ?? 0]);

describe('truncateSubsets', () => {
  it('leaves Endpoints of up to 1000 addresses alone', () => {
    const subsets = [{ addresses: addrs('10.0', 600), notReadyAddresses: addrs('10.1', 400), ports: [{ port: 80 }] }];
    assert.deepEqual(truncateSubsets(subsets), { subsets, truncated: false });
  });

  it('keeps every ready address and shares the rest of the room among not-ready ones in proportion', () => {
    const r = truncateSubsets([
      { addresses: addrs('10.0', 500), notReadyAddresses: addrs('10.1', 300), ports: [{ port: 80 }] },
      { addresses: addrs('10.2', 100), notReadyAddresses: addrs('10.3', 600), ports: [{ port: 81 }] },
    ]);
    assert.equal(r.truncated, true);
    // 400 places for 900 not-ready: ceil(300/900*400) = 134, then the remaining 266.
    assert.deepEqual(count(r.subsets), [[500, 134], [100, 266]]);
    assert.deepEqual(r.subsets[0]!.ports, [{ port: 80 }]);
  });

  it('with more than 1000 ready addresses drops every not-ready one and shares 1000 among the ready', () => {
    const r = truncateSubsets([
      { addresses: addrs('10.0', 1500), notReadyAddresses: addrs('10.1', 10) },
      { addresses: addrs('10.2', 500) },
    ]);
    assert.deepEqual(count(r.subsets), [[750, 0], [250, 0]]);
    assert.equal(r.subsets[0]!.notReadyAddresses, undefined);
  });

  it('drops subsets that end up without addresses rather than write an invalid object', () => {
    const r = truncateSubsets(
      [{ addresses: addrs('10.0', 3) }, { addresses: addrs('10.1', 3) }, { addresses: addrs('10.2', 3) }],
      4,
    );
    // ceil(3/9*4) = 2, then 2, then nothing left.
    assert.deepEqual(count(r.subsets), [[2, 0], [2, 0]]);
  });
});
