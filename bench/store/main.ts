// Store benchmark: SqliteStore writes and lists against a raw node:sqlite baseline measured in the
// same run (same schema, same pragmas, hand-batched transactions), so the ratio shows the cost of
// the store itself and stays meaningful on a shared, noisy machine.
//
// Both writer placements (SqliteStoreOptions.writer) are measured, in alternating repetitions
// (median reported). Besides writes/s each row gives the CPU time the event-loop thread spent per
// write ("loop µs"): what the store takes away from request handling in the API server. Time the
// loop spends blocked in fsync (inline) is not CPU and not in it; with the writer thread the loop
// is not blocked at all, but here every client waits for the same batch, so there is nothing for
// the loop to do meanwhile and the thread's round trip shows as lower writes/s.
//
//   node bench/store/main.ts [--writes 30000] [--writers 32] [--value-bytes 1024] [--reps 3]

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MemoryStore, SqliteStore, type SqliteStoreStats, type SqliteWriter, type Store } from '../../src/store/index.ts';
import { LogDb } from '../../src/store/sqlite/log-db.ts';

const { values: args } = parseArgs({
  options: {
    writes: { type: 'string', default: '30000' },
    writers: { type: 'string', default: '32' },
    'value-bytes': { type: 'string', default: '1024' },
    reps: { type: 'string', default: '3' },
  },
});
const WRITES = Number(args.writes);
const WRITERS = Number(args.writers);
const REPS = Number(args.reps);
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

interface Rate {
  /** Writes per second. */
  readonly rate: number;
  /** CPU time of the event-loop thread per write, in µs. */
  readonly loopUs: number;
  readonly stats?: SqliteStoreStats;
}

/** CPU time of the calling thread in µs. */
function threadCpu(): number {
  const u = process.threadCpuUsage();
  return u.user + u.system;
}

/** WRITERS concurrent clients, each awaiting its create before issuing the next. */
async function storeCreates(store: Store): Promise<Rate> {
  let next = 0;
  const start = performance.now();
  const cpu0 = threadCpu();
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (next < WRITES) await store.create(`/registry/pods/ns/p${next++}`, value);
    }),
  );
  return { rate: (WRITES / (performance.now() - start)) * 1000, loopUs: (threadCpu() - cpu0) / WRITES };
}

type Target = SqliteWriter | 'memory';

async function measure(target: Target): Promise<Rate> {
  if (target === 'memory') {
    const memory = new MemoryStore();
    try {
      return await storeCreates(memory);
    } finally {
      await memory.close();
    }
  }
  const sqlite = await SqliteStore.open({ path: dbPath(), writer: target });
  try {
    return { ...(await storeCreates(sqlite)), stats: sqlite.stats() };
  } finally {
    await sqlite.close();
  }
}

/** REPS alternating repetitions of every target; the median repetition of each by rate. */
async function compare(targets: readonly Target[]): Promise<Map<Target, Rate>> {
  const all = new Map<Target, Rate[]>(targets.map((t) => [t, []]));
  for (let r = 0; r < REPS; r++) for (const t of targets) all.get(t)!.push(await measure(t));
  const median = (xs: Rate[]): Rate => [...xs].sort((a, b) => a.rate - b.rate)[Math.floor(xs.length / 2)]!;
  return new Map([...all].map(([t, xs]) => [t, median(xs)]));
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

async function listTimes(): Promise<[number, number, number]> {
  const sqlite = await SqliteStore.open({ path: dbPath() });
  const memory = new MemoryStore();
  try {
    for (const s of [sqlite, memory]) {
      await Promise.all(Array.from({ length: WRITES }, (_, i) => s.create(`/registry/pods/ns/p${i}`, value)));
    }
    const [sqliteMs, listed] = await timeList(sqlite, '/registry/pods/ns/p1');
    const [memoryMs] = await timeList(memory, '/registry/pods/ns/p1');
    return [sqliteMs, memoryMs, listed];
  } finally {
    await Promise.all([sqlite.close(), memory.close()]);
  }
}

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
const NAMES: Record<Target, string> = {
  inline: 'SqliteStore, inline writer',
  thread: 'SqliteStore, writer thread',
  memory: 'MemoryStore',
};

function row(target: Target, r: Rate, base: number): string {
  const s = r.stats;
  const batch = s === undefined ? '' : `  mean batch ${(s.writes / s.commits).toFixed(1)}`;
  return `  ${NAMES[target].padEnd(34)} ${fmt(r.rate).padStart(8)} writes/s  ratio ${(r.rate / base).toFixed(2)}  loop ${r.loopUs.toFixed(1).padStart(4)} µs/write${batch}`;
}

try {
  rawCreates(); // warm up SQLite and the JIT
  const raw = rawCreates();
  const rates = await compare(['inline', 'thread', 'memory']);
  const [listMs, memListMs, listed] = await listTimes();

  console.log(`store creates, ${WRITES} writes of ${value.byteLength} B, ${WRITERS} concurrent writers, median of ${REPS}`);
  console.log(`  raw sqlite, ${WRITERS}-write transactions   ${fmt(raw).padStart(8)} writes/s  (baseline)`);
  for (const [t, r] of rates) console.log(row(t, r, raw));
  console.log(`list of ${listed} values: sqlite ${listMs.toFixed(1)} ms, memory ${memListMs.toFixed(1)} ms`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
