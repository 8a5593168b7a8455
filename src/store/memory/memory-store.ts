// The in-memory Store: the full contract (history, list at a past revision, watch from a past
// revision, compaction) without durability. Unit tests everywhere run against it, so it follows
// the same semantics as the SQLite backend, checked by the shared contract suite.
//
// Layout: one global event log (every write is one event, so the event of revision r sits at
// index r - compacted - 1), plus per-key histories that share the same event objects and a sorted
// key array for prefix lists. Writes apply synchronously when called, so the order of calls is the
// order of revisions; watchers are fed from the log in a microtask, batched.

import {
  StoreError,
  type KeyValue,
  type ListResult,
  type Store,
  type StoreEvent,
  type Watch,
  type WatchHandler,
  type WatchOptions,
} from '../types.ts';
import { checkValueSize, DEFAULT_MAX_VALUE_BYTES } from './limits.ts';
import { closedError, compactedError, StoreWatcher } from './store-watcher.ts';

export interface MemoryStoreOptions {
  /** Values larger than this are rejected with 'too-large'. */
  readonly maxValueBytes?: number;
}

export class MemoryStore implements Store {
  readonly backend = 'memory';
  #rev = 0;
  #compacted = 0;
  /** Events with revision > #compacted, in order: #log[i].revision === #compacted + 1 + i. */
  #log: StoreEvent[] = [];
  /** Per key, its events in order; the first is its latest version at or below #compacted. */
  #history = new Map<string, StoreEvent[]>();
  /** The keys of #history, sorted. */
  #keys: string[] = [];
  #watchers = new Set<StoreWatcher>();
  #dispatchScheduled = false;
  #closed = false;
  #maxValueBytes: number;

  constructor(options: MemoryStoreOptions = {}) {
    this.#maxValueBytes = options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
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
    return this.#current(key);
  }

  async list(prefix: string, options?: { revision?: number }): Promise<ListResult> {
    this.#checkOpen();
    let at = this.#rev;
    if (options?.revision !== undefined) {
      if (options.revision < this.#compacted) throw compactedError(options.revision, this.#compacted);
      at = Math.min(options.revision, this.#rev);
    }
    const items: KeyValue[] = [];
    const keys = this.#keys;
    for (let i = lowerBound(keys, prefix); i < keys.length; i++) {
      const key = keys[i]!;
      if (!key.startsWith(prefix)) break;
      const events = this.#history.get(key)!;
      const ev = at === this.#rev ? events[events.length - 1] : versionAt(events, at);
      if (ev !== undefined && ev.type === 'put') items.push(ev.kv);
    }
    return { items, revision: at };
  }

  async create(key: string, value: Uint8Array): Promise<KeyValue> {
    this.#checkOpen();
    checkValueSize(key, value, this.#maxValueBytes);
    const cur = this.#current(key);
    if (cur !== undefined) throw new StoreError('exists', `key ${key} already exists`, cur);
    const rev = ++this.#rev;
    const kv: KeyValue = { key, value: new Uint8Array(value), createRevision: rev, modRevision: rev };
    this.#append({ type: 'put', kv, revision: rev });
    return kv;
  }

  async update(key: string, value: Uint8Array, expectedRevision: number): Promise<KeyValue> {
    this.#checkOpen();
    checkValueSize(key, value, this.#maxValueBytes);
    const cur = this.#current(key);
    if (cur === undefined) throw new StoreError('not-found', `key ${key} not found`);
    if (cur.modRevision !== expectedRevision) {
      throw new StoreError('conflict', `key ${key} is at revision ${cur.modRevision}, not ${expectedRevision}`, cur);
    }
    const rev = ++this.#rev;
    const kv: KeyValue = { key, value: new Uint8Array(value), createRevision: cur.createRevision, modRevision: rev };
    this.#append({ type: 'put', kv, prevKv: cur, revision: rev });
    return kv;
  }

  async delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    this.#checkOpen();
    const cur = this.#current(key);
    if (cur === undefined) throw new StoreError('not-found', `key ${key} not found`);
    if (expectedRevision !== undefined && cur.modRevision !== expectedRevision) {
      throw new StoreError('conflict', `key ${key} is at revision ${cur.modRevision}, not ${expectedRevision}`, cur);
    }
    const rev = ++this.#rev;
    const kv: KeyValue = { key, value: cur.value, createRevision: cur.createRevision, modRevision: rev };
    this.#append({ type: 'delete', kv, prevKv: cur, revision: rev });
    return kv;
  }

  watch(prefix: string, options: WatchOptions, handler: WatchHandler): Watch {
    this.#checkOpen();
    if (options.afterRevision < this.#compacted) throw compactedError(options.afterRevision, this.#compacted);
    const w = new StoreWatcher(prefix, options.afterRevision, handler, (x) => this.#watchers.delete(x), options.signal);
    this.#watchers.add(w);
    if (options.afterRevision < this.#rev) this.#scheduleDispatch();
    return w;
  }

  async compact(revision: number): Promise<void> {
    this.#checkOpen();
    const target = Math.min(revision, this.#rev);
    if (target <= this.#compacted) return;
    const dropped = this.#log.splice(0, target - this.#compacted);
    this.#compacted = target;
    const touched = new Set<string>();
    for (const ev of dropped) touched.add(ev.kv.key);
    for (const key of touched) {
      const events = this.#history.get(key)!;
      // Keep the latest version at or below the target (list at `target` needs it) unless it is a
      // tombstone, and everything after it.
      let keep = 0;
      while (keep + 1 < events.length && events[keep + 1]!.revision <= target) keep++;
      if (events[keep]!.revision <= target && events[keep]!.type === 'delete') keep++;
      if (keep > 0) events.splice(0, keep);
      if (events.length === 0) {
        this.#history.delete(key);
        this.#keys.splice(lowerBound(this.#keys, key), 1);
      }
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const w of [...this.#watchers]) w.end(closedError(this.backend));
  }

  #checkOpen(): void {
    if (this.#closed) throw closedError(this.backend);
  }

  #current(key: string): KeyValue | undefined {
    const events = this.#history.get(key);
    const last = events?.[events.length - 1];
    return last !== undefined && last.type === 'put' ? last.kv : undefined;
  }

  #append(ev: StoreEvent): void {
    this.#log.push(ev);
    const key = ev.kv.key;
    const events = this.#history.get(key);
    if (events !== undefined) {
      events.push(ev);
    } else {
      this.#history.set(key, [ev]);
      const keys = this.#keys;
      const at = lowerBound(keys, key);
      if (at === keys.length) keys.push(key);
      else keys.splice(at, 0, key);
    }
    if (this.#watchers.size > 0) this.#scheduleDispatch();
  }

  #scheduleDispatch(): void {
    if (this.#dispatchScheduled) return;
    this.#dispatchScheduled = true;
    queueMicrotask(() => this.#dispatch());
  }

  #dispatch(): void {
    this.#dispatchScheduled = false;
    if (this.#closed) return;
    const rev = this.#rev;
    for (const w of [...this.#watchers]) {
      if (w.closed || w.cursor >= rev) continue;
      if (w.cursor < this.#compacted) {
        // Compacted between watch() and delivery: the events it still needs are gone.
        w.end(compactedError(w.cursor, this.#compacted));
        continue;
      }
      // A copy: handlers may keep the array, and the log keeps growing.
      w.deliver(this.#log.slice(w.cursor - this.#compacted), rev);
    }
  }
}

/** Index of the first element >= `key` in a sorted array. */
function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The latest event with revision <= `revision`, if any. */
function versionAt(events: readonly StoreEvent[], revision: number): StoreEvent | undefined {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid]!.revision <= revision) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? undefined : events[lo - 1];
}
