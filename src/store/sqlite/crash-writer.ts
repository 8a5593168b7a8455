// Child process of crash.test.ts: opens the store at argv[2] (with the writer placement argv[4]) and
// runs a write storm (32 concurrent writers, each creating a key and then updating it twice by
// compare-and-swap) until it is killed.
// Each acknowledged write is printed as "<key> <revision>" the moment its promise resolves; stdout
// to a pipe is synchronous on Linux, so a printed line was acknowledged before any SIGKILL.

import { SqliteStore, type SqliteWriter } from './sqlite-store.ts';

const file = process.argv[2];
const tag = process.argv[3] ?? String(process.pid);
const placement = process.argv[4] as SqliteWriter | undefined;
if (file === undefined) throw new Error('usage: crash-writer.ts <db path> [tag] [writer]');

const store = await SqliteStore.open(placement === undefined ? { path: file } : { path: file, writer: placement });
const value = new Uint8Array(1024).fill(42);

async function writer(id: number): Promise<never> {
  for (let n = 0; ; n++) {
    const key = `/crash/${tag}/${id}/${n}`;
    let kv = await store.create(key, value);
    process.stdout.write(`${key} ${kv.modRevision}\n`);
    for (let u = 0; u < 2; u++) {
      kv = await store.update(key, value, kv.modRevision);
      process.stdout.write(`${key} ${kv.modRevision}\n`);
    }
  }
}

await Promise.all(Array.from({ length: 32 }, (_, i) => writer(i)));
