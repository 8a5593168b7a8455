import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IpPool, nodeInternalIp, nodePodCidr, nodeRangeCount, parseCidr } from './ip-pool.ts';

describe('node ranges', () => {
  test('each node gets its own /24 of the cluster CIDR, by index', () => {
    const cluster = parseCidr('10.128.0.0/9');
    assert.equal(nodeRangeCount(cluster, 24), 32768);
    assert.equal(nodePodCidr(cluster, 24, 0), '10.128.0.0/24');
    assert.equal(nodePodCidr(cluster, 24, 1), '10.128.1.0/24');
    assert.equal(nodePodCidr(cluster, 24, 300), '10.129.44.0/24');
    assert.throws(() => nodePodCidr(cluster, 24, 32768), /does not fit/);
    assert.equal(nodePodCidr(parseCidr('10.244.0.0/16'), 26, 5), '10.244.1.64/26');
  });

  test('fake InternalIPs are unique per index', () => {
    const ips = new Set(Array.from({ length: 70_000 }, (_, i) => nodeInternalIp(i)));
    assert.equal(ips.size, 70_000);
    assert.equal(nodeInternalIp(0), '10.64.0.1');
    assert.equal(nodeInternalIp(65_536), '10.65.0.1');
  });

  test('bad CIDRs are refused', () => {
    assert.throws(() => parseCidr('10.0.0.1/24'), /host bits/);
    assert.throws(() => parseCidr('10.0.0.0/33'), /invalid/);
    assert.throws(() => parseCidr('10.0.0/8'), /invalid/);
  });
});

describe('IpPool', () => {
  test('hands out .2 upward, next-fit after releases, never network/gateway/broadcast, until full', () => {
    const pool = new IpPool('10.1.2.0/29');
    assert.equal(pool.available, 5);
    const got = [pool.allocate(), pool.allocate(), pool.allocate()];
    assert.deepEqual(got, ['10.1.2.2', '10.1.2.3', '10.1.2.4']);
    pool.release('10.1.2.3');
    assert.deepEqual([pool.allocate(), pool.allocate(), pool.allocate()], ['10.1.2.5', '10.1.2.6', '10.1.2.3']);
    assert.equal(pool.allocate(), undefined, 'full');
    pool.release('10.1.2.1');
    pool.release('10.9.9.9');
    assert.equal(pool.allocate(), undefined, 'releasing what it never gave changes nothing');
  });

  test('reserve() takes an address an adopted pod already has', () => {
    const pool = new IpPool('10.1.2.0/24');
    assert.equal(pool.reserve('10.1.2.2'), true);
    assert.equal(pool.reserve('10.1.2.2'), false);
    assert.equal(pool.reserve('10.1.3.2'), false);
    assert.equal(pool.allocate(), '10.1.2.3');
  });
});
