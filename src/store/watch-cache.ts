// The watch cache: one per stored resource. It holds the current objects and a window of recent
// events, fed by a single store watch, so that lists and watches never touch the store. Each
// cached object is decoded once and frozen; each event is serialized at most once per shape.

import type { KeyValue, Store, StoreEvent, Watch } from './types.ts';
import { isStoreError } from './types.ts';
import { SortedKeys } from './sorted-keys.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** A decoded, frozen object as the cache keeps it. */
export interface CachedObject<T = unknown> {
  readonly key: string;
  readonly object: T;
  readonly revision: number;
  /** JSON text of `object`, computed on first use and shared by every reader. */
  json(): string;
  /**
   * The watch line `{"type":…,"object":…}\n` as bytes, encoded once and shared by every watcher
   * that receives this object with this event type.
   */
  frame(type: string): Buffer;
}

export interface CacheEvent<T = unknown> {
  readonly type: WatchEventType;
  readonly revision: number;
  readonly current: CachedObject<T>;
  readonly previous: CachedObject<T> | undefined;
}

/** What a watcher receives. Returning false tells the cache the watcher is too slow: it is closed. */
export type WatchSink<T> = (type: WatchEventType, entry: CachedObject<T>) => boolean;

export interface CacheWatcher {
  close(): void;
  readonly closed: boolean;
}

export interface WatchCacheOptions<T> {
  /** Turns stored bytes into an object carrying its resourceVersion; the cache freezes it. */
  decode(kv: KeyValue): T;
  /** How long events stay replayable (default 5 minutes, the store's compaction window). */
  windowMs?: number;
  /** A copy of an object carrying another resourceVersion (for DELETED events of objects leaving a filter). */
  withRevision?(obj: T, revision: number): T;
  /** Hard cap on remembered events (default 100,000). */
  maxEvents?: number;
  /**
   * Cap on the stored size of the remembered events' objects (default 128 MiB): at 150,000 pods
   * 100,000 remembered versions were ~0.5 GB of heap; this keeps about 40 s of a pod storm.
   */
  maxBytes?: number;
  now?: () => number;
}

export class TooOldResourceVersionError extends Error {
  readonly requested: number;
  readonly oldest: number;
  constructor(requested: number, oldest: number) {
    super(`too old resource version: ${requested} (${oldest})`);
    this.requested = requested;
    this.oldest = oldest;
  }
}

interface Watcher<T> {
  predicate: (obj: T) => boolean;
  sink: WatchSink<T>;
  /** Told when the cache ends the watch itself (too slow, or history lost on a reload). */
  onEnd: (() => void) | undefined;
  /** The cache revision when the watch started: later events come through dispatch. */
  startRevision: number;
  /** Only keys under this prefix reach the watcher (a namespace, or the whole resource). */
  keyPrefix: string;
  closed: boolean;
}

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}

class Entry<T> implements CachedObject<T> {
  readonly key: string;
  readonly object: T;
  readonly revision: number;
  #json: string | undefined;
  constructor(key: string, object: T, revision: number) {
    this.key = key;
    this.object = object;
    this.revision = revision;
  }
  json(): string {
    return (this.#json ??= JSON.stringify(this.object));
  }
  // Only the last frame is kept: nearly every watcher receives an object with the same type.
  #frameType: string | undefined;
  #frame: Buffer | undefined;
  frame(type: string): Buffer {
    if (this.#frameType !== type || !this.#frame) {
      this.#frame = Buffer.from(`{"type":"${type}","object":${this.json()}}\n`);
      this.#frameType = type;
    }
    return this.#frame;
  }
  /**
   * Drops the serialized forms (they are made again on demand). Called once an entry is no
   * longer current and its event went out: the event window then keeps only the object, not two
   * more copies of it — at 150,000 pods that was most of the window's memory.
   */
  release(): void {
    this.#json = undefined;
    this.dropFrame();
  }
  /** Drops the watch frame only: once an event went out, watchers rarely need it again. */
  dropFrame(): void {
    this.#frame = undefined;
    this.#frameType = undefined;
  }
}

/** Wraps an object read outside the cache (a historical list) in the cache's entry shape. */
export function cachedObject<T>(key: string, object: T, revision: number): CachedObject<T> {
  return new Entry(key, object, revision);
}

export class WatchCache<T = unknown> {
  readonly prefix: string;
  readonly #store: Store;
  readonly #options: WatchCacheOptions<T>;
  readonly #objects = new Map<string, Entry<T>>();
  readonly #sortedKeys = new SortedKeys();
  /** Ring of recent events, oldest first; `#events[i].revision` increases. */
  #events: { event: CacheEvent<T>; at: number; bytes: number }[] = [];
  #eventBytes = 0;
  #eventsStart = 0;
  /** Events with revision > #oldestRevision are all in the window. */
  #oldestRevision = 0;
  #revision = 0;
  readonly #watchers = new Set<Watcher<T>>();
  readonly #revisionWaiters: { revision: number; resolve: () => void }[] = [];
  #storeWatch: Watch | undefined;
  #ready: Promise<void> | undefined;

  constructor(store: Store, prefix: string, options: WatchCacheOptions<T>) {
    this.#store = store;
    this.prefix = prefix;
    this.#options = options;
  }

  /** Lists the prefix once and follows the store's watch from there. */
  start(): Promise<void> {
    this.#ready ??= this.#load();
    return this.#ready;
  }

  async #load(): Promise<void> {
    const { items, revision } = await this.#store.list(this.prefix);
    for (const kv of items) {
      if (!this.#objects.has(kv.key)) this.#sortedKeys.add(kv.key);
      this.#objects.set(kv.key, this.#entry(kv));
    }
    this.#revision = revision;
    this.#oldestRevision = revision;
    this.#follow();
  }

  #closedByUs = false;

  /** Follows the store from the cache's revision; re-follows if the store watch ends on its own. */
  #follow(): void {
    const watch = this.#store.watch(this.prefix, { afterRevision: this.#revision }, (events) => this.#apply(events));
    this.#storeWatch = watch;
    void watch.done.then((err) => {
      if (err && !isStoreError(err, 'closed') && !this.#closedByUs) void this.#rewatch().catch(() => {});
    });
  }

  async #rewatch(): Promise<void> {
    try {
      this.#follow();
    } catch (err) {
      if (!isStoreError(err, 'compacted')) throw err;
      // History is gone: reload everything and tell watchers to start over.
      for (const w of [...this.#watchers]) this.#endWatcher(w);
      this.#objects.clear();
      this.#sortedKeys.clear();
      this.#events = [];
      this.#eventBytes = 0;
      this.#eventsStart = 0;
      this.#ready = undefined;
      await this.start();
    }
  }

  #entry(kv: KeyValue): Entry<T> {
    const object = this.#options.decode(kv);
    deepFreeze(object);
    return new Entry(kv.key, object, kv.modRevision);
  }

  #apply(storeEvents: readonly StoreEvent[]): void {
    const now = (this.#options.now ?? Date.now)();
    for (const se of storeEvents) {
      if (se.revision <= this.#revision) continue;
      const previous = this.#objects.get(se.kv.key);
      let event: CacheEvent<T>;
      if (se.type === 'put') {
        const current = this.#entry(se.kv);
        if (!previous) this.#sortedKeys.add(se.kv.key);
        this.#objects.set(se.kv.key, current);
        event = { type: previous ? 'MODIFIED' : 'ADDED', revision: se.revision, current, previous };
      } else {
        // The deleted object is reported with the delete's revision as its resourceVersion.
        const current = this.#entry({ ...se.kv, modRevision: se.revision });
        this.#objects.delete(se.kv.key);
        this.#sortedKeys.remove();
        event = { type: 'DELETED', revision: se.revision, current, previous };
      }
      this.#revision = se.revision;
      this.#remember(event, now, se.kv.value.byteLength);
      this.#pending.push(event);
    }
    this.#wakeRevisionWaiters();
    // Fan-out to watchers runs after the current turn, so the writer's acknowledgement is not
    // held up by thousands of deliveries. The cache's state is already current for readers.
    if (this.#pending.length && !this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.#flush());
    }
  }

  #pending: CacheEvent<T>[] = [];
  #flushScheduled = false;

  #flush(): void {
    this.#flushScheduled = false;
    const events = this.#pending;
    this.#pending = [];
    for (const event of events) this.#dispatch(event);
    for (const event of events) {
      (event.previous as Entry<T> | undefined)?.release();
      // Every watcher got its frame; a current object keeps its JSON text for lists.
      const current = event.current as Entry<T>;
      if (this.#objects.get(current.key) !== current) current.release();
      else current.dropFrame();
    }
  }

  #remember(event: CacheEvent<T>, now: number, bytes: number): void {
    this.#events.push({ event, at: now, bytes });
    this.#eventBytes += bytes;
    const windowMs = this.#options.windowMs ?? 5 * 60_000;
    const maxEvents = this.#options.maxEvents ?? 100_000;
    const maxBytes = this.#options.maxBytes ?? 128 * 2 ** 20;
    while (
      this.#events.length - this.#eventsStart > maxEvents ||
      (this.#eventBytes > maxBytes && this.#events.length - this.#eventsStart > 1) ||
      (this.#events[this.#eventsStart]?.at ?? now) < now - windowMs
    ) {
      const dropped = this.#events[this.#eventsStart++];
      if (!dropped) continue;
      this.#oldestRevision = dropped.event.revision;
      this.#eventBytes -= dropped.bytes;
    }
    if (this.#eventsStart > 4096 && this.#eventsStart * 2 > this.#events.length) {
      this.#events = this.#events.slice(this.#eventsStart);
      this.#eventsStart = 0;
    }
  }

  #dispatch(event: CacheEvent<T>): void {
    for (const w of this.#watchers) {
      // A watcher started after this event entered the cache already saw it (synthetic ADDED or replay).
      if (event.revision > w.startRevision) this.#deliver(w, event);
    }
  }

  /** Translates a raw event into what this watcher sees through its filter. */
  #deliver(w: Watcher<T>, event: CacheEvent<T>): void {
    if (w.closed || !event.current.key.startsWith(w.keyPrefix)) return;
    const now = w.predicate(event.current.object);
    const before = event.previous !== undefined && w.predicate(event.previous.object);
    let ok = true;
    if (event.type === 'DELETED') {
      if (before || now) ok = w.sink('DELETED', event.current);
    } else if (now && before) ok = w.sink('MODIFIED', event.current);
    else if (now) ok = w.sink('ADDED', event.current);
    else if (before) ok = w.sink('DELETED', this.#leftFilter(event));
    if (!ok) this.#endWatcher(w);
  }

  /**
   * An object that no longer matches a watcher's filter is reported DELETED with its last
   * matching content, at the event's revision (as upstream's cacher does).
   */
  #leftFilter(event: CacheEvent<T>): CachedObject<T> {
    const previous = event.previous as Entry<T>;
    const withRevision = this.#options.withRevision;
    if (!withRevision) return event.current;
    const object = withRevision(previous.object, event.revision);
    deepFreeze(object);
    return new Entry(previous.key, object, event.revision);
  }

  #closeWatcher(w: Watcher<T>): void {
    w.closed = true;
    this.#watchers.delete(w);
  }

  /** Closes a watcher on the cache's own initiative and tells its owner. */
  #endWatcher(w: Watcher<T>): void {
    if (w.closed) return;
    this.#closeWatcher(w);
    w.onEnd?.();
  }

  get revision(): number {
    return this.#revision;
  }

  get size(): number {
    return this.#objects.size;
  }

  get watcherCount(): number {
    return this.#watchers.size;
  }

  /**
   * The revision up to which the cache has seen every event of its prefix: its last event, or
   * further when the store reports progress past commits that touched only other prefixes.
   */
  #seen(): number {
    return Math.max(this.#revision, this.#storeWatch?.progress ?? 0);
  }

  /** The store revision this cache's content is current at (see #seen). */
  get seenRevision(): number {
    return this.#seen();
  }

  /** Resolves once the cache has seen every event up to `revision`. */
  waitForRevision(revision: number, timeoutMs = 3000): Promise<void> {
    if (this.#seen() >= revision) return Promise.resolve();
    return new Promise((resolve, reject) => {
      // Progress past other prefixes' commits brings no event here, so look at it now and then.
      const poll = setInterval(() => this.#wakeRevisionWaiters(), 20);
      const timer = setTimeout(() => {
        clearInterval(poll);
        reject(new Error(`watch cache did not reach revision ${revision} in ${timeoutMs}ms`));
      }, timeoutMs);
      this.#revisionWaiters.push({ revision, resolve: () => { clearTimeout(timer); clearInterval(poll); resolve(); } });
    });
  }

  /** Waits until the cache reflects everything the store has committed (a consistent read). */
  async waitFresh(): Promise<void> {
    await this.waitForRevision(await this.#store.currentRevision());
  }

  #wakeRevisionWaiters(): void {
    if (this.#revisionWaiters.length === 0) return;
    const waiting = this.#revisionWaiters.splice(0);
    const seen = this.#seen();
    for (const w of waiting) {
      if (seen >= w.revision) w.resolve();
      else this.#revisionWaiters.push(w);
    }
  }

  get(key: string): CachedObject<T> | undefined {
    return this.#objects.get(key);
  }

  /** Current objects in key order, optionally starting after `afterKey`, restricted to `keyPrefix`. */
  *entries(keyPrefix = this.prefix, afterKey?: string): Generator<CachedObject<T>> {
    const keys = this.#sortedKeys.sorted((key) => this.#objects.has(key));
    let start = 0;
    const from = afterKey !== undefined && afterKey >= keyPrefix ? afterKey : keyPrefix;
    // Binary search the first key >= from.
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((keys[mid] as string) < from) lo = mid + 1;
      else hi = mid;
    }
    start = lo;
    for (let i = start; i < keys.length; i++) {
      const key = keys[i] as string;
      if (!key.startsWith(keyPrefix)) break;
      if (afterKey !== undefined && key <= afterKey) continue;
      const entry = this.#objects.get(key);
      if (entry) yield entry;
    }
  }

  /**
   * Starts a watch. fromRevision 0 means "now, with a synthetic ADDED for every current object
   * that matches"; a positive revision replays remembered events after it, or throws
   * TooOldResourceVersionError when the window no longer reaches back that far.
   */
  watch(fromRevision: number, predicate: (obj: T) => boolean, sink: WatchSink<T>, keyPrefix = this.prefix, onEnd?: () => void): CacheWatcher {
    const w: Watcher<T> = { predicate, sink, keyPrefix, closed: false, onEnd, startRevision: this.#revision };
    const handle: CacheWatcher = {
      close: () => this.#closeWatcher(w),
      get closed() {
        return w.closed;
      },
    };
    if (fromRevision === 0) {
      for (const entry of this.entries(keyPrefix)) {
        if (w.closed) break;
        if (predicate(entry.object) && !sink('ADDED', entry)) this.#endWatcher(w);
      }
    } else if (fromRevision < this.#revision) {
      if (fromRevision < this.#oldestRevision) throw new TooOldResourceVersionError(fromRevision, this.#oldestRevision + 1);
      let lo = this.#eventsStart;
      let hi = this.#events.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((this.#events[mid] as { event: CacheEvent<T> }).event.revision <= fromRevision) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < this.#events.length && !w.closed; i++) {
        const event = (this.#events[i] as { event: CacheEvent<T> }).event;
        this.#deliver(w, event);
      }
    }
    if (!w.closed) this.#watchers.add(w);
    return handle;
  }

  close(): void {
    this.#closedByUs = true;
    this.#storeWatch?.close();
    // Deliver what the cache already applied; then every watcher's stream is over (its kind
    // stopped being served, or the server stops): say so.
    if (this.#pending.length > 0) this.#flush();
    for (const w of [...this.#watchers]) this.#endWatcher(w);
  }
}
