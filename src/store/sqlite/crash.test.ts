// Durability under SIGKILL: a child process runs a write storm and prints every acknowledged
// write; the parent kills it mid-storm, reopens the store and checks that every acknowledged write
// is there (at that revision or a later one), three times over on the same file.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { SqliteStore, type SqliteWriter } from './sqlite-store.ts';

const writerScript = fileURLToPath(new URL('./crash-writer.ts', import.meta.url));

/** Runs the writer until it has acknowledged at least `minAcks` writes, then SIGKILLs it. */
async function stormAndKill(file: string, tag: string, writer: SqliteWriter, minAcks: number): Promise<Map<string, number>> {
  const child = spawn(process.execPath, [writerScript, file, tag, writer], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  const acks = new Map<string, number>();
  let count = 0;
  let rest = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop()!; // a partial line may be cut by the kill: only whole lines count
        for (const line of lines) {
          const [key, rev] = line.split(' ');
          acks.set(key!, Math.max(acks.get(key!) ?? 0, Number(rev)));
          count++;
        }
        if (count >= minAcks && child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.once('exit', () => (count >= minAcks ? resolve() : reject(new Error(`writer exited early: ${stderr}`))));
    });
    assert.equal(await exited, 'SIGKILL');
  } finally {
    clearTimeout(timer);
    child.kill('SIGKILL');
  }
  return acks;
}

for (const writer of ['inline', 'thread'] as const) {
  test(`every acknowledged write survives SIGKILL of the writer (writer: ${writer})`, { timeout: 60_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-crash-'));
    const file = path.join(dir, 'state.db');
    try {
      let lastRevision = 0;
      for (let round = 0; round < 3; round++) {
        const acks = await stormAndKill(file, `r${round}`, writer, 300);
        const store = await SqliteStore.open({ path: file, writer });
        try {
          const current = await store.currentRevision();
          let maxAcked = 0;
          for (const [key, rev] of acks) {
            const kv = await store.get(key);
            assert.ok(kv !== undefined, `acknowledged ${key}@${rev} is missing after the crash`);
            assert.ok(kv.modRevision >= rev, `${key} is at ${kv.modRevision}, but ${rev} was acknowledged`);
            maxAcked = Math.max(maxAcked, rev);
          }
          assert.ok(current >= maxAcked, `current revision ${current} < acknowledged ${maxAcked}`);
          assert.ok(maxAcked > lastRevision, 'revisions continue across crashes');
          const next = await store.create(`/after/${round}`, new Uint8Array(1));
          assert.equal(next.modRevision, current + 1);
          lastRevision = next.modRevision;
        } finally {
          await store.close();
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
