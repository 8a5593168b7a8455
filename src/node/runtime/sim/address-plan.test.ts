import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AddressPlan, slotAddresses } from './address-plan.ts';
import { prefixSlotOffset, SLOT_BLOCK } from './ip-pool.ts';
import { nodeIdentity } from './node-object.ts';
import { resolveSimConfig } from './options.ts';
import type { Node } from './types.ts';

const asNode = (a: { podCIDR: string; internalIP: string }): Node => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name: 'x' }, spec: { podCIDR: a.podCIDR }, status: { addresses: [{ type: 'InternalIP', address: a.internalIP }] },
});

describe('simulator addresses', () => {
  test('the default prefix starts at slot 0; other prefixes at a block derived from the prefix', () => {
    assert.equal(prefixSlotOffset('sim-', 32768), 0);
    const offsets = ['a-', 'b-', 'edge-', 'dc1-', 'rack7-'].map((p) => prefixSlotOffset(p, 32768));
    for (const o of offsets) assert.ok(o % SLOT_BLOCK === 0 && o >= 0 && o < 32768, `${o}`);
    assert.equal(new Set(offsets).size, offsets.length, `distinct blocks ${offsets}`);
    assert.equal(prefixSlotOffset('a-', 32768), prefixSlotOffset('a-', 32768), 'stable');
    assert.equal(prefixSlotOffset('a-', 256), 0, 'a range smaller than two blocks has one start');
    const a = resolveSimConfig({ prefix: 'a-', nodes: 10 });
    const b = resolveSimConfig({ prefix: 'b-', nodes: 10 });
    assert.notEqual(nodeIdentity(a, 0).podCIDR, nodeIdentity(b, 0).podCIDR);
    assert.notEqual(nodeIdentity(a, 0).internalIP, nodeIdentity(b, 0).internalIP);
    assert.deepEqual(nodeIdentity(resolveSimConfig({}), 1), { name: 'sim-1', index: 1, internalIP: '10.64.0.2', podCIDR: '10.128.1.0/24', zone: 'sim-region-a' });
  });

  test('--node-cidr and --cluster-cidr set where the addresses come from; bad ranges are refused', () => {
    const c = resolveSimConfig({ nodeCidr: '192.168.0.0/24', clusterCidr: '10.244.0.0/16', addressOffset: 3 });
    assert.equal(c.addressSlots, 254);
    assert.deepEqual(slotAddresses(c, 3), { podCIDR: '10.244.3.0/24', internalIP: '192.168.0.4' });
    assert.deepEqual(nodeIdentity(c, 0).internalIP, '192.168.0.4');
    assert.throws(() => resolveSimConfig({ nodeCidr: '192.168.0.1/24' }), /host bits/);
    assert.throws(() => resolveSimConfig({ nodeCidr: '192.168.0.0/24', nodes: 255 }), /node count 255/);
    assert.throws(() => resolveSimConfig({ addressOffset: -1 }), /address offset/);
  });

  test('a plan skips what other Nodes hold, so two simulators in overlapping blocks stay disjoint', () => {
    // Same start on purpose: the second simulator sees the first one's Nodes and walks past them.
    const first = new AddressPlan(resolveSimConfig({ prefix: 'a-', addressOffset: 0 }));
    const taken = Array.from({ length: 1500 }, () => first.next());
    const second = new AddressPlan(resolveSimConfig({ prefix: 'b-', addressOffset: 0 }));
    for (const a of taken) second.reserve(asNode(a));
    const mine = Array.from({ length: 1500 }, () => second.next());
    const ranges = new Set([...taken, ...mine].map((a) => a.podCIDR));
    const ips = new Set([...taken, ...mine].map((a) => a.internalIP));
    assert.equal(ranges.size, 3000);
    assert.equal(ips.size, 3000);
    assert.equal(mine[0]!.podCIDR, '10.133.220.0/24', 'the first free slot after the other simulator’s 1,500');
  });

  test('a plan that runs out says so', () => {
    const plan = new AddressPlan(resolveSimConfig({ clusterCidr: '10.0.0.0/23', nodeCidrMaskSize: 24, nodes: 2 }));
    plan.reserve(asNode({ podCIDR: '10.0.1.0/24', internalIP: '10.9.9.9' }));
    assert.equal(plan.next().podCIDR, '10.0.0.0/24');
    assert.throws(() => plan.next(), /no free node address left/);
  });
});
