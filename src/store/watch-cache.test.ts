// Freshness of the watch cache when the newest writes went to other prefixes: a consistent read
// must not wait for an event that will never come to this cache.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryStore, SqliteStore, type KeyValue, type Store } from './index.ts';
import { WatchCache } from './watch-cache.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const decode = (kv: KeyValue): string => new TextDecoder().decode(kv.value);

async function freshAfterOtherPrefixWrites(store: Store): Promise<void> {
  const a = new WatchCache(store, '/a/', { decode });
  const b = new WatchCache(store, '/b/', { decode });
  await a.start();
  await b.start();
  try {
    await store.create('/a/1', enc('one'));
    await store.create('/b/1', enc('two'));
    await store.create('/b/2', enc('three'));
    // The store is at revision 3; cache a last saw an event at revision 1.
    const started = Date.now();
    await a.waitFresh();
    assert.ok(Date.now() - started < 1000, 'waitFresh waited for an event of another prefix');
    await b.waitFresh();
    assert.deepEqual([...a.entries()].map((e) => e.object), ['one']);
    assert.deepEqual([...b.entries()].map((e) => e.object), ['two', 'three']);
    // Waiting for a revision not committed yet still waits, and resolves once it is.
    const waiting = a.waitForRevision(4, 2000);
    await store.create('/b/3', enc('four'));
    await waiting;
  } finally {
    a.close();
    b.close();
  }
}

test('waitFresh resolves when only other prefixes changed (memory store)', async () => {
  const store = new MemoryStore();
  await freshAfterOtherPrefixWrites(store);
  await store.close();
});

test('waitFresh resolves when only other prefixes changed (sqlite store)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'watch-cache-'));
  const store = await SqliteStore.open({ path: join(dir, 'db.sqlite'), compactionIntervalMs: 0 });
  try {
    await freshAfterOtherPrefixWrites(store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
