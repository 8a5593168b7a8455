import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runStoreContract } from '../contract.ts';
import { MemoryStore } from './memory-store.ts';

runStoreContract('memory', () => new MemoryStore());

describe('MemoryStore', () => {
  it('copies values so later changes to the caller buffer do not leak in', async () => {
    const store = new MemoryStore();
    const buf = new Uint8Array([1, 2, 3]);
    await store.create('/a', buf);
    buf[0] = 9;
    assert.deepEqual([...(await store.get('/a'))!.value], [1, 2, 3]);
    await store.close();
  });

  it('honours a custom value limit', async () => {
    const store = new MemoryStore({ maxValueBytes: 4 });
    await assert.rejects(store.create('/a', new Uint8Array(5)), { code: 'too-large' });
    await store.create('/a', new Uint8Array(4));
    await store.close();
  });

  it('forgets the keys of compacted tombstones', async () => {
    const store = new MemoryStore();
    for (let i = 0; i < 100; i++) await store.create(`/k/${i}`, new Uint8Array(1));
    for (let i = 0; i < 100; i += 2) await store.delete(`/k/${i}`);
    await store.compact(await store.currentRevision());
    assert.equal((await store.list('/k/')).items.length, 50);
    assert.equal((await store.list('/k/', { revision: await store.currentRevision() })).items.length, 50);
    await store.close();
  });
});
