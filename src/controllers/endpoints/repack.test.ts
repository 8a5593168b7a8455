import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EndpointAddress } from '../endpointslice/index.ts';
import { repackSubsets, subsetsEqual } from './repack.ts';

const addr = (ip: string, uid?: string): EndpointAddress => ({ ip, ...(uid ? { targetRef: { kind: 'Pod', name: uid, uid } } : {}) });
const http = { name: 'http', port: 8080, protocol: 'TCP' };
const admin = { name: 'admin', port: 9000, protocol: 'TCP' };

describe('repackSubsets', () => {
  it('merges one-address subsets sharing ports into one subset, sorted', () => {
    const out = repackSubsets([
      { addresses: [addr('10.0.0.2', 'b')], ports: [http] },
      { addresses: [addr('10.0.0.1', 'a')], ports: [http] },
      { notReadyAddresses: [addr('10.0.0.3', 'c')], ports: [http] },
    ]);
    assert.deepEqual(out, [{ addresses: [addr('10.0.0.1', 'a'), addr('10.0.0.2', 'b')], notReadyAddresses: [addr('10.0.0.3', 'c')], ports: [http] }]);
  });

  it('groups ports by the exact set of addresses behind them', () => {
    const out = repackSubsets([
      { addresses: [addr('10.0.0.1', 'a')], ports: [http] },
      { addresses: [addr('10.0.0.1', 'a')], ports: [admin] },
      { addresses: [addr('10.0.0.2', 'b')], ports: [admin] },
    ]);
    assert.equal(out.length, 2);
    assert.deepEqual(out.find((s) => s.ports?.length === 1 && s.ports[0]?.name === 'http')?.addresses, [addr('10.0.0.1', 'a')]);
    assert.deepEqual(out.find((s) => s.ports?.[0]?.name === 'admin')?.addresses, [addr('10.0.0.1', 'a'), addr('10.0.0.2', 'b')]);
    // Same addresses on both ports: one subset with both ports.
    const merged = repackSubsets([
      { addresses: [addr('10.0.0.1', 'a')], ports: [http] },
      { addresses: [addr('10.0.0.1', 'a')], ports: [admin] },
    ]);
    assert.deepEqual(merged, [{ addresses: [addr('10.0.0.1', 'a')], ports: [admin, http] }]);
  });

  it('lets not ready win over ready for the same address and port, and dedupes by IP and target uid', () => {
    const out = repackSubsets([
      { addresses: [addr('10.0.0.1', 'a'), addr('10.0.0.1', 'a')], ports: [http] },
      { notReadyAddresses: [addr('10.0.0.1', 'a')], ports: [http] },
      { addresses: [addr('10.0.0.1', 'other-pod')], ports: [http] },
    ]);
    assert.deepEqual(out, [{ addresses: [addr('10.0.0.1', 'other-pod')], notReadyAddresses: [addr('10.0.0.1', 'a')], ports: [http] }]);
  });

  it('keeps addresses without ports (headless services)', () => {
    assert.deepEqual(repackSubsets([{ addresses: [addr('10.0.0.2')] }, { addresses: [addr('10.0.0.1')] }]), [{ addresses: [addr('10.0.0.1'), addr('10.0.0.2')] }]);
    assert.deepEqual(repackSubsets([]), []);
  });

  it('gives the same layout whatever the input order', () => {
    const subsets = [
      { addresses: [addr('10.0.0.3', 'c')], ports: [admin] },
      { addresses: [addr('10.0.0.1', 'a')], ports: [http, admin] },
      { notReadyAddresses: [addr('10.0.0.2', 'b')], ports: [http] },
    ];
    assert.deepEqual(repackSubsets(subsets), repackSubsets([...subsets].reverse()));
  });
});

describe('subsetsEqual', () => {
  it('ignores the resourceVersion of targets and empty lists, nothing else', () => {
    const a = [{ addresses: [{ ip: '10.0.0.1', targetRef: { kind: 'Pod', name: 'a', uid: 'u', resourceVersion: '5' } }], ports: [http] }];
    const b = [{ addresses: [{ ip: '10.0.0.1', targetRef: { kind: 'Pod', name: 'a', uid: 'u' } }], notReadyAddresses: [], ports: [http] }];
    assert.equal(subsetsEqual(a, b), true);
    assert.equal(subsetsEqual(a, [{ ...b[0]!, ports: [admin] }]), false);
    assert.equal(subsetsEqual(undefined, []), true);
  });
});
