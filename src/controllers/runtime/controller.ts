// The controller runner: informers feed a rate-limited WorkQueue through handlers that only
// compute keys, and N workers pull keys and call the Reconciler. The queue never hands out a key
// that is being processed, so one key is never reconciled concurrently. Success forgets the key's
// failure history (and honours requeueAfter); an error requeues it with backoff.

import type { Logger } from 'pino';
import type { KubeObject } from '../../api/types.ts';
import { Informer, objectKey, realClock, WorkQueue, type Clock, type RateLimiter } from '../../client/index.ts';
import { isConflict } from '../../machinery/status-error.ts';
import type { Reconciler } from './reconciler.ts';

/** Maps an informer's object to the keys it should wake (none: undefined or []). */
export type KeyFunc<T> = (obj: T) => string | string[] | undefined;

export interface ControllerOptions {
  name: string;
  reconciler: Reconciler;
  /** Concurrent reconciles of distinct keys (1). */
  workers?: number;
  clock?: Clock;
  rateLimiter?: RateLimiter<string>;
  logger?: Logger;
}

export class Controller {
  readonly name: string;
  readonly queue: WorkQueue<string>;
  readonly #reconciler: Reconciler;
  readonly #workers: number;
  readonly #logger: Logger | undefined;
  readonly #informers: Informer<KubeObject>[] = [];
  #started = false;

  constructor(options: ControllerOptions) {
    this.name = options.name;
    this.#reconciler = options.reconciler;
    this.#workers = Math.max(1, options.workers ?? 1);
    this.#logger = options.logger;
    const clock = options.clock ?? realClock;
    this.queue = new WorkQueue<string>({ clock, ...(options.rateLimiter ? { rateLimiter: options.rateLimiter } : {}) });
  }

  /** Enqueues the keys `toKeys` computes for every add, update and delete the informer sees (the object's own key by default). */
  watch<T extends KubeObject>(informer: Informer<T>, toKeys: KeyFunc<T> = objectKey): this {
    const enqueue = (obj: T): void => {
      const keys = toKeys(obj);
      for (const key of Array.isArray(keys) ? keys : keys === undefined ? [] : [keys]) this.queue.add(key);
    };
    informer.addEventHandler({ onAdd: enqueue, onUpdate: (_old, obj) => enqueue(obj), onDelete: enqueue });
    if (!this.#informers.includes(informer as unknown as Informer<KubeObject>)) this.#informers.push(informer as unknown as Informer<KubeObject>);
    return this;
  }

  /** Runs the informers, waits for their caches, then the workers; settles after the signal aborts and everything stopped. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#started) throw new Error(`controller ${this.name} already started`);
    this.#started = true;
    const informers = this.#informers.map((i) => i.run(signal));
    const stop = (): void => this.queue.shutDown();
    signal.addEventListener('abort', stop, { once: true });
    if (signal.aborted) stop();
    const synced = await Promise.race([
      Promise.all(this.#informers.map((i) => i.hasSynced)).then(() => true),
      new Promise<false>((resolve) => (signal.aborted ? resolve(false) : signal.addEventListener('abort', () => resolve(false), { once: true }))),
    ]);
    if (synced) {
      this.#logger?.info({ workers: this.#workers }, 'caches synced; starting workers');
      await Promise.all(Array.from({ length: this.#workers }, () => this.#worker(signal)));
    }
    await Promise.all(informers);
    signal.removeEventListener('abort', stop);
  }

  async #worker(signal: AbortSignal): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        const result = await this.#reconciler.reconcile(key, signal);
        this.queue.forget(key);
        if (result?.requeueAfter !== undefined && !signal.aborted) this.queue.addAfter(key, result.requeueAfter);
      } catch (err) {
        if (!signal.aborted) {
          // A Conflict only means the cache was behind a write: routine, retried at once with backoff.
          const level = isConflict(err) ? 'debug' : 'warn';
          this.#logger?.[level]({ err, key, retries: this.queue.numRequeues(key) }, 'reconcile failed; requeueing');
          this.queue.addRateLimited(key);
        }
      } finally {
        this.queue.done(key);
      }
    }
  }
}
