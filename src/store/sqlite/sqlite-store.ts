// The embedded Store on node:sqlite: a durable, revisioned log (schema in log-db.ts).
//
// Group commit. node:sqlite is synchronous, so a transaction per write would cost one fsync per
// write. Instead writes are queued, and one setImmediate later (after every request handled in this
// turn of the event loop has queued its write) the whole queue goes to the committer as one batch
// and is applied in ONE `BEGIN IMMEDIATE … COMMIT`: each write is validated in order against the
// state including the earlier writes of its batch (the reads run inside the transaction, on the
// writer's connection), gets its own revision, and a failed check (exists/not-found/conflict)
// rejects only that write (write-batch.ts). Promises settle after COMMIT returned, i.e. after the
// WAL was fsynced (synchronous=FULL), so an acknowledged write survives a crash. One batch is in
// flight at a time; writes that arrive meanwhile form the next one, so batches grow by themselves
// with load: the fsync cost is shared, durability is not weakened.
//
// Threads. With `writer: 'inline'` (the default, and always in memory) batches commit on this
// thread, on the one connection that also serves reads, and the event loop waits for each COMMIT
// and its fsync. With `writer: 'thread'` the write connection belongs to a worker thread
// (worker-committer.ts, commit-worker.ts), so validating, inserting and fsyncing a batch does not
// stop this thread from parsing requests and sending responses; reads (get, list, watch replay)
// stay here on a second connection, which WAL lets read committed data while the writer commits.
// Each read is its own read transaction and starts after the batches whose promises have resolved
// were committed, so it sees them (read-your-writes). In both modes reads are bounded by the
// revision this thread has acknowledged, so a batch committed but not yet answered stays invisible
// until its events go out.
//
// Watch. After each commit the batch's events go to every live watcher (prefix-filtered, in
// revision order, one call per commit). A watcher that starts in the past first replays the log
// from the database, a page per event-loop turn, until it reaches the committed revision; then it
// turns live. The cursor in StoreWatcher drops anything already delivered, so there are no gaps or
// duplicates across that switch.
//
// Compaction (log-compactor.ts) runs on an unref'd timer and keeps `compactionWindowMs` of history.
// It runs on the writer's connection, between batches; this thread raises the compacted revision
// before asking, so no read looks at rows being deleted.
//
// Values handed to create/update are copied once, when their batch is encoded for the committer;
// the returned KeyValue and the watch events reference the caller's bytes, which must not be
// changed afterwards.

import fs from 'node:fs';
import path from 'node:path';
import {
  StoreError,
  type KeyValue,
  type ListResult,
  type Store,
  type Watch,
  type WatchHandler,
  type WatchOptions,
} from '../types.ts';
import { DEFAULT_MAX_VALUE_BYTES, tooLarge } from '../memory/limits.ts';
import { closedError, compactedError, StoreWatcher } from '../memory/store-watcher.ts';
import { FileLock } from './file-lock.ts';
import { InlineCommitter, type Committer } from './committer.ts';
import { expiredRevision } from './log-compactor.ts';
import { eventFromRow, LogDb, prefixRange, type EventRow, type LatestRow, type ListRow } from './log-db.ts';
import { WorkerCommitter } from './worker-committer.ts';
import { encodeBatch, OP_CREATE, OP_DELETE, OP_UPDATE, PendingWrite, settleBatch, type BatchOutcome } from './write-batch.ts';

export interface SqliteStoreOptions {
  /** Database file; its directory is created if missing. A lock file `<path>.lock` sits beside it. */
  readonly path: string;
  /** History kept for list-at-revision and watch resumption. Default 5 minutes. */
  readonly compactionWindowMs?: number;
  /** How often automatic compaction runs; 0 disables it. Default min(window, 60 s), at least 1 s. */
  readonly compactionIntervalMs?: number;
  /** Wall clock in ms, recorded with each write for compaction. Default Date.now. */
  readonly clock?: () => number;
  /** Values larger than this are rejected with 'too-large'. Default DEFAULT_MAX_VALUE_BYTES. */
  readonly maxValueBytes?: number;
  /** SQLite busy timeout. Default 5 s. */
  readonly busyTimeoutMs?: number;
  /**
   * Where batches commit: 'inline' (default), on this thread, which waits for each COMMIT and its
   * fsync; 'thread', on a worker thread that owns the write connection, so this thread keeps
   * serving meanwhile (about 14 MiB more RSS for the thread). In-memory databases always commit
   * inline.
   */
  readonly writer?: SqliteWriter;
  /** Receives failures of background work (automatic compaction, the writer thread). */
  readonly logger?: { warn(obj: object, msg: string): void };
}

export type SqliteWriter = 'inline' | 'thread';

export interface SqliteStoreStats {
  /** Write transactions committed (each one fsync). */
  readonly commits: number;
  /** Writes committed. writes / commits is the mean group-commit batch. */
  readonly writes: number;
  /** Largest number of writes in one transaction. */
  readonly maxBatch: number;
  /** Batches whose transaction failed (every write in them was rejected). */
  readonly failedCommits: number;
  readonly compactions: number;
  readonly compactedRows: number;
}

const DEFAULT_WINDOW_MS = 5 * 60_000;
// Measured on `strata server` (bench/api, 32 clients, 2 shared cores): 'thread' takes ~15-20% of
// the event loop's CPU per create off it, but the box has no idle core to run the writer on, so
// creates/s rose only ~5%, while the thread's ~14 MiB breaks the idle-RSS goal. Hence inline.
const DEFAULT_WRITER: SqliteWriter = 'inline';
const REPLAY_PAGE = 1000;
const REPLAY_SCAN = 20_000;

export class SqliteStore implements Store {
  readonly backend = 'sqlite';
  /** The connection reads run on (in inline mode also the committer's). */
  #db: LogDb;
  #committer: Committer;
  #lock: FileLock | undefined;
  #clock: () => number;
  #windowMs: number;
  #maxValueBytes: number;
  #logger: SqliteStoreOptions['logger'];
  #timer: NodeJS.Timeout | undefined;
  /** Last committed revision whose batch has been settled here. */
  #rev: number;
  /** Oldest revision readable; raised before compaction deletes anything. */
  #compacted: number;
  #closed = false;
  /** Why the store closed when it did not close by request (the writer thread died). */
  #failure: Error | undefined;
  #closing: Promise<void> | undefined;
  #queue: PendingWrite[] = [];
  #flushScheduled = false;
  /** The batch being committed: settles after its writes have settled. */
  #inFlight: Promise<void> | undefined;
  #live = new Set<StoreWatcher>();
  #replaying = new Set<StoreWatcher>();
  #replayScheduled = false;
  #commits = 0;
  #writes = 0;
  #maxBatch = 0;
  #failedCommits = 0;
  #compactions = 0;
  #compactedRows = 0;

  private constructor(options: SqliteStoreOptions, db: LogDb, committer: Committer, lock: FileLock | undefined) {
    this.#db = db;
    this.#committer = committer;
    this.#lock = lock;
    this.#clock = options.clock ?? Date.now;
    this.#windowMs = options.compactionWindowMs ?? DEFAULT_WINDOW_MS;
    this.#maxValueBytes = options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
    this.#logger = options.logger;
    this.#rev = committer.revision;
    this.#compacted = committer.compacted;
    committer.failed?.then((err) => this.#fail(err));
    const interval = options.compactionIntervalMs ?? Math.min(60_000, Math.max(1_000, this.#windowMs));
    if (interval > 0) {
      this.#timer = setInterval(() => this.#autoCompact(), interval);
      this.#timer.unref();
    }
  }

  /**
   * Opens (creating if needed) the store at `options.path`; fails if another process has it open.
   * `internals.writerEntry` replaces the writer thread's module, for tests.
   */
  static async open(options: SqliteStoreOptions, internals: { readonly writerEntry?: URL } = {}): Promise<SqliteStore> {
    const inMemory = options.path === ':memory:' || options.path === '';
    const busyTimeoutMs = options.busyTimeoutMs ?? 5_000;
    const writer = options.writer ?? DEFAULT_WRITER;
    let lock: FileLock | undefined;
    if (!inMemory) {
      fs.mkdirSync(path.dirname(path.resolve(options.path)), { recursive: true });
      lock = FileLock.acquire(`${options.path}.lock`, `store ${options.path}`);
    }
    let db: LogDb | undefined;
    let committer: Committer | undefined;
    try {
      if (writer === 'thread' && !inMemory) {
        // The writer creates the schema and takes the file's lock; then the reader joins it.
        committer = await WorkerCommitter.start(options.path, busyTimeoutMs, internals.writerEntry);
        db = new LogDb(options.path, busyTimeoutMs, { role: 'reader' });
      } else {
        db = new LogDb(options.path, busyTimeoutMs);
        committer = new InlineCommitter(db);
      }
      return new SqliteStore(options, db, committer, lock);
    } catch (err) {
      await committer?.close();
      db?.close();
      lock?.release();
      const reason = err instanceof Error ? err.message : String(err);
      throw new Error(`cannot open store ${options.path}: ${reason}`, { cause: err });
    }
  }

  stats(): SqliteStoreStats {
    return {
      commits: this.#commits,
      writes: this.#writes,
      maxBatch: this.#maxBatch,
      failedCommits: this.#failedCommits,
      compactions: this.#compactions,
      compactedRows: this.#compactedRows,
    };
  }

  async currentRevision(): Promise<number> {
    this.#checkOpen();
    return this.#rev;
  }

  async compactedRevision(): Promise<number> {
    this.#checkOpen();
    return this.#compacted;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.#checkOpen();
    const row = this.#db.latestAt.get(key, this.#rev) as unknown as LatestRow | undefined;
    if (row === undefined || row[3] !== 0) return undefined;
    return { key, value: row[1]!, createRevision: row[2], modRevision: row[0] };
  }

  async list(prefix: string, options?: { revision?: number }): Promise<ListResult> {
    this.#checkOpen();
    let at = this.#rev;
    if (options?.revision !== undefined) {
      if (options.revision < this.#compacted) throw compactedError(options.revision, this.#compacted);
      at = Math.min(options.revision, this.#rev);
    }
    const [lo, hi] = prefixRange(prefix);
    const db = this.#db;
    const rows = (hi === undefined ? db.listFrom.all(lo, at) : db.listRange.all(lo, hi, at)) as unknown as ListRow[];
    const filter = hi === undefined && prefix !== '';
    const items: KeyValue[] = [];
    let sorted = true;
    let prev = '';
    for (const row of rows) {
      const key = row[0];
      if (filter && !key.startsWith(prefix)) continue;
      if (key < prev) sorted = false;
      prev = key;
      items.push({ key, value: row[1], createRevision: row[2], modRevision: row[3] });
    }
    if (!sorted) items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return { items, revision: at };
  }

  create(key: string, value: Uint8Array): Promise<KeyValue> {
    return this.#enqueue(OP_CREATE, key, value, undefined);
  }

  update(key: string, value: Uint8Array, expectedRevision: number): Promise<KeyValue> {
    return this.#enqueue(OP_UPDATE, key, value, expectedRevision);
  }

  delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    return this.#enqueue(OP_DELETE, key, null, expectedRevision);
  }

  watch(prefix: string, options: WatchOptions, handler: WatchHandler): Watch {
    this.#checkOpen();
    const after = options.afterRevision;
    if (after < this.#compacted) throw compactedError(after, this.#compacted);
    const w = new StoreWatcher(prefix, after, handler, this.#forget, options.signal);
    if (after < this.#rev) {
      this.#replaying.add(w);
      this.#scheduleReplay();
    } else {
      this.#live.add(w);
    }
    return w;
  }

  async compact(revision: number): Promise<void> {
    this.#checkOpen();
    const target = Math.min(revision, this.#rev);
    if (target > this.#compacted) this.#compacted = target;
    const stats = await this.#committer.compact(this.#compacted);
    this.#compactions = stats.runs;
    this.#compactedRows = stats.deletedRows;
  }

  /**
   * Compacts everything older than the window now (what the timer does); resolves with the new
   * compacted revision once the rows are deleted.
   */
  async compactExpired(): Promise<number> {
    this.#checkOpen();
    const target = expiredRevision(this.#db, this.#compacted, this.#clock() - this.#windowMs, this.#rev);
    if (target > this.#compacted) await this.compact(target);
    return this.#compacted;
  }

  /** Commits the writes accepted so far, then releases the database. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    // Writes accepted before close still commit.
    while (this.#inFlight !== undefined || this.#queue.length > 0) {
      this.#flush();
      await this.#inFlight;
    }
    const err = this.#failure ?? closedError(this.backend);
    for (const w of [...this.#live, ...this.#replaying]) w.end(err);
    try {
      await this.#committer.close();
    } finally {
      this.#db.close();
      this.#lock?.release();
    }
  }

  /** The writer is gone: fail everything waiting, end the watches, release the database. */
  #fail(err: Error): void {
    if (this.#closing !== undefined) return;
    this.#failure = err;
    this.#closed = true;
    this.#logger?.warn({ err }, 'sqlite store failed; closing it');
    const queued = this.#queue;
    this.#queue = [];
    for (const w of queued) w.reject(err);
    void this.close();
  }

  #checkOpen(): void {
    if (this.#closed) throw this.#closedError();
  }

  #closedError(): StoreError {
    const err = closedError(this.backend);
    if (this.#failure === undefined) return err;
    return new StoreError('closed', `${err.message}: ${this.#failure.message}`);
  }

  #forget = (w: StoreWatcher): void => {
    this.#live.delete(w);
    this.#replaying.delete(w);
  };

  #enqueue(op: number, key: string, value: Uint8Array | null, expected: number | undefined): Promise<KeyValue> {
    if (this.#closed) return Promise.reject(this.#closedError());
    if (value !== null && value.byteLength > this.#maxValueBytes) {
      return Promise.reject(tooLarge(key, value, this.#maxValueBytes));
    }
    const { promise, resolve, reject } = Promise.withResolvers<KeyValue>();
    this.#queue.push(new PendingWrite(op, key, value, expected, resolve, reject));
    this.#scheduleFlush();
    return promise;
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled || this.#inFlight !== undefined) return;
    this.#flushScheduled = true;
    setImmediate(this.#flushSoon);
  }

  #flushSoon = (): void => {
    this.#flushScheduled = false;
    this.#flush();
  };

  /** Sends every queued write to the committer as one batch, unless a batch is in flight. */
  #flush(): void {
    const batch = this.#queue;
    if (batch.length === 0 || this.#inFlight !== undefined) return;
    this.#queue = [];
    this.#inFlight = this.#committer.commit(encodeBatch(batch, this.#clock())).then(
      (outcome) => {
        try {
          this.#settle(batch, outcome);
        } catch (err) {
          // The outcome does not fit the batch: this store no longer knows what is committed.
          const cause = err instanceof Error ? err : new Error(String(err));
          for (const w of batch) w.reject(cause); // no-op for writes already settled
          this.#fail(cause);
        }
      },
      (err: unknown) => {
        // The transaction rolled back, so nothing of this batch was written; or the writer thread
        // died, and then whether it was is unknown (the store fails, see #fail).
        this.#failedCommits++;
        const cause = err instanceof Error ? err : new Error(String(err));
        for (const w of batch) w.reject(cause);
      },
    ).finally(() => {
      this.#inFlight = undefined;
      // A turn of the event loop later, so the writes that settled promises lead to join the batch.
      if (this.#queue.length > 0) this.#scheduleFlush();
    });
  }

  /** Feeds watchers the events of a committed batch, then settles its promises. */
  #settle(batch: readonly PendingWrite[], outcome: BatchOutcome): void {
    const { events, results, revision: rev } = settleBatch(batch, outcome, this.#rev);
    if (events.length > 0) {
      this.#rev = rev;
      this.#commits++;
      this.#writes += events.length;
      if (events.length > this.#maxBatch) this.#maxBatch = events.length;
      for (const w of this.#live) w.deliver(events, rev);
    }
    for (let i = 0; i < batch.length; i++) {
      const r = results[i]!;
      if (r instanceof StoreError) batch[i]!.reject(r);
      else batch[i]!.resolve(r);
    }
  }

  #scheduleReplay(): void {
    if (this.#replayScheduled) return;
    this.#replayScheduled = true;
    setImmediate(() => this.#replayStep());
  }

  /** Gives every replaying watcher one page of history; watchers that caught up turn live. */
  #replayStep(): void {
    this.#replayScheduled = false;
    if (this.#closed) return;
    const db = this.#db;
    for (const w of this.#replaying) {
      if (w.cursor < this.#compacted) {
        w.end(compactedError(w.cursor, this.#compacted));
        continue;
      }
      // The scan walks ids in order and filters by prefix, so bound the ids it may visit too: a
      // rare prefix in a long history must not block the event loop for one huge step.
      const upTo = Math.min(this.#rev, w.cursor + REPLAY_SCAN);
      const [lo, hi] = prefixRange(w.prefix);
      const rows = (
        hi === undefined
          ? db.eventsFrom.all(w.cursor, upTo, lo, REPLAY_PAGE)
          : db.eventsRange.all(w.cursor, upTo, lo, hi, REPLAY_PAGE)
      ) as unknown as EventRow[];
      const reached = rows.length === REPLAY_PAGE ? rows[rows.length - 1]![0] : upTo;
      w.deliver(rows.map(eventFromRow), reached);
      if (reached >= this.#rev) {
        this.#replaying.delete(w);
        if (!w.closed) this.#live.add(w);
      }
    }
    if (this.#replaying.size > 0) this.#scheduleReplay();
  }

  #autoCompact(): void {
    if (this.#closed) return;
    this.compactExpired().catch((err: unknown) => {
      if (err instanceof StoreError && err.code === 'closed') return;
      this.#logger?.warn({ err }, 'store compaction failed');
    });
  }
}
