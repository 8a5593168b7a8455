// An informer: lists a resource, then watches from the list's resourceVersion, keeping an indexed
// local cache and calling handlers with each change. It resumes dropped watches from the last
// resourceVersion it saw (bookmarks advance it), re-lists on 410 Expired and emits only the
// differences against the cache, and periodically re-delivers cached objects as updates (resync).

import type { Logger } from 'pino';
import type { KubeObject } from '../api/types.ts';
import { isGone, StatusError } from '../machinery/status-error.ts';
import { realClock, sleep, type Clock, type TimerHandle } from './clock.ts';
import { Indexer, Lister, objectKey, type IndexFunc } from './indexer.ts';
import type { ListOptions, ObjectList, ResourceRef, RestClient, WatchOptions } from './rest-client.ts';
import type { WatchEvent } from './watch-stream.ts';

export interface ListWatch<T extends KubeObject> {
  list(opts: ListOptions): Promise<ObjectList<T>>;
  watch(opts: WatchOptions): AsyncIterable<WatchEvent<T>>;
}

export interface EventHandlers<T> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  /** Called with the object's final state. */
  onDelete?(obj: T): void;
}

export interface InformerOptions<T> {
  /** 0 disables resync. */
  resyncPeriodMs?: number;
  indexers?: Record<string, IndexFunc<T>>;
  /** Server-side watch timeout; the informer re-watches from the last resourceVersion after it. */
  watchTimeoutSeconds?: number;
  /** Wait before retrying after an unexpected list or watch error. */
  retryDelayMs?: number;
  clock?: Clock;
  logger?: Logger;
}

/** A ListWatch over one resource of a RestClient, optionally narrowed by selectors. */
export function listWatchFor<T extends KubeObject>(
  client: RestClient,
  ref: ResourceRef,
  selectors: { labelSelector?: string; fieldSelector?: string } = {},
): ListWatch<T> {
  return {
    list: (opts) => client.list<T>(ref, { ...selectors, ...opts }),
    watch: (opts) => client.watch<T>(ref, { ...selectors, ...opts }),
  };
}

export class Informer<T extends KubeObject = KubeObject> {
  readonly indexer: Indexer<T>;
  readonly lister: Lister<T>;
  /** Resolves once the first list has been stored and delivered. */
  readonly hasSynced: Promise<void>;
  readonly #lw: ListWatch<T>;
  readonly #handlers: EventHandlers<T>[] = [];
  readonly #clock: Clock;
  readonly #options: InformerOptions<T>;
  #markSynced!: () => void;
  #synced = false;
  #resourceVersion = '';
  #resyncTimer: TimerHandle | undefined;
  #running: Promise<void> | undefined;

  constructor(lw: ListWatch<T>, options: InformerOptions<T> = {}) {
    this.#lw = lw;
    this.#options = options;
    this.#clock = options.clock ?? realClock;
    this.indexer = new Indexer<T>(options.indexers);
    this.lister = new Lister(this.indexer);
    this.hasSynced = new Promise((resolve) => (this.#markSynced = resolve));
  }

  get lastSyncResourceVersion(): string {
    return this.#resourceVersion;
  }

  get synced(): boolean {
    return this.#synced;
  }

  /** Adds handlers; objects already cached are delivered to them as adds, as client-go does. */
  addEventHandler(handlers: EventHandlers<T>): void {
    this.#handlers.push(handlers);
    if (this.#synced) for (const obj of this.indexer.list()) this.#call(() => handlers.onAdd?.(obj));
  }

  /**
   * Runs until the signal aborts; the returned promise settles then. A shared informer is run by
   * every controller that uses it: calls after the first join the first run (and its signal).
   */
  run(signal: AbortSignal): Promise<void> {
    this.#running ??= this.#loop(signal);
    return this.#running;
  }

  async #loop(signal: AbortSignal): Promise<void> {
    this.#scheduleResync(signal);
    let needList = true;
    while (!signal.aborted) {
      try {
        if (needList) {
          await this.#relist(signal);
          needList = false;
        }
        needList = await this.#watch(signal);
      } catch (err) {
        if (signal.aborted) break;
        if (isGone(err)) {
          needList = true;
          continue;
        }
        this.#options.logger?.warn({ err }, 'informer list/watch failed; retrying');
        await sleep(this.#clock, this.#options.retryDelayMs ?? 1000, signal).catch(() => undefined);
      }
    }
    this.#resyncTimer?.cancel();
  }

  async #relist(signal: AbortSignal): Promise<void> {
    const list = await this.#lw.list({ signal });
    const seen = new Set<string>();
    for (const obj of list.items) {
      seen.add(objectKey(obj));
      this.#apply(obj);
    }
    for (const key of this.indexer.keys()) {
      if (seen.has(key)) continue;
      const gone = this.indexer.remove(key);
      if (gone) this.#emitDelete(gone);
    }
    this.#resourceVersion = list.metadata.resourceVersion ?? '';
    if (!this.#synced) {
      this.#synced = true;
      this.#markSynced();
    }
  }

  /** Watches until the stream ends; returns true when a re-list is needed (410). */
  async #watch(signal: AbortSignal): Promise<boolean> {
    const events = this.#lw.watch({
      resourceVersion: this.#resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds: this.#options.watchTimeoutSeconds ?? 300 + Math.floor(Math.random() * 300),
      signal,
    });
    for await (const event of events) {
      if (event.type === 'ERROR') {
        if (event.object.code === 410) return true;
        throw new StatusError(event.object);
      }
      const obj = event.object;
      if (event.type === 'DELETED') {
        const old = this.indexer.remove(objectKey(obj));
        if (old) this.#emitDelete(obj);
      } else if (event.type !== 'BOOKMARK') {
        this.#apply(obj);
      }
      if (obj.metadata.resourceVersion) this.#resourceVersion = obj.metadata.resourceVersion;
    }
    return false;
  }

  /** Stores obj and emits add or (when it changed) update: an object already cached is never re-added. */
  #apply(obj: T): void {
    const old = this.indexer.upsert(obj);
    if (!old) {
      for (const h of this.#handlers) this.#call(() => h.onAdd?.(obj));
    } else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) {
      for (const h of this.#handlers) this.#call(() => h.onUpdate?.(old, obj));
    }
  }

  #emitDelete(obj: T): void {
    for (const h of this.#handlers) this.#call(() => h.onDelete?.(obj));
  }

  #scheduleResync(signal: AbortSignal): void {
    const period = this.#options.resyncPeriodMs ?? 0;
    if (period <= 0 || signal.aborted) return;
    this.#resyncTimer = this.#clock.setTimeout(() => {
      if (this.#synced) {
        for (const obj of this.indexer.list()) for (const h of this.#handlers) this.#call(() => h.onUpdate?.(obj, obj));
      }
      this.#scheduleResync(signal);
    }, period);
  }

  #call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#options.logger?.error({ err }, 'informer event handler threw');
    }
  }
}
