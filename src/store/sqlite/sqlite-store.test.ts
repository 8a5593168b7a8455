import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import { runStoreContract, waitFor } from '../contract.ts';
import { isStoreError, type StoreEvent } from '../types.ts';
import { SqliteStore, type SqliteStoreOptions, type SqliteWriter } from './sqlite-store.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-sqlite-store-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshPath = (): string => path.join(root, `s${++n}`, 'state.db');
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

const WRITERS: readonly SqliteWriter[] = ['inline', 'thread'];

/** Row count of the log, read with a separate connection after the store is closed. */
function logRows(file: string): number {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM log').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

for (const writer of WRITERS) {
  runStoreContract(`sqlite (writer: ${writer})`, () => SqliteStore.open({ path: freshPath(), writer }));

  describe(`SqliteStore (writer: ${writer})`, () => {
    const open = (options: SqliteStoreOptions): Promise<SqliteStore> => SqliteStore.open({ writer, ...options });

    it('groups concurrent writes into fewer transactions, each write with its own revision', async () => {
      const store = await open({ path: freshPath() });
      const kvs = await Promise.all(Array.from({ length: 200 }, (_, i) => store.create(`/g/${i}`, enc(`${i}`))));
      const revs = kvs.map((kv) => kv.modRevision);
      assert.equal(new Set(revs).size, 200);
      assert.deepEqual(revs, [...revs].sort((a, b) => a - b), 'revisions follow call order');
      const stats = store.stats();
      assert.equal(stats.writes, 200);
      assert.ok(stats.commits < 200, `commits ${stats.commits}`);
      assert.ok(stats.commits <= 2, `one batch expected, got ${stats.commits} commits`);
      assert.equal((await store.list('/g/')).items.length, 200);
      // Writes issued while a batch is being committed go into the next batch.
      const follow = await Promise.all([store.update('/g/0', enc('x'), revs[0]!), store.delete('/g/1')]);
      assert.equal(store.stats().commits, stats.commits + 1);
      assert.deepEqual(follow.map((kv) => kv.modRevision), [revs[199]! + 1, revs[199]! + 2]);
      await store.close();
    });

    it('keeps data and continues revisions across close and reopen, even after compacting the newest rows', async () => {
      const file = freshPath();
      let store = await open({ path: file });
      const a = await store.create('/a', enc('a1'));
      await store.update('/a', enc('a2'), a.modRevision);
      const gone = await store.create('/gone', enc('g'));
      const del = await store.delete('/gone', gone.modRevision);
      await store.compact(del.modRevision); // deletes the tombstone: the newest row is gone
      await store.close();
      store = await open({ path: file });
      assert.equal(await store.currentRevision(), del.modRevision);
      assert.equal(await store.compactedRevision(), del.modRevision);
      assert.equal(dec((await store.get('/a'))!.value), 'a2');
      assert.equal(await store.get('/gone'), undefined);
      const next = await store.create('/b', enc('b'));
      assert.equal(next.modRevision, del.modRevision + 1);
      await store.close();
      assert.equal(logRows(file), 2);
    });

    it('commits writes queued before close and rejects later ones', async () => {
      const file = freshPath();
      const store = await open({ path: file });
      const pending = store.create('/late', enc('x'));
      await store.close();
      assert.equal((await pending).modRevision, 1);
      await assert.rejects(store.create('/after', enc('x')), (err) => isStoreError(err, 'closed'));
      const again = await open({ path: file });
      assert.equal(dec((await again.get('/late'))!.value), 'x');
      await again.close();
    });

    it('compacts history older than the window, keeping current values', async () => {
      const file = freshPath();
      let now = 1_000_000;
      const options: SqliteStoreOptions = { path: file, compactionWindowMs: 60_000, clock: () => now };
      let store = await open(options);
      let kv = await store.create('/c/a', enc('0'));
      for (let i = 1; i <= 10; i++) kv = await store.update('/c/a', enc(`${i}`), kv.modRevision);
      await store.create('/c/b', enc('b'));
      const tomb = await store.delete('/c/b');
      const old = tomb.modRevision; // 13 rows so far, all at t = 1_000_000
      now += 61_000;
      const recent = await store.update('/c/a', enc('new'), kv.modRevision);
      assert.equal(await store.compactExpired(), old);
      assert.equal(await store.compactedRevision(), old);
      assert.equal(store.stats().compactedRows, 12); // 10 superseded versions of /c/a, /c/b and its tombstone
      assert.deepEqual((await store.list('/c/', { revision: old })).items.map((x) => dec(x.value)), ['10']);
      await assert.rejects(store.list('/c/', { revision: old - 1 }), (err) => isStoreError(err, 'compacted'));
      assert.throws(() => store.watch('/c/', { afterRevision: old - 1 }, () => {}), (err) => isStoreError(err, 'compacted'));
      const events: StoreEvent[] = [];
      const w = store.watch('/c/', { afterRevision: old }, (b) => events.push(...b));
      await waitFor(() => events.length === 1, 'replay after compaction');
      assert.equal(events[0]!.revision, recent.modRevision);
      assert.equal(dec(events[0]!.prevKv!.value), '10');
      w.close();
      assert.equal(await store.compactExpired(), old, 'nothing newer is outside the window');
      await store.close();
      assert.equal(logRows(file), 2);
      store = await open(options);
      assert.equal(await store.compactedRevision(), old);
      await store.close();
    });

    it('compacts on its timer', async () => {
      const store = await open({ path: freshPath(), compactionWindowMs: 0, compactionIntervalMs: 20 });
      const kv = await store.create('/t', enc('1'));
      await store.update('/t', enc('2'), kv.modRevision);
      await waitFor(() => store.stats().compactedRows === 1, 'timer compaction');
      assert.equal(await store.compactedRevision(), kv.modRevision + 1);
      await store.close();
    });

    it('replays long histories page by page while writes continue, then turns live', async () => {
      const store = await open({ path: freshPath() });
      await Promise.all(Array.from({ length: 2500 }, (_, i) => store.create(`/r/${i}`, enc(`${i}`))));
      await store.create('/other/x', enc('x'));
      const seen: number[] = [];
      const w = store.watch('/r/', { afterRevision: 0 }, (batch) => {
        for (const ev of batch) seen.push(ev.revision);
      });
      const more = Promise.all(Array.from({ length: 300 }, (_, i) => store.update(`/r/${i}`, enc('u'), i + 1)));
      await more;
      await store.create('/r/last', enc('l'));
      await waitFor(() => seen.length === 2801, '2801 events');
      const want = [...Array.from({ length: 2500 }, (_, i) => i + 1), ...Array.from({ length: 301 }, (_, i) => 2502 + i)];
      assert.deepEqual(seen, want);
      w.close();
      await store.close();
    });

    it('replays a rare prefix across a history longer than one scan step', async () => {
      const store = await open({ path: freshPath() });
      const one = new Uint8Array(1);
      await Promise.all(Array.from({ length: 25_000 }, (_, i) => store.create(`/bulk/${i}`, one)));
      const rare = await store.create('/rare/x', one);
      await Promise.all(Array.from({ length: 25_000 }, (_, i) => store.delete(`/bulk/${i}`)));
      const seen: number[] = [];
      const w = store.watch('/rare/', { afterRevision: 0 }, (batch) => seen.push(...batch.map((ev) => ev.revision)));
      await waitFor(() => seen.length === 1, 'the rare event');
      const live = await store.update('/rare/x', one, rare.modRevision);
      await waitFor(() => seen.length === 2, 'the live event');
      assert.deepEqual(seen, [rare.modRevision, live.modRevision]);
      w.close();
      await store.close();
    });

    it('ends a replaying watch with compacted when compaction overtakes it', async () => {
      const store = await open({ path: freshPath() });
      let kv = await store.create('/k', enc('0'));
      for (let i = 0; i < 5; i++) kv = await store.update('/k', enc(`${i}`), kv.modRevision);
      const w = store.watch('/', { afterRevision: 0 }, () => {});
      await store.compact(kv.modRevision);
      const err = await w.done;
      assert.ok(isStoreError(err, 'compacted'), String(err));
      await store.close();
    });

    it('refuses a second open of the same file and names the holder', async () => {
      const file = freshPath();
      const store = await open({ path: file });
      await assert.rejects(open({ path: file }), /already open by this process/);
      await store.close();
      const again = await open({ path: file });
      await again.close();
      assert.equal(fs.existsSync(`${file}.lock`), false);
    });

    it('takes over the lock file of a dead process', async () => {
      const file = freshPath();
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const dead = spawnSync(process.execPath, ['-e', '']).pid!;
      fs.writeFileSync(`${file}.lock`, `${dead}\n`);
      const store = await open({ path: file });
      assert.equal(fs.readFileSync(`${file}.lock`, 'utf8').trim(), String(process.pid));
      await store.close();
    });

    it('keeps other processes out of an open database file', async () => {
      const file = freshPath();
      const store = await open({ path: file });
      await store.create('/a', enc('1'));
      const reader = `
        const { DatabaseSync } = require('node:sqlite');
        new DatabaseSync(process.argv[1], { timeout: 50 }).prepare('SELECT COUNT(*) FROM log').get();`;
      const probe = spawnSync(process.execPath, ['-e', reader, file], { encoding: 'utf8' });
      assert.notEqual(probe.status, 0, 'a second process could read the database');
      assert.match(probe.stderr, /locked|busy/i);
      await store.close();
    });

    it('lists 10,000 values of 1 KiB quickly', async () => {
      const store = await open({ path: freshPath() });
      const value = new Uint8Array(1024).fill(120);
      await Promise.all(Array.from({ length: 10_000 }, (_, i) => store.create(`/registry/pods/ns/p${i}`, value)));
      await store.create('/registry/podsx/ns/p', value);
      const start = performance.now();
      const res = await store.list('/registry/pods/');
      const ms = performance.now() - start;
      assert.equal(res.items.length, 10_000);
      assert.ok(ms < 1000, `list took ${ms.toFixed(1)} ms`);
      const keys = res.items.map((kv) => kv.key);
      assert.deepEqual(keys, [...keys].sort());
      await store.close();
    });

    it('reads a write as soon as its promise resolves, and not before', async () => {
      const store = await open({ path: freshPath() });
      let kv = await store.create('/ryw', enc('0'));
      let early = 0;
      for (let i = 1; i <= 100; i++) {
        // Unrelated writes around each update keep batches committing while it is read.
        const noise = Promise.all(Array.from({ length: 4 }, (_, j) => store.create(`/noise/${i}/${j}`, enc('n'))));
        let acked = false;
        const update = store.update('/ryw', enc(String(i)), kv.modRevision).then((r) => ((acked = true), r));
        while (!acked) {
          const got = (await store.get('/ryw'))!; // get reads when called, so `acked` is still current
          if (!acked) {
            assert.equal(dec(got.value), String(i - 1), 'an unacknowledged write was visible');
            assert.equal((await store.list('/ryw')).items[0]!.modRevision, kv.modRevision);
            early++;
          }
          await new Promise((resolve) => setImmediate(resolve));
        }
        kv = await update;
        const got = (await store.get('/ryw'))!;
        assert.deepEqual([dec(got.value), got.modRevision], [String(i), kv.modRevision]);
        assert.equal((await store.list('/ryw')).items[0]!.modRevision, kv.modRevision);
        assert.ok((await store.currentRevision()) >= kv.modRevision);
        await noise;
      }
      assert.ok(early > 0, 'every read happened after the write was acknowledged: the test checked nothing');
      await store.close();
    });

    it('fails to open with the reason when the database cannot be opened, and releases the lock', async () => {
      const file = freshPath();
      fs.mkdirSync(file, { recursive: true }); // a directory where the database file should be
      await assert.rejects(open({ path: file }), /cannot open store/);
      assert.equal(fs.existsSync(`${file}.lock`), false);
    });
  });
}

describe('SqliteStore whose writer thread dies', () => {
  /** A writer module that runs the real one but ends the thread when the first batch arrives. */
  const dying = (how: string): URL => {
    const real = new URL('./commit-worker.ts', import.meta.url).href;
    const code = `import { parentPort } from 'node:worker_threads';
      parentPort.on('message', (msg) => { if (msg.t === 'batch') { ${how}; } });
      await import(${JSON.stringify(real)});`;
    return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
  };

  // Exiting stops the thread before the real writer sees the batch; a throwing listener does not
  // stop the others, so the batch may commit before the thread dies: the writes' fate is unknown
  // to their callers then (as after any crash between commit and answer), but they still fail.
  for (const [name, how, committed] of [
    ['exits', 'process.exit(3)', false],
    ['throws', "throw new Error('boom')", undefined],
  ] as const) {
    it(`fails pending writes, closes and ends watches when the thread ${name}`, async () => {
      const file = freshPath();
      const store = await SqliteStore.open({ path: file, writer: 'thread' }, { writerEntry: dying(how) });
      const watch = store.watch('/', { afterRevision: 0 }, () => {});
      const writes = [store.create('/a', enc('a')), store.create('/b', enc('b'))];
      for (const w of writes) await assert.rejects(w, /writer thread failed/);
      assert.match(String(await watch.done), /writer thread failed/);
      await assert.rejects(store.get('/a'), (err) => isStoreError(err, 'closed'));
      await assert.rejects(store.create('/c', enc('c')), (err) => isStoreError(err, 'closed'));
      await store.close();
      // The store let go of the file: a new one opens it and goes on from what was committed.
      const again = await SqliteStore.open({ path: file, writer: 'thread' });
      if (committed === false) assert.equal(await again.get('/a'), undefined);
      const current = await again.currentRevision();
      assert.equal((await again.create('/d', enc('d'))).modRevision, current + 1);
      await again.close();
    });
  }
});
