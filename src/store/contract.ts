// The behaviour every Store backend must have, as a reusable node:test suite. Each backend's test
// file calls runStoreContract with a factory for a fresh, empty store; the suite closes it after
// each test. Keeping one suite is what lets unit tests run on MemoryStore with confidence that
// SQLite and etcd behave the same.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isStoreError, type KeyValue, type Store, type StoreEvent, type Watch } from './types.ts';

export type StoreFactory = () => Store | Promise<Store>;

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Resolves once `pred()` holds; fails the test after `timeoutMs`. */
export async function waitFor(pred: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

interface Recorder {
  readonly events: StoreEvent[];
  readonly batches: (readonly StoreEvent[])[];
  readonly watch: Watch;
  /** Waits until `n` events have arrived. */
  until(n: number): Promise<void>;
}

function record(store: Store, prefix: string, afterRevision: number, signal?: AbortSignal): Recorder {
  const events: StoreEvent[] = [];
  const batches: (readonly StoreEvent[])[] = [];
  const options = signal === undefined ? { afterRevision } : { afterRevision, signal };
  const watch = store.watch(prefix, options, (batch) => {
    batches.push(batch);
    events.push(...batch);
  });
  return { events, batches, watch, until: (n) => waitFor(() => events.length >= n, `${n} events`) };
}

/** A compact, comparable form of an event. */
function show(ev: StoreEvent): string {
  const prev = ev.prevKv === undefined ? '' : ` prev=${dec(ev.prevKv.value)}@${ev.prevKv.modRevision}`;
  return `${ev.revision} ${ev.type} ${ev.kv.key}=${dec(ev.kv.value)}@${ev.kv.modRevision}/${ev.kv.createRevision}${prev}`;
}

function names(items: readonly KeyValue[]): string[] {
  return items.map((kv) => `${kv.key}=${dec(kv.value)}`);
}

async function rejectsWith(p: Promise<unknown>, code: Parameters<typeof isStoreError>[1]): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    assert.ok(isStoreError(err, code), `expected StoreError ${code}, got ${String(err)}`);
    return err;
  }
  return assert.fail(`expected StoreError ${code}, but the call succeeded`);
}

export function runStoreContract(name: string, factory: StoreFactory): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory();
    });
    afterEach(async () => {
      await store.close();
    });

    it('creates and gets a value; createRevision equals modRevision', async () => {
      assert.equal(await store.currentRevision(), 0);
      const kv = await store.create('/a', enc('one'));
      assert.equal(kv.key, '/a');
      assert.equal(dec(kv.value), 'one');
      assert.equal(kv.createRevision, kv.modRevision);
      assert.equal(await store.currentRevision(), kv.modRevision);
      const got = await store.get('/a');
      assert.deepEqual({ ...got!, value: dec(got!.value) }, { ...kv, value: 'one' });
      assert.equal(await store.get('/missing'), undefined);
    });

    it('gives strictly increasing revisions to every write', async () => {
      const revs: number[] = [];
      revs.push((await store.create('/a', enc('1'))).modRevision);
      revs.push((await store.create('/b', enc('1'))).modRevision);
      revs.push((await store.update('/a', enc('2'), revs[0]!)).modRevision);
      revs.push((await store.delete('/b')).modRevision);
      const concurrent = await Promise.all([1, 2, 3, 4, 5].map((i) => store.create(`/c${i}`, enc('x'))));
      revs.push(...concurrent.map((kv) => kv.modRevision));
      for (let i = 1; i < revs.length; i++) assert.ok(revs[i]! > revs[i - 1]!, `revisions ${revs.join(',')}`);
      assert.equal(await store.currentRevision(), revs[revs.length - 1]);
    });

    it('fails create of a live key with exists and the current value', async () => {
      const kv = await store.create('/a', enc('one'));
      const err = (await rejectsWith(store.create('/a', enc('two')), 'exists')) as { current?: KeyValue };
      assert.equal(err.current?.modRevision, kv.modRevision);
      assert.equal(dec(err.current!.value), 'one');
      assert.equal(dec((await store.get('/a'))!.value), 'one');
    });

    it('updates by compare-and-swap', async () => {
      const kv1 = await store.create('/a', enc('one'));
      const kv2 = await store.update('/a', enc('two'), kv1.modRevision);
      assert.equal(kv2.createRevision, kv1.createRevision);
      assert.ok(kv2.modRevision > kv1.modRevision);
      assert.equal(dec(kv2.value), 'two');
      const err = (await rejectsWith(store.update('/a', enc('three'), kv1.modRevision), 'conflict')) as {
        current?: KeyValue;
      };
      assert.equal(err.current?.modRevision, kv2.modRevision);
      assert.equal(dec(err.current!.value), 'two');
      await rejectsWith(store.update('/missing', enc('x'), 1), 'not-found');
      assert.equal(dec((await store.get('/a'))!.value), 'two');
    });

    it('deletes, optionally by compare-and-swap, returning the last value at the delete revision', async () => {
      const kv1 = await store.create('/a', enc('one'));
      const kv2 = await store.update('/a', enc('two'), kv1.modRevision);
      const err = (await rejectsWith(store.delete('/a', kv1.modRevision), 'conflict')) as { current?: KeyValue };
      assert.equal(err.current?.modRevision, kv2.modRevision);
      const del = await store.delete('/a', kv2.modRevision);
      assert.equal(dec(del.value), 'two');
      assert.equal(del.createRevision, kv1.createRevision);
      assert.ok(del.modRevision > kv2.modRevision);
      assert.equal(await store.currentRevision(), del.modRevision);
      assert.equal(await store.get('/a'), undefined);
      await rejectsWith(store.delete('/a'), 'not-found');
      await rejectsWith(store.update('/a', enc('x'), del.modRevision), 'not-found');
      const again = await store.create('/a', enc('new'));
      assert.equal(again.createRevision, again.modRevision);
      assert.ok(again.createRevision > del.modRevision);
      await store.delete('/a');
      assert.equal(await store.get('/a'), undefined);
    });

    it('lists live keys under a prefix only, sorted by key', async () => {
      const keys = ['/registry/pods/b/y', '/registry/podsx/z', '/registry/pods/a/x', '/registry/pod'];
      for (const key of [...keys, '/registry/pods/a/gone', '/registry/pods/']) {
        await store.create(key, enc(key.length.toString()));
      }
      await store.delete('/registry/pods/a/gone');
      const res = await store.list('/registry/pods/');
      assert.deepEqual(
        res.items.map((kv) => kv.key),
        ['/registry/pods/', '/registry/pods/a/x', '/registry/pods/b/y'],
      );
      assert.equal(res.revision, await store.currentRevision());
      assert.deepEqual((await store.list('/registry/podsx/')).items.map((kv) => kv.key), ['/registry/podsx/z']);
      assert.equal((await store.list('')).items.length, 5);
      assert.deepEqual((await store.list('/nothing/')).items, []);
    });

    it('lists the state at a past revision', async () => {
      const a1 = await store.create('/p/a', enc('a1'));
      const b1 = await store.create('/p/b', enc('b1'));
      const a2 = await store.update('/p/a', enc('a2'), a1.modRevision);
      const bDel = await store.delete('/p/b');
      const c1 = await store.create('/p/c', enc('c1'));
      const expect: [number, string[]][] = [
        [0, []],
        [a1.modRevision, ['/p/a=a1']],
        [b1.modRevision, ['/p/a=a1', '/p/b=b1']],
        [a2.modRevision, ['/p/a=a2', '/p/b=b1']],
        [bDel.modRevision, ['/p/a=a2']],
        [c1.modRevision, ['/p/a=a2', '/p/c=c1']],
      ];
      for (const [rev, want] of expect) {
        const res = await store.list('/p/', { revision: rev });
        assert.deepEqual(names(res.items), want, `at revision ${rev}`);
        assert.equal(res.revision, rev);
        if (rev > 0) {
          const kv = res.items.find((x) => x.key === '/p/a');
          assert.ok(kv === undefined || kv.modRevision <= rev);
        }
      }
    });

    it('keeps what list-at-revision and watch need across compaction', async () => {
      const a1 = await store.create('/p/a', enc('a1'));
      await store.create('/p/b', enc('b1'));
      const a2 = await store.update('/p/a', enc('a2'), a1.modRevision);
      await store.delete('/p/b');
      await store.create('/p/gone', enc('g'));
      await store.delete('/p/gone');
      const a3 = await store.update('/p/a', enc('a3'), a2.modRevision);
      await store.compact(a2.modRevision);
      assert.equal(await store.compactedRevision(), a2.modRevision);
      assert.deepEqual(names((await store.list('/p/', { revision: a2.modRevision })).items), ['/p/a=a2', '/p/b=b1']);
      assert.deepEqual(names((await store.list('/p/', { revision: a2.modRevision + 1 })).items), ['/p/a=a2']);
      await rejectsWith(store.list('/p/', { revision: a2.modRevision - 1 }), 'compacted');
      const rec = record(store, '/p/', a2.modRevision);
      await rec.until(4);
      assert.deepEqual(rec.events.map(show), [
        `${a2.modRevision + 1} delete /p/b=b1@${a2.modRevision + 1}/2 prev=b1@2`,
        `${a2.modRevision + 2} put /p/gone=g@${a2.modRevision + 2}/${a2.modRevision + 2}`,
        `${a2.modRevision + 3} delete /p/gone=g@${a2.modRevision + 3}/${a2.modRevision + 2} prev=g@${a2.modRevision + 2}`,
        `${a3.modRevision} put /p/a=a3@${a3.modRevision}/1 prev=a2@${a2.modRevision}`,
      ]);
      rec.watch.close();
      // Compacting everything keeps the current values and forgets the tombstones.
      await store.compact(await store.currentRevision());
      assert.deepEqual(names((await store.list('/p/')).items), ['/p/a=a3']);
      assert.deepEqual(names((await store.list('/p/', { revision: a3.modRevision })).items), ['/p/a=a3']);
      assert.equal((await store.get('/p/a'))?.createRevision, 1);
      await store.compact(1); // older than the compacted revision: nothing to do
      assert.equal(await store.compactedRevision(), a3.modRevision);
      const b = await store.create('/p/b', enc('b2'));
      assert.ok(b.modRevision > a3.modRevision);
    });

    it('watches: replays history after afterRevision, then live events, without gaps or duplicates', async () => {
      const a1 = await store.create('/w/a', enc('a1'));
      const a2 = await store.update('/w/a', enc('a2'), a1.modRevision);
      const b1 = await store.create('/w/b', enc('b1'));
      const rec = record(store, '/w/', a1.modRevision);
      const live = store.create('/w/c', enc('c1')); // written while the replay is pending
      await rec.until(3);
      const c1 = await live;
      const d1 = await store.create('/w/d', enc('d1'));
      await store.delete('/w/a');
      await rec.until(5);
      assert.deepEqual(
        rec.events.map((ev) => ev.revision),
        [a2.modRevision, b1.modRevision, c1.modRevision, d1.modRevision, d1.modRevision + 1],
      );
      for (const ev of rec.events) assert.equal(ev.revision, ev.kv.modRevision);
      for (const batch of rec.batches) assert.ok(batch.length > 0);
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(rec.events.length, 5, 'no duplicates after a pause');
      rec.watch.close();
    });

    it('watches from the current revision see only new events', async () => {
      await store.create('/w/old', enc('x'));
      const rec = record(store, '/w/', await store.currentRevision());
      const kv = await store.create('/w/new', enc('y'));
      await rec.until(1);
      assert.deepEqual(rec.events.map(show), [`${kv.modRevision} put /w/new=y@${kv.modRevision}/${kv.modRevision}`]);
      rec.watch.close();
    });

    it('watches only keys under the prefix', async () => {
      const pods = record(store, '/registry/pods/', 0);
      await store.create('/registry/podsx/a', enc('x'));
      const kv = await store.create('/registry/pods/ns/a', enc('p'));
      await store.create('/registry/pod', enc('x'));
      const last = await store.create('/registry/pods/ns/b', enc('q'));
      await pods.until(2);
      assert.deepEqual(pods.events.map((ev) => ev.revision), [kv.modRevision, last.modRevision]);
      pods.watch.close();
    });

    it('refuses to watch from a compacted revision', async () => {
      const a = await store.create('/a', enc('1'));
      await store.update('/a', enc('2'), a.modRevision);
      await store.compact(a.modRevision + 1);
      assert.throws(() => store.watch('/', { afterRevision: a.modRevision }, () => {}), (err) => isStoreError(err, 'compacted'));
      const ok = store.watch('/', { afterRevision: a.modRevision + 1 }, () => {});
      ok.close();
    });

    it('gives prevKv on update and delete, none on create; a delete carries the last value', async () => {
      const rec = record(store, '/e/', 0);
      const a1 = await store.create('/e/a', enc('one'));
      const a2 = await store.update('/e/a', enc('two'), a1.modRevision);
      const del = await store.delete('/e/a');
      await rec.until(3);
      const [c, u, d] = rec.events;
      assert.equal(c!.type, 'put');
      assert.equal(c!.prevKv, undefined);
      assert.equal(u!.type, 'put');
      assert.equal(dec(u!.prevKv!.value), 'one');
      assert.equal(u!.prevKv!.modRevision, a1.modRevision);
      assert.equal(d!.type, 'delete');
      assert.equal(dec(d!.kv.value), 'two');
      assert.equal(d!.kv.modRevision, del.modRevision);
      assert.equal(d!.kv.createRevision, a1.createRevision);
      assert.equal(d!.prevKv!.modRevision, a2.modRevision);
      assert.equal(dec(d!.prevKv!.value), 'two');
      rec.watch.close();
    });

    it('stops delivery on close or abort and resolves done', async () => {
      const closed = record(store, '/', 0);
      const ac = new AbortController();
      const aborted = record(store, '/', 0, ac.signal);
      const kept = record(store, '/', 0);
      await store.create('/a', enc('1'));
      await kept.until(1);
      await closed.until(1);
      await aborted.until(1);
      closed.watch.close();
      closed.watch.close();
      ac.abort();
      assert.equal(await closed.watch.done, undefined);
      assert.equal(await aborted.watch.done, undefined);
      await store.create('/b', enc('2'));
      await kept.until(2);
      await new Promise((r) => setTimeout(r, 10));
      assert.equal(closed.events.length, 1);
      assert.equal(aborted.events.length, 1);
      kept.watch.close();
    });

    it('ends only the watch whose handler throws', async () => {
      const boom = new Error('handler bug');
      const bad = store.watch('/', { afterRevision: 0 }, () => {
        throw boom;
      });
      const good = record(store, '/', 0);
      await store.create('/a', enc('1'));
      assert.equal(await bad.done, boom);
      await store.create('/b', enc('2'));
      await good.until(2);
      good.watch.close();
    });

    it('lets exactly one of 100 concurrent compare-and-swap updates win, round after round', async () => {
      let kv = await store.create('/cas', enc('0'));
      for (let round = 1; round <= 5; round++) {
        const expected = kv.modRevision;
        const results = await Promise.allSettled(
          Array.from({ length: 100 }, (_, i) => store.update('/cas', enc(`${round}.${i}`), expected)),
        );
        const won = results.filter((r) => r.status === 'fulfilled');
        assert.equal(won.length, 1, `round ${round}`);
        kv = (won[0] as PromiseFulfilledResult<KeyValue>).value;
        for (const r of results) {
          if (r.status === 'rejected') {
            assert.ok(isStoreError(r.reason, 'conflict'));
            assert.equal(r.reason.current?.modRevision, kv.modRevision);
          }
        }
      }
      assert.equal((await store.get('/cas'))?.modRevision, kv.modRevision);
    });

    it('lets exactly one of concurrent creates of one key win', async () => {
      const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => store.create('/once', enc(`${i}`))));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) if (r.status === 'rejected') assert.ok(isStoreError(r.reason, 'exists'));
    });

    it('fails only the failing write among writes issued together', async () => {
      const base = await store.create('/x', enc('0'));
      const [a, dup, b, stale, missing, del] = await Promise.allSettled([
        store.create('/y', enc('y')),
        store.create('/y', enc('dup')),
        store.update('/x', enc('1'), base.modRevision),
        store.update('/x', enc('2'), base.modRevision),
        store.delete('/nope'),
        store.delete('/y'),
      ]);
      assert.equal(a.status, 'fulfilled');
      assert.ok(dup.status === 'rejected' && isStoreError(dup.reason, 'exists'));
      assert.equal(b.status, 'fulfilled');
      assert.ok(stale.status === 'rejected' && isStoreError(stale.reason, 'conflict'));
      assert.ok(missing.status === 'rejected' && isStoreError(missing.reason, 'not-found'));
      assert.equal(del.status, 'fulfilled');
      assert.equal(dec((await store.get('/x'))!.value), '1');
      assert.equal(await store.get('/y'), undefined);
    });

    it('stores values as opaque bytes', async () => {
      const bin = new Uint8Array([0, 255, 1, 0, 128, 10, 13]);
      await store.create('/bin', bin);
      await store.create('/empty', new Uint8Array(0));
      await store.create('/big', new Uint8Array(1024 * 1024).fill(7));
      assert.deepEqual([...(await store.get('/bin'))!.value], [...bin]);
      assert.equal((await store.get('/empty'))!.value.byteLength, 0);
      assert.equal((await store.get('/big'))!.value.byteLength, 1024 * 1024);
      assert.equal((await store.list('/')).items.length, 3);
    });

    it('rejects values above the size limit with too-large', async () => {
      await rejectsWith(store.create('/huge', new Uint8Array(4 * 1024 * 1024)), 'too-large');
      const kv = await store.create('/ok', enc('x'));
      await rejectsWith(store.update('/ok', new Uint8Array(4 * 1024 * 1024), kv.modRevision), 'too-large');
      assert.equal(await store.get('/huge'), undefined);
    });

    it('rejects operations after close and ends watches', async () => {
      const rec = record(store, '/', 0);
      const kv = await store.create('/a', enc('1'));
      await store.close();
      const ended = await rec.watch.done;
      assert.ok(isStoreError(ended, 'closed'));
      await rejectsWith(store.get('/a'), 'closed');
      await rejectsWith(store.list('/'), 'closed');
      await rejectsWith(store.create('/b', enc('1')), 'closed');
      await rejectsWith(store.update('/a', enc('2'), kv.modRevision), 'closed');
      await rejectsWith(store.delete('/a'), 'closed');
      await rejectsWith(store.currentRevision(), 'closed');
      assert.throws(() => store.watch('/', { afterRevision: 0 }, () => {}), (err) => isStoreError(err, 'closed'));
      await store.close(); // idempotent
    });
  });
}
