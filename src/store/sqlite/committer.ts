// Where the SQLite store's writes happen. A Committer owns the write side of the log: it applies
// group-commit batches in transactions and runs compaction on the same connection, so the two
// never race. Two implementations:
//   InlineCommitter (here) — transactions on the calling thread, on the store's one connection.
//     With a LogDb whose sync is 'caller' (synchronous=NORMAL), each commit is followed by an
//     fdatasync of the WAL on libuv's thread pool and resolves only after it: the event loop keeps
//     serving while the batch's frames reach the disk. Otherwise COMMIT fsyncs in place
//     (synchronous=FULL) and the thread waits for it.
//   WorkerCommitter (worker-committer.ts) — a worker thread owns the write connection and runs an
//     InlineCommitter there, so validation and inserts leave the event loop too.

import fs from 'node:fs';
import type { LogDb } from './log-db.ts';
import { LogCompactor } from './log-compactor.ts';
import { applyBatch, type BatchOutcome, type BatchRequest } from './write-batch.ts';

export interface CompactionStats {
  /** Compaction runs started since the store opened. */
  readonly runs: number;
  /** Rows deleted by compaction since the store opened. */
  readonly deletedRows: number;
}

export interface Committer {
  /** The last revision in the log when it opened. */
  readonly revision: number;
  /** The compacted revision recorded in the log when it opened. */
  readonly compacted: number;
  /**
   * Settles when the committer can no longer write (its thread died, an fsync failed): every later
   * call rejects. Absent when that cannot happen.
   */
  readonly failed?: Promise<Error>;
  /**
   * Applies one batch in one transaction; resolves once the batch is durable (its WAL frames
   * fsynced). Rejects when the transaction failed and rolled back: then nothing of the batch was
   * written; or when the committer failed (see `failed`).
   */
  commit(req: BatchRequest): Promise<BatchOutcome>;
  /** Deletes history up to `target`; resolves when every row at or below it is gone. */
  compact(target: number): Promise<CompactionStats>;
  /** Stops compaction (pending compact calls reject with 'closed') and releases the writer. */
  close(): Promise<void>;
}

/** Commits on the calling thread, on the connection the store also reads from. */
export class InlineCommitter implements Committer {
  readonly revision: number;
  readonly compacted: number;
  readonly failed?: Promise<Error>;
  #db: LogDb;
  #compactor: LogCompactor;
  #last: number;
  /** The WAL's descriptor when this committer syncs it (db.sync === 'caller'). */
  #walFd: number | undefined;
  #syncs = new Set<Promise<unknown>>();
  #broken: Error | undefined;
  #reportFailure: ((err: Error) => void) | undefined;

  constructor(db: LogDb) {
    this.#db = db;
    // A first write takes SQLite's lock now, not at the first client write (and creates the WAL).
    db.transaction(() => db.setMeta.run('schema_version', 1));
    this.revision = this.#last = db.lastRevision();
    this.compacted = db.meta('compacted') ?? 0;
    this.#compactor = new LogCompactor(db, this.compacted);
    if (db.sync === 'caller') {
      // One descriptor for the life of the connection: SQLite keeps the WAL file (rewinding, never
      // deleting it) until its last connection closes, and fdatasync flushes the file whichever
      // descriptor wrote it.
      this.#walFd = fs.openSync(db.walPath, 'r');
      fs.fdatasyncSync(this.#walFd);
      this.failed = new Promise((resolve) => (this.#reportFailure = resolve));
    }
  }

  commit(req: BatchRequest): Promise<BatchOutcome> {
    if (this.#broken !== undefined) return Promise.reject(this.#broken);
    const db = this.#db;
    let outcome: BatchOutcome;
    try {
      outcome = db.transaction(() => applyBatch(db, req, this.#last));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    this.#last = outcome.revision;
    return this.#durable(outcome);
  }

  async compact(target: number): Promise<CompactionStats> {
    if (this.#broken !== undefined) throw this.#broken;
    await this.#compactor.compactTo(target);
    return this.#durable({ runs: this.#compactor.runs, deletedRows: this.#compactor.deletedRows });
  }

  async close(): Promise<void> {
    // The connection is the store's reader too: the store closes it.
    this.#compactor.stop();
    await Promise.allSettled(this.#syncs);
    if (this.#walFd !== undefined) fs.closeSync(this.#walFd);
    this.#walFd = undefined;
  }

  /** Resolves with `value` once everything committed so far is on disk. */
  #durable<T>(value: T): Promise<T> {
    const fd = this.#walFd;
    if (fd === undefined) return Promise.resolve(value);
    const synced = new Promise<T>((resolve, reject) => {
      fs.fdatasync(fd, (err) => {
        if (err === null) return resolve(value);
        // The transaction is in the WAL but may not be on disk, and nothing can tell which (after a
        // failed fsync the kernel may have dropped the dirty pages): stop writing altogether.
        const broken = new Error(`fsync of ${this.#db.walPath} failed: ${err.message}`, { cause: err });
        this.#broken ??= broken;
        this.#reportFailure?.(broken);
        reject(broken);
      });
    });
    this.#syncs.add(synced);
    const forget = (): void => void this.#syncs.delete(synced);
    synced.then(forget, forget);
    return synced;
  }
}
