// Where the SQLite store's writes happen. A Committer owns the write side of the log: it applies
// group-commit batches in transactions (COMMIT fsyncs the WAL: synchronous=FULL) and runs
// compaction on the same connection, so the two never race. Two implementations:
//   InlineCommitter (here) — on the calling thread. The store uses it directly (writer: 'inline':
//     the event loop waits while a batch is validated, inserted and fsynced), and the writer
//     thread runs one on its own connection;
//   WorkerCommitter (worker-committer.ts) — a worker thread owns the write connection, so the
//     event loop keeps serving while a batch commits (writer: 'thread').

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
   * Settles when the committer can no longer write (its thread died): every later call rejects.
   * Absent when that cannot happen.
   */
  readonly failed?: Promise<Error>;
  /**
   * Applies one batch in one transaction; resolves after COMMIT returned, i.e. once the batch is
   * durable. Rejects when the transaction failed and rolled back (then nothing of the batch was
   * written), or when the committer failed (see `failed`; then the batch's fate is unknown).
   */
  commit(req: BatchRequest): Promise<BatchOutcome>;
  /** Deletes history up to `target`; resolves when every row at or below it is gone. */
  compact(target: number): Promise<CompactionStats>;
  /** Stops compaction (pending compact calls reject with 'closed') and releases the writer. */
  close(): Promise<void>;
}

/** Commits on the calling thread (in the writer thread: on its own); COMMIT fsyncs in place. */
export class InlineCommitter implements Committer {
  readonly revision: number;
  readonly compacted: number;
  #db: LogDb;
  #compactor: LogCompactor;
  #last: number;

  constructor(db: LogDb) {
    this.#db = db;
    // A first write takes SQLite's lock now, not at the first client write.
    db.transaction(() => db.setMeta.run('schema_version', 1));
    this.revision = this.#last = db.lastRevision();
    this.compacted = db.meta('compacted') ?? 0;
    this.#compactor = new LogCompactor(db, this.compacted);
  }

  commit(req: BatchRequest): Promise<BatchOutcome> {
    const db = this.#db;
    try {
      const outcome = db.transaction(() => applyBatch(db, req, this.#last));
      this.#last = outcome.revision;
      return Promise.resolve(outcome);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  async compact(target: number): Promise<CompactionStats> {
    await this.#compactor.compactTo(target);
    return { runs: this.#compactor.runs, deletedRows: this.#compactor.deletedRows };
  }

  async close(): Promise<void> {
    // The connection may be the store's reader too: whoever opened it closes it.
    this.#compactor.stop();
  }
}
