// The watch cache: initial list, event translation through watcher filters, replay windows, slow
// watchers, sorted pagination, freshness (also when the newest writes went to other prefixes: a
// consistent read must not wait for an event that will never come to this cache), frozen objects.

import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import { MemoryStore, SqliteStore, type KeyValue, type Store } from './index.ts';
import { TooOldResourceVersionError, WatchCache, type CachedObject, type WatchCacheOptions, type WatchEventType } from './watch-cache.ts';
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

// ---- the watch cache's own behaviour (memory store, injected clock) ----

interface Item {
  name: string;
  color?: string;
  nested?: { tags: string[] };
  /** The store revision the object was decoded at (its resourceVersion). */
  rv: number;
}

const encoder = new TextEncoder();
const put = (value: Omit<Item, 'rv'>): Uint8Array => encoder.encode(JSON.stringify(value));
const decodeItem = (kv: KeyValue): Item => ({ ...(JSON.parse(new TextDecoder().decode(kv.value)) as Omit<Item, 'rv'>), rv: kv.modRevision });

interface Seen {
  type: WatchEventType;
  name: string;
  color: string | undefined;
  revision: number;
}

function recorder(accept: (n: number) => boolean = () => true) {
  const seen: Seen[] = [];
  const sink = (type: WatchEventType, entry: CachedObject<Item>): boolean => {
    seen.push({ type, name: entry.object.name, color: entry.object.color, revision: entry.revision });
    return accept(seen.length);
  };
  return { seen, sink };
}

async function setup(options: Partial<WatchCacheOptions<Item>> = {}, prefix = '/items/') {
  const store = new MemoryStore();
  const cache = new WatchCache<Item>(store, prefix, { decode: decodeItem, ...options });
  /** Waits until the cache has applied everything the store committed. */
  const settle = async (): Promise<void> => {
    await cache.waitForRevision(await store.currentRevision(), 1000);
    // Deliveries to watchers run one event-loop turn after the cache applied the events.
    await new Promise((resolve) => setImmediate(resolve));
  };
  const close = async (): Promise<void> => {
    cache.close();
    await store.close();
  };
  return { store, cache, settle, close };
}

const all = () => true;
const isRed = (o: Item) => o.color === 'red';

describe('WatchCache', () => {
  it('replays superseded events with their own content once their serialized forms were dropped', async () => {
    const { store, cache, settle, close } = await setup();
    try {
      await cache.start();
      const live: string[] = [];
      cache.watch(0, all, (type, entry) => {
        live.push(`${type} ${entry.frame(type).toString().trim()}`);
        return true;
      });
      const a = await store.create('/items/a', put({ name: 'a', color: 'red' }));
      const a2 = await store.update('/items/a', put({ name: 'a', color: 'blue' }), a.modRevision);
      await settle();
      await store.update('/items/a', put({ name: 'a', color: 'green' }), a2.modRevision);
      await settle();
      // Every frame the live watcher got was complete and its own; a replay after the create gets
      // the same bytes again, made anew for the entries no longer current.
      const replayed: string[] = [];
      const w = cache.watch(a.modRevision, all, (type, entry) => {
        replayed.push(`${type} ${entry.frame(type).toString().trim()}`);
        return true;
      });
      await settle();
      assert.equal(live.length, 3);
      assert.deepEqual(replayed, live.slice(1));
      assert.match(live[0]!, /^ADDED \{"type":"ADDED","object":\{"name":"a","color":"red","rv":1\}\}$/);
      assert.match(live[1]!, /"color":"blue","rv":2/);
      assert.equal(cache.get('/items/a')?.json(), '{"name":"a","color":"green","rv":3}');
      w.close();
    } finally {
      await close();
    }
  });

  it('starts from a list of the prefix at the store revision', async () => {
    const { store, cache, close } = await setup();
    try {
      await store.create('/items/b', put({ name: 'b' }));
      await store.create('/items/a', put({ name: 'a' }));
      await store.create('/other/x', put({ name: 'x' }));
      await cache.start();
      assert.equal(cache.revision, 3);
      assert.equal(cache.size, 2);
      assert.deepEqual([...cache.entries()].map((e) => [e.key, e.object.name, e.revision]), [['/items/a', 'a', 2], ['/items/b', 'b', 1]]);
      assert.equal(cache.get('/items/a')?.object.rv, 2);
      assert.equal(cache.get('/other/x'), undefined);
      assert.equal(cache.start(), cache.start(), 'start is idempotent');
    } finally {
      await close();
    }
  });

  it('applies store events in order and reports them as ADDED, MODIFIED, DELETED', async () => {
    const { store, cache, settle, close } = await setup();
    try {
      await cache.start();
      const { seen, sink } = recorder();
      cache.watch(0, all, sink);
      const a = await store.create('/items/a', put({ name: 'a', color: 'red' }));
      await store.create('/other/a', put({ name: 'elsewhere' }));
      const a2 = await store.update('/items/a', put({ name: 'a', color: 'blue' }), a.modRevision);
      await store.create('/items/b', put({ name: 'b' }));
      await store.delete('/items/a', a2.modRevision);
      await settle();
      assert.deepEqual(seen, [
        { type: 'ADDED', name: 'a', color: 'red', revision: 1 },
        { type: 'MODIFIED', name: 'a', color: 'blue', revision: 3 },
        { type: 'ADDED', name: 'b', color: undefined, revision: 4 },
        // The deleted object carries its last state, at the delete's revision.
        { type: 'DELETED', name: 'a', color: 'blue', revision: 5 },
      ]);
      assert.equal(cache.revision, 5);
      assert.deepEqual([...cache.entries()].map((e) => e.key), ['/items/b']);
      assert.equal(cache.get('/items/a'), undefined);
    } finally {
      await close();
    }
  });

  it('translates events through a watcher predicate: moving in is ADDED, moving out is DELETED', async () => {
    const { store, cache, settle, close } = await setup();
    try {
      await cache.start();
      const { seen, sink } = recorder();
      cache.watch(0, isRed, sink);
      let kv = await store.create('/items/a', put({ name: 'a', color: 'blue' })); // 1: invisible
      kv = await store.update('/items/a', put({ name: 'a', color: 'red' }), kv.modRevision); // 2: moves in
      kv = await store.update('/items/a', put({ name: 'a', color: 'red', nested: { tags: ['x'] } }), kv.modRevision); // 3: stays in
      kv = await store.update('/items/a', put({ name: 'a', color: 'green' }), kv.modRevision); // 4: moves out
      kv = await store.update('/items/a', put({ name: 'a', color: 'blue' }), kv.modRevision); // 5: invisible
      await store.delete('/items/a', kv.modRevision); // 6: deleted while invisible
      const b = await store.create('/items/b', put({ name: 'b', color: 'red' })); // 7
      await store.delete('/items/b', b.modRevision); // 8
      await settle();
      assert.deepEqual(
        seen.map((s) => [s.type, s.name, s.revision]),
        [
          ['ADDED', 'a', 2],
          ['MODIFIED', 'a', 3],
          ['DELETED', 'a', 4],
          ['ADDED', 'b', 7],
          ['DELETED', 'b', 8],
        ],
      );
    } finally {
      await close();
    }
  });

  it('reports an object leaving the filter with its last matching content at the new revision', async () => {
    const { store, cache, settle, close } = await setup({ withRevision: (o, rv) => ({ ...o, rv }) });
    try {
      await cache.start();
      const { seen, sink } = recorder();
      cache.watch(0, isRed, sink);
      const kv = await store.create('/items/a', put({ name: 'a', color: 'red' }));
      await store.update('/items/a', put({ name: 'a', color: 'green' }), kv.modRevision);
      await settle();
      assert.deepEqual(seen.at(-1), { type: 'DELETED', name: 'a', color: 'red', revision: kv.modRevision + 1 });
    } finally {
      await close();
    }
  });

  it('a watch started before queued deliveries flush sees each event exactly once', async () => {
    const { store, cache, close } = await setup();
    try {
      await cache.start();
      await store.create('/items/a', put({ name: 'a' }));
      await cache.waitForRevision(await store.currentRevision(), 1000);
      // The event is in the cache but not yet fanned out: a new watch from 0 gets it as a
      // synthetic ADDED and must not get it again from the pending fan-out.
      const { seen, sink } = recorder();
      cache.watch(0, all, sink);
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(seen.map((e) => [e.type, e.name]), [['ADDED', 'a']]);
    } finally {
      await close();
    }
  });

  it('tells the owner when it ends a watch itself', async () => {
    const { store, cache, settle, close } = await setup();
    try {
      await cache.start();
      let ended = 0;
      cache.watch(0, all, () => false, '/items/', () => ended++);
      await store.create('/items/a', put({ name: 'a' }));
      await settle();
      assert.equal(ended, 1);
      assert.equal(cache.watcherCount, 0);
    } finally {
      await close();
    }
  });

  it('watch from 0 sends a synthetic ADDED per matching object in key order, then live events', async () => {
    const { store, cache, settle, close } = await setup();
    try {
      await store.create('/items/c', put({ name: 'c', color: 'red' }));
      await store.create('/items/a', put({ name: 'a', color: 'red' }));
      await store.create('/items/b', put({ name: 'b', color: 'blue' }));
      await cache.start();
      const { seen, sink } = recorder();
      cache.watch(0, isRed, sink);
      assert.deepEqual(seen.map((s) => [s.type, s.name, s.revision]), [['ADDED', 'a', 2], ['ADDED', 'c', 1]]);
      await store.create('/items/d', put({ name: 'd', color: 'red' }));
      await settle();
      assert.deepEqual(seen.map((s) => [s.type, s.name, s.revision]).slice(2), [['ADDED', 'd', 4]]);
    } finally {
      await close();
    }
  });

  it('watch from a revision replays exactly the later events, then follows live', async () => {
    const { store, cache, settle, close } = await setup();
    try {
      await cache.start();
      const a = await store.create('/items/a', put({ name: 'a', color: 'red' })); // 1
      const b = await store.create('/items/b', put({ name: 'b', color: 'red' })); // 2
      await store.create('/items/c', put({ name: 'c', color: 'red' })); // 3
      await store.update('/items/a', put({ name: 'a', color: 'blue' }), a.modRevision); // 4
      await store.delete('/items/b', b.modRevision); // 5
      await settle();
      const { seen, sink } = recorder();
      cache.watch(2, all, sink);
      assert.deepEqual(seen.map((s) => [s.type, s.name, s.revision]), [['ADDED', 'c', 3], ['MODIFIED', 'a', 4], ['DELETED', 'b', 5]]);
      const fromNow = recorder();
      cache.watch(5, all, fromNow.sink);
      assert.equal(fromNow.seen.length, 0, 'nothing to replay after the current revision');
      await store.create('/items/d', put({ name: 'd' })); // 6
      await settle();
      assert.deepEqual(seen.map((s) => [s.type, s.name, s.revision]).slice(3), [['ADDED', 'd', 6]]);
      assert.deepEqual(fromNow.seen.map((s) => [s.type, s.name, s.revision]), [['ADDED', 'd', 6]]);
    } finally {
      await close();
    }
  });

  it('a watch restricted to a key prefix sees only that prefix, replayed and live', async () => {
    const { store, cache, settle, close } = await setup();
    try {
      await cache.start();
      await store.create('/items/ns1/a', put({ name: 'ns1-a' })); // 1
      await store.create('/items/ns10/a', put({ name: 'ns10-a' })); // 2
      await store.create('/items/ns2/a', put({ name: 'ns2-a' })); // 3
      await settle();
      const fromZero = recorder();
      cache.watch(0, all, fromZero.sink, '/items/ns1/');
      const fromOne = recorder();
      cache.watch(1, all, fromOne.sink, '/items/ns1/');
      await store.create('/items/ns1/b', put({ name: 'ns1-b' })); // 4
      await store.create('/items/ns2/b', put({ name: 'ns2-b' })); // 5
      await store.create('/items/ns10/b', put({ name: 'ns10-b' })); // 6
      await settle();
      assert.deepEqual(fromZero.seen.map((s) => s.name), ['ns1-a', 'ns1-b']);
      assert.deepEqual(fromOne.seen.map((s) => s.name), ['ns1-b']);
    } finally {
      await close();
    }
  });

  it('refuses a revision older than the event window (maxBytes)', async () => {
    // Each stored value here is 25 bytes: 60 bytes hold two of them.
    const { store, cache, settle, close } = await setup({ maxBytes: 60 });
    try {
      await cache.start();
      let kv = await store.create('/items/a', put({ name: 'a', color: 'v1' })); // 1
      kv = await store.update('/items/a', put({ name: 'a', color: 'v2' }), kv.modRevision); // 2
      kv = await store.update('/items/a', put({ name: 'a', color: 'v3' }), kv.modRevision); // 3
      await store.update('/items/a', put({ name: 'a', color: 'v4' }), kv.modRevision); // 4
      await settle();
      assert.equal(put({ name: 'a', color: 'v1' }).byteLength, 25);
      assert.throws(() => cache.watch(1, all, () => true), (err: unknown) => err instanceof TooOldResourceVersionError && err.oldest === 3);
      const { seen, sink } = recorder();
      cache.watch(2, all, sink);
      assert.deepEqual(seen.map((s) => [s.color, s.revision]), [['v3', 3], ['v4', 4]]);
    } finally {
      await close();
    }
  });

  it('refuses a revision older than the event window (maxEvents)', async () => {
    const { store, cache, settle, close } = await setup({ maxEvents: 2 });
    try {
      await cache.start();
      let kv = await store.create('/items/a', put({ name: 'a', color: 'v1' })); // 1
      kv = await store.update('/items/a', put({ name: 'a', color: 'v2' }), kv.modRevision); // 2
      kv = await store.update('/items/a', put({ name: 'a', color: 'v3' }), kv.modRevision); // 3
      await store.update('/items/a', put({ name: 'a', color: 'v4' }), kv.modRevision); // 4
      await settle();
      // Events 3 and 4 are remembered: a watch from 2 is complete, one from 1 would miss event 2.
      assert.throws(
        () => cache.watch(1, all, () => true),
        (err: unknown) => err instanceof TooOldResourceVersionError && err.requested === 1 && err.oldest === 3,
      );
      assert.equal(cache.watcherCount, 0);
      const { seen, sink } = recorder();
      cache.watch(2, all, sink);
      assert.deepEqual(seen.map((s) => [s.color, s.revision]), [['v3', 3], ['v4', 4]]);
    } finally {
      await close();
    }
  });

  it('refuses a revision older than the event window (windowMs, injected clock)', async () => {
    let now = 1_000;
    const { store, cache, settle, close } = await setup({ windowMs: 1_000, now: () => now });
    try {
      await store.create('/items/x', put({ name: 'x' })); // 1, before the cache started
      await store.create('/items/y', put({ name: 'y' })); // 2, before the cache started
      await cache.start();
      // The cache never saw event 2, so it cannot replay from 1.
      assert.throws(() => cache.watch(1, all, () => true), TooOldResourceVersionError);
      await store.create('/items/a', put({ name: 'a' })); // 3 at t=1000
      await settle();
      now = 1_900;
      await store.create('/items/b', put({ name: 'b' })); // 4 at t=1900: event 3 still in the window
      await settle();
      assert.deepEqual(recordFrom(cache, 2), ['a', 'b']);
      now = 2_500;
      await store.create('/items/c', put({ name: 'c' })); // 5 at t=2500: event 3 has left the window
      await settle();
      assert.throws(
        () => cache.watch(2, all, () => true),
        (err: unknown) => err instanceof TooOldResourceVersionError && err.requested === 2 && err.oldest === 4,
      );
      assert.deepEqual(recordFrom(cache, 3), ['b', 'c']);
    } finally {
      await close();
    }
  });

  it('closes a watcher whose sink reports it is too slow', async () => {
    const { store, cache, settle, close } = await setup();
    try {
      await cache.start();
      const slow = recorder((n) => n < 2);
      const handle = cache.watch(0, all, slow.sink);
      const other = recorder();
      cache.watch(0, all, other.sink);
      assert.equal(cache.watcherCount, 2);
      for (const name of ['a', 'b', 'c']) await store.create(`/items/${name}`, put({ name }));
      await settle();
      assert.deepEqual(slow.seen.map((s) => s.name), ['a', 'b'], 'nothing after the sink said false');
      assert.equal(handle.closed, true);
      assert.equal(cache.watcherCount, 1);
      assert.deepEqual(other.seen.map((s) => s.name), ['a', 'b', 'c']);

      // The same during the synthetic ADDED burst of a watch from 0.
      const burst = recorder(() => false);
      const h2 = cache.watch(0, all, burst.sink);
      assert.equal(burst.seen.length, 1);
      assert.equal(h2.closed, true);
      assert.equal(cache.watcherCount, 1);

      // And during a replay.
      const replay = recorder(() => false);
      const h3 = cache.watch(1, all, replay.sink);
      assert.equal(replay.seen.length, 1);
      assert.equal(h3.closed, true);
      assert.equal(cache.watcherCount, 1);
    } finally {
      await close();
    }
  });

  it('a closed watcher receives nothing more; closing the cache closes all watchers', async () => {
    const { store, cache, settle, close } = await setup();
    try {
      await cache.start();
      const a = recorder();
      const handle = cache.watch(0, all, a.sink);
      handle.close();
      handle.close();
      assert.equal(handle.closed, true);
      const b = recorder();
      const other = cache.watch(0, all, b.sink);
      await store.create('/items/a', put({ name: 'a' }));
      await settle();
      assert.deepEqual(a.seen, []);
      assert.equal(b.seen.length, 1);
      cache.close();
      assert.equal(other.closed, true);
      assert.equal(cache.watcherCount, 0);
    } finally {
      await close();
    }
  });

  it('lists entries sorted by key, within a key prefix, after a key (pagination)', async () => {
    const { store, cache, settle, close } = await setup();
    try {
      for (const key of ['ns2/a', 'ns1/c', 'ns10/a', 'ns1/a', 'ns1/b']) await store.create(`/items/${key}`, put({ name: key }));
      await cache.start();
      const keys = (it: Iterable<CachedObject<Item>>) => [...it].map((e) => e.key.slice('/items/'.length));
      assert.deepEqual(keys(cache.entries()), ['ns1/a', 'ns1/b', 'ns1/c', 'ns10/a', 'ns2/a']);
      assert.deepEqual(keys(cache.entries('/items/ns1/')), ['ns1/a', 'ns1/b', 'ns1/c'], 'ns10 is not in ns1');
      assert.deepEqual(keys(cache.entries('/items/ns1/', '/items/ns1/a')), ['ns1/b', 'ns1/c']);
      assert.deepEqual(keys(cache.entries('/items/ns1/', '/items/ns1/c')), []);
      assert.deepEqual(keys(cache.entries('/items/ns2/', '/items/ns1/b')), ['ns2/a'], 'an afterKey before the prefix starts at the prefix');
      assert.deepEqual(keys(cache.entries('/items/', '/items/ns1/bb')), ['ns1/c', 'ns10/a', 'ns2/a'], 'afterKey need not exist');

      // Page through two at a time.
      const pages: string[][] = [];
      let after: string | undefined;
      for (;;) {
        const page = [...cache.entries('/items/', after)].slice(0, 2);
        if (page.length === 0) break;
        pages.push(page.map((e) => e.object.name));
        after = page[page.length - 1]?.key;
      }
      assert.deepEqual(pages, [['ns1/a', 'ns1/b'], ['ns1/c', 'ns10/a'], ['ns2/a']]);

      // The order follows adds and deletes.
      await store.create('/items/ns1/0', put({ name: 'ns1/0' }));
      const b = await store.get('/items/ns1/b');
      await store.delete('/items/ns1/b', b?.modRevision);
      await settle();
      assert.deepEqual(keys(cache.entries('/items/ns1/')), ['ns1/0', 'ns1/a', 'ns1/c']);
    } finally {
      await close();
    }
  });

  it('waitForRevision resolves once the revision is applied and times out otherwise; waitFresh reads its writes', async () => {
    const { store, cache, close } = await setup();
    try {
      await cache.start();
      await cache.waitForRevision(0, 10);
      const waiting = cache.waitForRevision(2, 1000);
      let resolved = false;
      void waiting.then(() => (resolved = true));
      await store.create('/items/a', put({ name: 'a' }));
      await new Promise((r) => setImmediate(r));
      assert.equal(resolved, false, 'revision 1 is not revision 2');
      await store.create('/items/b', put({ name: 'b' }));
      await waiting;
      assert.equal(cache.revision, 2);
      await assert.rejects(cache.waitForRevision(3, 20), /did not reach revision 3/);

      await store.create('/items/c', put({ name: 'c' }));
      await cache.waitFresh();
      assert.equal(cache.get('/items/c')?.object.name, 'c');
    } finally {
      await close();
    }
  });

  it('freezes cached objects deeply and shares one JSON text per object', async () => {
    let serializations = 0;
    const decode = (kv: KeyValue) => {
      const item = decodeItem(kv);
      return { ...item, toJSON: () => (serializations++, { name: item.name, nested: item.nested }) };
    };
    const store = new MemoryStore();
    const cache = new WatchCache(store, '/items/', { decode });
    try {
      await store.create('/items/a', put({ name: 'a', nested: { tags: ['x'] } }));
      await cache.start();
      const entry = cache.get('/items/a');
      assert.ok(entry);
      assert.ok(Object.isFrozen(entry.object));
      assert.ok(Object.isFrozen(entry.object.nested));
      assert.ok(Object.isFrozen(entry.object.nested?.tags));
      assert.throws(() => {
        (entry.object as { name: string }).name = 'changed';
      }, TypeError);
      assert.throws(() => (entry.object.nested?.tags as string[]).push('y'), TypeError);

      const text = entry.json();
      assert.deepEqual(JSON.parse(text), { name: 'a', nested: { tags: ['x'] } });
      const seen: CachedObject<unknown>[] = [];
      cache.watch(0, () => true, (_type, e) => (seen.push(e), true));
      assert.equal(seen[0], entry, 'watchers get the same cached entry');
      assert.equal(seen[0]?.json(), text);
      assert.equal([...cache.entries()][0]?.json(), text);
      assert.equal(serializations, 1, 'serialized once for every reader');
    } finally {
      cache.close();
      await store.close();
    }
  });
});

function recordFrom(cache: WatchCache<Item>, revision: number): string[] {
  const { seen, sink } = recorder();
  cache.watch(revision, all, sink).close();
  return seen.map((s) => s.name);
}
