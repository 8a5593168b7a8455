// The SQLite schema of the store and every prepared statement it runs.
//
// One append-only table `log`: each write is a row whose id is its revision (INTEGER PRIMARY KEY
// AUTOINCREMENT, so a revision is never handed out twice, even after the newest rows were compacted
// away and the process restarted). A delete is a tombstone row (deleted = 1, value NULL) whose
// prev_revision points at the value it removed. prev_revision is the modRevision of the previous
// live version (0 on create): it gives watch replays their prevKv, and it tells compaction exactly
// which row each write superseded, so compaction walks only the id range being compacted.
//
// The current value of a key is its row with the highest id, found through the (key, id) index;
// a prefix list is a range scan of that index grouped by key, joined back by id. That makes `get`
// one index seek and `list` linear in the size of the prefix, with no second "current" table to
// keep in step on every write.
//
// Pragmas: WAL with synchronous=FULL makes every COMMIT durable (the WAL is fsynced), and lets the
// group commit in sqlite-store.ts pay one fsync per batch.
//
// Connections. The store may run two connections to one file in one process: the writer (on a
// worker thread, see commit-worker.ts) and a reader on the main thread, which WAL lets read
// committed data while a batch commits. Files are opened through SQLite's `unix-excl` VFS: the
// first connection takes an exclusive POSIX lock on the file for the whole process, held until the
// last connection of the process closes, so other processes are kept out (the kernel drops the
// lock when the process dies); connections inside the process coordinate through SQLite's
// in-process lock table, and the WAL index lives in heap memory shared by them (no -shm file).
// (locking_mode=EXCLUSIVE would keep out the reader connection too.)

import path from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { pathToFileURL } from 'node:url';
import type { KeyValue, StoreEvent } from '../types.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL,
  value BLOB,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  ts INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS log_key_id ON log (key, id);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
`;

/** Row of `latest`: id, value, create_revision, deleted. */
export type LatestRow = [number, Uint8Array | null, number, number];
/** Row of the list queries: key, value, create_revision, id. */
export type ListRow = [string, Uint8Array, number, number];
/** Row of the event queries: id, key, value, create_revision, prev_revision, deleted, previous value. */
export type EventRow = [number, string, Uint8Array | null, number, number, number, Uint8Array | null];

export interface LogDbOptions {
  /** A reader expects the writer to have created the schema and refuses to write. Default writer. */
  readonly role?: 'writer' | 'reader';
}

export class LogDb {
  readonly db: DatabaseSync;
  readonly begin: StatementSync;
  readonly commit: StatementSync;
  readonly rollback: StatementSync;
  /** (key) → LatestRow: the newest row of a key, live or tombstone. */
  readonly latest: StatementSync;
  /** (key, maxId) → LatestRow: as latest, as of revision maxId. */
  readonly latestAt: StatementSync;
  /** (id, key, value, create_revision, prev_revision, deleted, ts) */
  readonly insert: StatementSync;
  /** (lo, hi, maxId) → ListRow[]: live keys in [lo, hi) as of revision maxId, sorted by key. */
  readonly listRange: StatementSync;
  /** (lo, maxId) → ListRow[]: as listRange without an upper bound. */
  readonly listFrom: StatementSync;
  /** (afterId, maxId, lo, hi, limit) → EventRow[] in id order. */
  readonly eventsRange: StatementSync;
  /** (afterId, maxId, lo, limit) → EventRow[] in id order. */
  readonly eventsFrom: StatementSync;
  /** (afterId, ts) → [id]: the first row after afterId written at or after ts. */
  readonly firstSince: StatementSync;
  /** (fromId, toId): deletes the rows that writes in (fromId, toId] superseded. */
  readonly deleteSuperseded: StatementSync;
  /** (fromId, toId): deletes the tombstones in (fromId, toId]. */
  readonly deleteTombstones: StatementSync;
  /** (name) → [value] */
  readonly getMeta: StatementSync;
  /** (name, value) */
  readonly setMeta: StatementSync;

  /** Opens `file` (':memory:' or '' for a private in-memory database). */
  constructor(file: string, busyTimeoutMs: number, options: LogDbOptions = {}) {
    const inMemory = file === ':memory:' || file === '';
    const db = new DatabaseSync(inMemory ? file : exclusiveUri(file), { timeout: busyTimeoutMs });
    this.db = db;
    try {
      db.exec('PRAGMA cache_size = -32768'); // 32 MiB of page cache: lists read many pages
      db.exec('PRAGMA temp_store = MEMORY');
      if (options.role !== 'reader') {
        db.exec('PRAGMA journal_mode = WAL');
        db.exec('PRAGMA synchronous = FULL');
        db.exec(SCHEMA);
      } else {
        db.exec('PRAGMA query_only = ON');
      }
    } catch (err) {
      db.close();
      throw err;
    }
    const prep = (sql: string, arrays = true): StatementSync => {
      const s = db.prepare(sql);
      if (arrays) s.setReturnArrays(true);
      return s;
    };
    this.begin = prep('BEGIN IMMEDIATE', false);
    this.commit = prep('COMMIT', false);
    this.rollback = prep('ROLLBACK', false);
    this.latest = prep('SELECT id, value, create_revision, deleted FROM log WHERE key = ? ORDER BY id DESC LIMIT 1');
    this.latestAt = prep(
      'SELECT id, value, create_revision, deleted FROM log WHERE key = ? AND id <= ? ORDER BY id DESC LIMIT 1',
    );
    this.insert = prep(
      'INSERT INTO log (id, key, value, create_revision, prev_revision, deleted, ts) VALUES (?, ?, ?, ?, ?, ?, ?)',
      false,
    );
    // The grouped subquery walks the covering (key, id) index in key order and the join keeps that
    // order; sqlite-store.ts checks it rather than paying for an ORDER BY sort of every value.
    const list = (cond: string): string =>
      `SELECT l.key, l.value, l.create_revision, l.id FROM log l
       JOIN (SELECT MAX(id) AS mid FROM log WHERE ${cond} AND id <= ? GROUP BY key) m ON l.id = m.mid
       WHERE l.deleted = 0`;
    this.listRange = prep(list('key >= ? AND key < ?'));
    this.listFrom = prep(list('key >= ?'));
    const events = (cond: string): string =>
      `SELECT l.id, l.key, l.value, l.create_revision, l.prev_revision, l.deleted, p.value FROM log l
       LEFT JOIN log p ON p.id = l.prev_revision AND l.prev_revision > 0
       WHERE l.id > ? AND l.id <= ? AND ${cond} ORDER BY l.id LIMIT ?`;
    this.eventsRange = prep(events('l.key >= ? AND l.key < ?'));
    this.eventsFrom = prep(events('l.key >= ?'));
    this.firstSince = prep('SELECT id FROM log WHERE id > ? AND ts >= ? ORDER BY id LIMIT 1');
    this.deleteSuperseded = prep(
      'DELETE FROM log WHERE id IN (SELECT prev_revision FROM log WHERE id > ? AND id <= ? AND prev_revision > 0)',
      false,
    );
    this.deleteTombstones = prep('DELETE FROM log WHERE id > ? AND id <= ? AND deleted = 1', false);
    this.getMeta = prep('SELECT value FROM meta WHERE name = ?');
    this.setMeta = prep(
      'INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
      false,
    );
  }

  /** The highest revision ever handed out (kept by AUTOINCREMENT even when those rows are gone). */
  lastRevision(): number {
    const seq = this.db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'log'").get() as { seq: number } | undefined;
    const max = this.db.prepare('SELECT MAX(id) AS id FROM log').get() as { id: number | null } | undefined;
    return Math.max(seq?.seq ?? 0, max?.id ?? 0);
  }

  meta(name: string): number | undefined {
    const row = this.getMeta.get(name) as unknown as [number] | undefined;
    return row?.[0];
  }

  /** Runs `fn` in a BEGIN IMMEDIATE … COMMIT transaction, rolling back if it or the commit throws. */
  transaction<T>(fn: () => T): T {
    this.begin.run();
    try {
      const result = fn();
      this.commit.run();
      return result;
    } catch (err) {
      if (this.db.isTransaction) this.rollback.run();
      throw err;
    }
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}

/** A `file:` URI for `file` that selects the unix-excl VFS (see the header). */
function exclusiveUri(file: string): string {
  return `${pathToFileURL(path.resolve(file)).href}?vfs=unix-excl`;
}

/**
 * The [lo, hi) key range holding exactly the keys that start with `prefix`, hi undefined when there
 * is no finite bound (empty prefix, or a last character that cannot be incremented safely).
 * SQLite compares TEXT as UTF-8 bytes, which orders code points the same way.
 */
export function prefixRange(prefix: string): [string, string | undefined] {
  if (prefix === '') return ['', undefined];
  const last = prefix.charCodeAt(prefix.length - 1);
  // A surrogate cannot be incremented into a valid bound, nor can U+FFFF: scan from prefix, filter.
  if ((last >= 0xd800 && last <= 0xdfff) || last === 0xffff) return [prefix, undefined];
  return [prefix, prefix.slice(0, -1) + String.fromCharCode(last + 1)];
}

/** The watch event a log row stands for (prevKv from the joined previous row). */
export function eventFromRow(row: EventRow): StoreEvent {
  const [id, key, value, createRevision, prevRevision, deleted, prevValue] = row;
  if (prevRevision === 0) {
    return { type: 'put', kv: { key, value: value!, createRevision, modRevision: id }, revision: id };
  }
  const prevKv: KeyValue = { key, value: prevValue!, createRevision, modRevision: prevRevision };
  if (deleted !== 0) {
    return { type: 'delete', kv: { key, value: prevValue!, createRevision, modRevision: id }, prevKv, revision: id };
  }
  return { type: 'put', kv: { key, value: value!, createRevision, modRevision: id }, prevKv, revision: id };
}
