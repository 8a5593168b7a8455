// One group-commit batch, in the three steps it goes through:
//   encodeBatch (store thread)  the queued writes as columns, their values packed into one buffer
//                               that is transferred, not cloned, to the writer thread;
//   applyBatch (writer thread)  every write validated in call order against the state that
//                               includes the earlier writes of the same batch (the lookups run
//                               inside the batch's transaction, so they see its own inserts), and
//                               given the next revision; a failed check is that write's outcome,
//                               not an exception, so it fails alone and the batch still commits;
//   settleBatch (store thread)  the outcome turned back into each write's KeyValue or StoreError
//                               and the events of the batch.
// Request and outcome are plain data (numbers, strings, typed arrays), cheap to post between
// threads; the outcome carries only what the store thread does not already have (revisions and
// the values the writes replaced).

import { StoreError, type KeyValue, type StoreEvent } from '../types.ts';
import type { LatestRow, LogDb } from './log-db.ts';

export const OP_CREATE = 0;
export const OP_UPDATE = 1;
export const OP_DELETE = 2;

const OK = 0;
const EXISTS = 1;
const NOT_FOUND = 2;
const CONFLICT = 3;

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

/** Byte strings (or nulls) packed end to end into one buffer; a length of -1 stands for null. */
export interface PackedBytes {
  readonly buffer: ArrayBuffer;
  readonly lengths: Int32Array;
}

/** A batch as the writer receives it: one entry per write in every column. */
export interface BatchRequest {
  readonly ops: Uint8Array;
  readonly keys: string[];
  /** The modRevision a write requires, -1 for none. */
  readonly expected: Float64Array;
  readonly values: PackedBytes;
  /** Wall clock in ms, recorded with each row for compaction. */
  readonly now: number;
}

/** What the writer did with a batch; per-write columns in batch order. */
export interface BatchOutcome {
  /** The last revision handed out (unchanged if every write failed its check). */
  readonly revision: number;
  readonly status: Uint8Array;
  /** The live version each write found: modRevision (0 when the key was not live), createRevision, value. */
  readonly curMod: Float64Array;
  readonly curCreate: Float64Array;
  readonly curValues: PackedBytes;
}

/** Per write, in batch order: its KeyValue or the StoreError it fails with, and the batch's events. */
export interface SettledBatch {
  readonly revision: number;
  readonly results: (KeyValue | StoreError)[];
  /** The events of the successful writes, in revision order. */
  readonly events: StoreEvent[];
}

export function packBytes(list: readonly (Uint8Array | null)[]): PackedBytes {
  const lengths = new Int32Array(list.length);
  let total = 0;
  for (let i = 0; i < list.length; i++) {
    const b = list[i];
    lengths[i] = b == null ? -1 : b.byteLength;
    if (b != null) total += b.byteLength;
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const b of list) {
    if (b == null) continue;
    bytes.set(b, at);
    at += b.byteLength;
  }
  return { buffer: bytes.buffer, lengths };
}

/** Views into `packed.buffer`, one per packed entry. */
export function unpackBytes(packed: PackedBytes): (Uint8Array | null)[] {
  const out = new Array<Uint8Array | null>(packed.lengths.length);
  let at = 0;
  for (let i = 0; i < out.length; i++) {
    const len = packed.lengths[i]!;
    if (len < 0) {
      out[i] = null;
      continue;
    }
    out[i] = new Uint8Array(packed.buffer, at, len);
    at += len;
  }
  return out;
}

/** The buffers a request or outcome can hand over to the other thread instead of copying. */
export function transferables(msg: BatchRequest | BatchOutcome): ArrayBuffer[] {
  if ('ops' in msg) return [msg.ops.buffer as ArrayBuffer, msg.expected.buffer as ArrayBuffer, msg.values.buffer];
  return [msg.status.buffer as ArrayBuffer, msg.curMod.buffer as ArrayBuffer, msg.curCreate.buffer as ArrayBuffer, msg.curValues.buffer];
}

export function encodeBatch(batch: readonly PendingWrite[], now: number): BatchRequest {
  const n = batch.length;
  const ops = new Uint8Array(n);
  const keys = new Array<string>(n);
  const expected = new Float64Array(n);
  const values = new Array<Uint8Array | null>(n);
  for (let i = 0; i < n; i++) {
    const w = batch[i]!;
    ops[i] = w.op;
    keys[i] = w.key;
    expected[i] = w.expected ?? -1;
    values[i] = w.value;
  }
  return { ops, keys, expected, values: packBytes(values), now };
}

/** Validates and inserts a batch; must run inside a transaction. `revision` is the last one used. */
export function applyBatch(db: LogDb, req: BatchRequest, revision: number): BatchOutcome {
  const n = req.keys.length;
  const values = unpackBytes(req.values);
  const status = new Uint8Array(n);
  const curMod = new Float64Array(n);
  const curCreate = new Float64Array(n);
  const curValues = new Array<Uint8Array | null>(n).fill(null);
  const now = req.now;
  let rev = revision;
  for (let i = 0; i < n; i++) {
    const key = req.keys[i]!;
    const op = req.ops[i]!;
    const row = db.latest.get(key) as unknown as LatestRow | undefined;
    const live = row !== undefined && row[3] === 0;
    if (live) {
      curMod[i] = row[0];
      curCreate[i] = row[2];
      curValues[i] = row[1];
    }
    if (op === OP_CREATE) {
      if (live) {
        status[i] = EXISTS;
        continue;
      }
      rev++;
      db.insert.run(rev, key, values[i]!, rev, 0, 0, now);
      continue;
    }
    if (!live) {
      status[i] = NOT_FOUND;
      continue;
    }
    const expected = req.expected[i]!;
    if (expected !== -1 && expected !== row[0]) {
      status[i] = CONFLICT;
      continue;
    }
    rev++;
    if (op === OP_UPDATE) db.insert.run(rev, key, values[i]!, row[2], row[0], 0, now);
    else db.insert.run(rev, key, null, row[2], row[0], 1, now);
  }
  return { revision: rev, status, curMod, curCreate, curValues: packBytes(curValues) };
}

/** Turns the outcome of `batch` into results and events; `revision` is the last one before it. */
export function settleBatch(batch: readonly PendingWrite[], outcome: BatchOutcome, revision: number): SettledBatch {
  const results = new Array<KeyValue | StoreError>(batch.length);
  const events: StoreEvent[] = [];
  const curValues = unpackBytes(outcome.curValues);
  let rev = revision;
  for (let i = 0; i < batch.length; i++) {
    const w = batch[i]!;
    const key = w.key;
    const cur: KeyValue | undefined =
      outcome.curMod[i] === 0
        ? undefined
        : { key, value: curValues[i]!, createRevision: outcome.curCreate[i]!, modRevision: outcome.curMod[i]! };
    const status = outcome.status[i];
    if (status !== OK) {
      results[i] =
        status === EXISTS
          ? new StoreError('exists', `key ${key} already exists`, cur)
          : status === NOT_FOUND
            ? new StoreError('not-found', `key ${key} not found`)
            : new StoreError('conflict', `key ${key} is at revision ${cur!.modRevision}, not ${w.expected}`, cur);
      continue;
    }
    rev++;
    if (w.op === OP_CREATE) {
      const kv: KeyValue = { key, value: w.value!, createRevision: rev, modRevision: rev };
      results[i] = kv;
      events.push({ type: 'put', kv, revision: rev });
    } else if (w.op === OP_UPDATE) {
      const kv: KeyValue = { key, value: w.value!, createRevision: cur!.createRevision, modRevision: rev };
      results[i] = kv;
      events.push({ type: 'put', kv, prevKv: cur!, revision: rev });
    } else {
      const kv: KeyValue = { key, value: cur!.value, createRevision: cur!.createRevision, modRevision: rev };
      results[i] = kv;
      events.push({ type: 'delete', kv, prevKv: cur!, revision: rev });
    }
  }
  if (rev !== outcome.revision) {
    throw new Error(`batch outcome ends at revision ${outcome.revision}, expected ${rev}: store and writer disagree`);
  }
  return { revision: rev, results, events };
}
