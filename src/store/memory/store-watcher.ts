// One watch on a store, shared by the memory and SQLite backends. A watcher has a cursor (the last
// revision it has been given or has skipped) and a prefix; the backend hands it batches of events
// in revision order and the watcher forwards the part it has not seen yet. Delivery is therefore
// idempotent: a backend may offer the same revision twice (replay then live) and the handler still
// sees each event exactly once, which is what makes "replay from the log, then switch to live"
// gap-free and duplicate-free without extra bookkeeping.

import { StoreError, type StoreEvent, type Watch, type WatchHandler } from '../types.ts';

export class StoreWatcher implements Watch {
  readonly prefix: string;
  /** Highest revision already delivered to (or deliberately skipped for) this watcher. */
  cursor: number;
  readonly done: Promise<Error | undefined>;
  #handler: WatchHandler;
  #closed = false;
  #resolveDone!: (err: Error | undefined) => void;
  #onEnd: (w: StoreWatcher) => void;
  #signal: AbortSignal | undefined;
  #onAbort: (() => void) | undefined;

  constructor(
    prefix: string,
    afterRevision: number,
    handler: WatchHandler,
    onEnd: (w: StoreWatcher) => void,
    signal: AbortSignal | undefined,
  ) {
    this.prefix = prefix;
    this.cursor = afterRevision;
    this.#handler = handler;
    this.#onEnd = onEnd;
    this.done = new Promise((resolve) => (this.#resolveDone = resolve));
    if (signal !== undefined) {
      this.#signal = signal;
      this.#onAbort = () => this.close();
      if (signal.aborted) queueMicrotask(this.#onAbort);
      else signal.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  get progress(): number {
    return this.cursor;
  }

  /**
   * Offers `events` (ascending revisions, may include ones already seen or outside the prefix);
   * afterwards the watcher counts as caught up to `upTo`. A throwing handler ends only this watch.
   */
  deliver(events: readonly StoreEvent[], upTo: number): void {
    if (this.#closed) return;
    const cursor = this.cursor;
    if (upTo > cursor) this.cursor = upTo;
    let out: readonly StoreEvent[];
    const first = events[0];
    if (first === undefined) return;
    if (this.prefix === '' && first.revision > cursor) {
      out = events;
    } else {
      const picked: StoreEvent[] = [];
      for (const ev of events) {
        if (ev.revision > cursor && ev.kv.key.startsWith(this.prefix)) picked.push(ev);
      }
      out = picked;
    }
    if (out.length === 0) return;
    try {
      this.#handler(out);
    } catch (err) {
      this.end(err instanceof Error ? err : new Error(String(err)));
    }
  }

  close(): void {
    this.end(undefined);
  }

  /** Ends the watch; `err` is what `done` resolves with (undefined for a normal close). */
  end(err: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#onAbort !== undefined) this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#onEnd(this);
    this.#resolveDone(err);
  }
}

export function compactedError(revision: number, compacted: number): StoreError {
  return new StoreError('compacted', `revision ${revision} has been compacted (compacted revision ${compacted})`);
}

export function closedError(backend: string): StoreError {
  return new StoreError('closed', `${backend} store is closed`);
}
