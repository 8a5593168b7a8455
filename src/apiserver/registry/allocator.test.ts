import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryStore } from '../../store/index.ts';
import { isStatusError } from '../../machinery/status-error.ts';
import { parseCidr, ServiceAllocator } from './allocator.ts';

const OPTIONS = { serviceCidr: '10.43.0.0/16', nodePortRange: [30000, 32767] as [number, number] };

async function allocatedKeys(store: MemoryStore, prefix: string): Promise<string[]> {
  return (await store.list(prefix)).items.map((kv) => kv.key.slice(prefix.length));
}

describe('parseCidr', () => {
  it('aligns the base to the prefix length and rejects what it cannot serve', () => {
    assert.deepEqual(parseCidr('10.43.0.0/16'), { base: 10 * 2 ** 24 + 43 * 2 ** 16, size: 65536 });
    assert.deepEqual(parseCidr('10.0.0.13/29'), { base: 10 * 2 ** 24 + 8, size: 8 });
    assert.throws(() => parseCidr('10.0.0.0'), /invalid service CIDR/);
    assert.throws(() => parseCidr('10.0.0.0/31'), /between \/8 and \/30/);
    assert.throws(() => parseCidr('10.0.0.0/4'), /between \/8 and \/30/);
  });
});

describe('ServiceAllocator', () => {
  it('keeps the first address for the kubernetes Service and knows the range', () => {
    const alloc = new ServiceAllocator(new MemoryStore(), OPTIONS);
    assert.equal(alloc.apiServerIp, '10.43.0.1');
    assert.equal(alloc.inRange('10.43.0.1'), true);
    assert.equal(alloc.inRange('10.43.255.254'), true);
    assert.equal(alloc.inRange('10.43.0.0'), false, 'network address');
    assert.equal(alloc.inRange('10.43.255.255'), false, 'broadcast address');
    assert.equal(alloc.inRange('10.44.0.1'), false);
    assert.equal(alloc.inRange('fd00::1'), false);
    assert.equal(alloc.inRange('None'), false);
  });

  it('hands out distinct IPs to concurrent allocations, even from two allocators on one store', async () => {
    const store = new MemoryStore();
    const a = new ServiceAllocator(store, OPTIONS);
    const b = new ServiceAllocator(store, OPTIONS);
    const ips = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).allocateIp(`ns/svc-${i}`)));
    assert.equal(new Set(ips).size, 40);
    for (const ip of ips) {
      assert.ok(a.inRange(ip), ip);
      assert.notEqual(ip, a.apiServerIp, 'the kubernetes Service address is not handed out while others are free');
    }
    assert.deepEqual((await allocatedKeys(store, '/registry/ranges/serviceips/')).sort(), [...ips].sort());
  });

  it('refuses an explicit reservation of a taken IP, and allocation skips reserved ones', async () => {
    const store = new MemoryStore();
    const alloc = new ServiceAllocator(store, OPTIONS);
    assert.equal(await alloc.reserveIp('10.43.0.2', 'default/first'), true);
    assert.equal(await alloc.reserveIp('10.43.0.2', 'default/second'), false);
    assert.equal(new TextDecoder().decode((await store.get('/registry/ranges/serviceips/10.43.0.2'))?.value), 'default/first', 'the owner stays');
    assert.equal(await alloc.reserveIp('10.43.0.3', 'default/third'), true);
    const next = await alloc.allocateIp('default/fourth');
    assert.ok(!['10.43.0.2', '10.43.0.3'].includes(next), next);
    assert.equal(await alloc.reserveIp(next, 'default/fifth'), false);
  });

  it('releases IPs for reuse, and releasing twice is harmless', async () => {
    const store = new MemoryStore();
    const alloc = new ServiceAllocator(store, OPTIONS);
    const ip = await alloc.allocateIp('default/a');
    await alloc.releaseIp(ip);
    await alloc.releaseIp(ip);
    assert.deepEqual(await allocatedKeys(store, '/registry/ranges/serviceips/'), []);
    assert.equal(await alloc.reserveIp(ip, 'default/b'), true);
  });

  it('exhausts a /29 after its six usable addresses and reuses a released one', async () => {
    const store = new MemoryStore();
    const alloc = new ServiceAllocator(store, { serviceCidr: '192.168.7.8/29', nodePortRange: [30000, 30001] });
    const ips = await Promise.all(Array.from({ length: 6 }, (_, i) => alloc.allocateIp(`ns/s${i}`)));
    assert.deepEqual([...ips].sort(), ['192.168.7.10', '192.168.7.11', '192.168.7.12', '192.168.7.13', '192.168.7.14', '192.168.7.9']);
    await assert.rejects(alloc.allocateIp('ns/extra'), (err: unknown) => {
      assert.ok(isStatusError(err));
      assert.equal(err.code, 500);
      assert.match(err.message, /range is full/);
      return true;
    });
    await alloc.releaseIp('192.168.7.12');
    assert.equal(await alloc.allocateIp('ns/extra'), '192.168.7.12');
    await assert.rejects(alloc.allocateIp('ns/more'), /range is full/);
  });

  it('allocates node ports from the configured range, distinct under concurrency, until it is full', async () => {
    const store = new MemoryStore();
    const alloc = new ServiceAllocator(store, { serviceCidr: '10.43.0.0/16', nodePortRange: [30000, 30004] });
    assert.equal(alloc.inPortRange(29999), false);
    assert.equal(alloc.inPortRange(30000), true);
    assert.equal(alloc.inPortRange(30004), true);
    assert.equal(alloc.inPortRange(30005), false);
    assert.equal(await alloc.reservePort(30002, 'ns/explicit'), true);
    assert.equal(await alloc.reservePort(30002, 'ns/again'), false);
    const ports = await Promise.all(Array.from({ length: 4 }, (_, i) => alloc.allocatePort(`ns/s${i}`)));
    assert.deepEqual([...ports].sort(), [30000, 30001, 30003, 30004]);
    await assert.rejects(alloc.allocatePort('ns/extra'), /failed to allocate a nodePort: range is full/);
    await alloc.releasePort(30003);
    await alloc.releasePort(30003);
    assert.equal(await alloc.allocatePort('ns/extra'), 30003);
  });
});
