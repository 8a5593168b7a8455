// Compaction of the SQLite log: forget history at or below a revision while keeping, for every key,
// the version that list-at-that-revision still needs.
//
// Compacting (from, to] deletes
//   - every row that a write in (from, to] superseded: that write's prev_revision (the previous
//     live version of the key; tombstones point at the value they removed), and
//   - every tombstone in (from, to].
// A row superseded only by a write above `to` stays, because list at revision `to` still returns
// it. Both deletes are id-range scans of the primary key plus point deletes, so the cost follows
// the number of writes being compacted, not the size of the table.
//
// The work runs in chunks of CHUNK revisions, one transaction each, on the connection that commits
// the write batches (so the two never race), yielding to the event loop in between so that write
// batches keep committing while a large backlog is compacted. The store
// raises its in-memory compacted revision to the target before the first chunk runs, so no reader
// ever looks at a range that is being deleted; the meta row records how far deletion got, so a
// crash mid-way restarts from a consistent point.

import { closedError } from '../memory/store-watcher.ts';
import type { LogDb } from './log-db.ts';

const CHUNK = 10_000;

/**
 * The highest revision whose rows were all written before `cutoffMs` (`current` when every row
 * after `after` is). Scans ids upward from `after`; ids grow with time, so the scan stops at the
 * first row inside the window (a clock that stepped back only makes the result more conservative).
 * A read: any connection may run it.
 */
export function expiredRevision(db: LogDb, after: number, cutoffMs: number, current: number): number {
  const row = db.firstSince.get(after, cutoffMs) as unknown as [number] | undefined;
  return row === undefined ? current : row[0] - 1;
}

export class LogCompactor {
  #db: LogDb;
  /** Revision up to which rows have been deleted (persisted in meta 'compacted'). */
  #done: number;
  #target: number;
  #running: Promise<void> | undefined;
  #stopped = false;
  #deletedRows = 0;
  #runs = 0;

  constructor(db: LogDb, compacted: number) {
    this.#db = db;
    this.#done = compacted;
    this.#target = compacted;
  }

  get deletedRows(): number {
    return this.#deletedRows;
  }

  get runs(): number {
    return this.#runs;
  }

  /** Deletes history up to `target`; resolves when every row at or below it is gone. */
  compactTo(target: number): Promise<void> {
    if (this.#stopped) return Promise.reject(closedError('sqlite'));
    if (target > this.#target) this.#target = target;
    if (this.#done >= this.#target) return this.#running ?? Promise.resolve();
    this.#running ??= this.#run().finally(() => (this.#running = undefined));
    return this.#running;
  }

  /** Stops after the chunk in progress; pending compactTo promises reject with 'closed'. */
  stop(): void {
    this.#stopped = true;
  }

  async #run(): Promise<void> {
    this.#runs++;
    while (this.#done < this.#target) {
      if (this.#stopped) throw closedError('sqlite');
      const from = this.#done;
      const to = Math.min(this.#target, from + CHUNK);
      const db = this.#db;
      this.#deletedRows += db.transaction(() => {
        const superseded = db.deleteSuperseded.run(from, to).changes;
        const tombstones = db.deleteTombstones.run(from, to).changes;
        db.setMeta.run('compacted', to);
        return Number(superseded) + Number(tombstones);
      });
      this.#done = to;
      if (this.#done < this.#target) await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
