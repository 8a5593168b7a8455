// Store benchmark: SqliteStore writes and lists against a raw node:sqlite baseline measured in the
// same run (same schema, same pragmas, hand-batched transactions), so the ratio shows the cost of
// the store itself and stays meaningful on a shared, noisy machine.
//
//   node bench/store/main.ts [--writes 30000] [--writers 32] [--value-bytes 1024]

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MemoryStore, SqliteStore, type Store } from '../../src/store/index.ts';
import { LogDb } from '../../src/store/sqlite/log-db.ts';

const { values: args } = parseArgs({
  options: {
    writes: { type: 'string', default: '30000' },
    writers: { type: 'string', default: '32' },
    'value-bytes': { type: 'string', default: '1024' },
  },
});
const WRITES = Number(args.writes);
const WRITERS = Number(args.writers);
const value = new Uint8Array(Number(args['value-bytes'])).fill(97);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-store-'));
let runs = 0;
const dbPath = (): string => path.join(dir, `r${++runs}`, 'state.db');

/** Raw baseline: WRITERS-sized batches of lookup + insert, one durable transaction each. */
function rawCreates(): number {
  const file = dbPath();
  fs.mkdirSync(path.dirname(file));
  const db = new LogDb(file, 5000);
  const start = performance.now();
  let id = 0;
  while (id < WRITES) {
    db.transaction(() => {
      for (let j = 0; j < WRITERS && id < WRITES; j++) {
        id++;
        const key = `/registry/pods/ns/p${id}`;
        db.latest.get(key);
        db.insert.run(id, key, value, id, 0, 0, Date.now());
      }
    });
  }
  const ms = performance.now() - start;
  db.close();
  return (WRITES / ms) * 1000;
}

/** WRITERS concurrent clients, each awaiting its create before issuing the next. */
async function storeCreates(store: Store): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (next < WRITES) await store.create(`/registry/pods/ns/p${next++}`, value);
    }),
  );
  return (WRITES / (performance.now() - start)) * 1000;
}

async function timeList(store: Store, prefix: string): Promise<[number, number]> {
  let best = Infinity;
  let n = 0;
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    n = (await store.list(prefix)).items.length;
    best = Math.min(best, performance.now() - start);
  }
  return [best, n];
}

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');

try {
  rawCreates(); // warm up SQLite and the JIT
  const raw = rawCreates();
  const sqlite = await SqliteStore.open({ path: dbPath() });
  const viaStore = await storeCreates(sqlite);
  const stats = sqlite.stats();
  const [listMs, listed] = await timeList(sqlite, '/registry/pods/ns/p1');
  await sqlite.close();
  const memory = new MemoryStore();
  const viaMemory = await storeCreates(memory);
  const [memListMs] = await timeList(memory, '/registry/pods/ns/p1');
  await memory.close();

  console.log(`store creates, ${WRITES} writes of ${value.byteLength} B, ${WRITERS} concurrent writers`);
  console.log(`  raw sqlite, ${WRITERS}-write transactions  ${fmt(raw)} writes/s (baseline)`);
  console.log(`  SqliteStore (group commit)         ${fmt(viaStore)} writes/s  ratio ${(viaStore / raw).toFixed(2)}`);
  console.log(`    ${stats.commits} commits, mean batch ${(stats.writes / stats.commits).toFixed(1)}, max ${stats.maxBatch}`);
  console.log(`  MemoryStore                        ${fmt(viaMemory)} writes/s  ratio ${(viaMemory / raw).toFixed(2)}`);
  console.log(`list of ${listed} values: sqlite ${listMs.toFixed(1)} ms, memory ${memListMs.toFixed(1)} ms`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
