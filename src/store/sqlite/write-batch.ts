// Applying one group-commit batch: every queued write is validated in call order against the
// state that includes the earlier writes of the same batch (the lookups run inside the batch's
// transaction, so they see its own inserts) and gets the next revision. A failed check becomes
// that write's result instead of an exception, so it fails alone and the batch still commits.

import { StoreError, type KeyValue, type StoreEvent } from '../types.ts';
import type { LatestRow, LogDb } from './log-db.ts';

export const OP_CREATE = 0;
export const OP_UPDATE = 1;
export const OP_DELETE = 2;

/** A write waiting for the next commit. */
export class PendingWrite {
  readonly op: number;
  readonly key: string;
  /** The new value; null for deletes. */
  readonly value: Uint8Array | null;
  /** Required modRevision for update and compare-and-swap delete. */
  readonly expected: number | undefined;
  readonly resolve: (kv: KeyValue) => void;
  readonly reject: (err: Error) => void;
  constructor(
    op: number,
    key: string,
    value: Uint8Array | null,
    expected: number | undefined,
    resolve: (kv: KeyValue) => void,
    reject: (err: Error) => void,
  ) {
    this.op = op;
    this.key = key;
    this.value = value;
    this.expected = expected;
    this.resolve = resolve;
    this.reject = reject;
  }
}

export interface AppliedBatch {
  /** The last revision handed out (unchanged if every write failed its check). */
  readonly revision: number;
  /** Per write, in batch order: its KeyValue or the StoreError it fails with. */
  readonly results: (KeyValue | StoreError)[];
  /** The events of the successful writes, in revision order. */
  readonly events: StoreEvent[];
}

/** Validates and inserts `batch`; must run inside a transaction. `revision` is the last one used. */
export function applyBatch(db: LogDb, batch: readonly PendingWrite[], revision: number, now: number): AppliedBatch {
  const results = new Array<KeyValue | StoreError>(batch.length);
  const events: StoreEvent[] = [];
  let rev = revision;
  for (let i = 0; i < batch.length; i++) {
    const w = batch[i]!;
    const key = w.key;
    const row = db.latest.get(key) as unknown as LatestRow | undefined;
    const cur: KeyValue | undefined =
      row === undefined || row[3] !== 0 ? undefined : { key, value: row[1]!, createRevision: row[2], modRevision: row[0] };
    if (w.op === OP_CREATE) {
      if (cur !== undefined) {
        results[i] = new StoreError('exists', `key ${key} already exists`, cur);
        continue;
      }
      rev++;
      db.insert.run(rev, key, w.value, rev, 0, 0, now);
      const kv: KeyValue = { key, value: w.value!, createRevision: rev, modRevision: rev };
      results[i] = kv;
      events.push({ type: 'put', kv, revision: rev });
      continue;
    }
    if (cur === undefined) {
      results[i] = new StoreError('not-found', `key ${key} not found`);
      continue;
    }
    if (w.expected !== undefined && w.expected !== cur.modRevision) {
      results[i] = new StoreError('conflict', `key ${key} is at revision ${cur.modRevision}, not ${w.expected}`, cur);
      continue;
    }
    rev++;
    if (w.op === OP_UPDATE) {
      db.insert.run(rev, key, w.value, cur.createRevision, cur.modRevision, 0, now);
      const kv: KeyValue = { key, value: w.value!, createRevision: cur.createRevision, modRevision: rev };
      results[i] = kv;
      events.push({ type: 'put', kv, prevKv: cur, revision: rev });
    } else {
      db.insert.run(rev, key, null, cur.createRevision, cur.modRevision, 1, now);
      const kv: KeyValue = { key, value: cur.value, createRevision: cur.createRevision, modRevision: rev };
      results[i] = kv;
      events.push({ type: 'delete', kv, prevKv: cur, revision: rev });
    }
  }
  return { revision: rev, results, events };
}
