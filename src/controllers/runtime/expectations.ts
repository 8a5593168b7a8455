// Controller expectations, as upstream's ControllerExpectations: before a controller issues N
// creates or deletes for a key it records them; informer events lower the counts. Until they are
// observed (or 5 minutes pass, in case a watch event was lost) the controller must not act on the
// stale cache again, so it never double-creates while its own writes are in flight.

import { realClock, type Clock } from '../../client/index.ts';

export const EXPECTATIONS_TIMEOUT_MS = 5 * 60 * 1000;

interface Expectation {
  add: number;
  del: number;
  at: number;
}

export class Expectations {
  readonly #records = new Map<string, Expectation>();
  readonly #clock: Clock;
  readonly #timeoutMs: number;

  constructor(options: { clock?: Clock; timeoutMs?: number } = {}) {
    this.#clock = options.clock ?? realClock;
    this.#timeoutMs = options.timeoutMs ?? EXPECTATIONS_TIMEOUT_MS;
  }

  /** Replaces the expectations of `key` (the controller is about to make these writes). */
  setExpectations(key: string, add: number, del: number): void {
    this.#records.set(key, { add, del, at: this.#clock.now() });
  }

  expectCreations(key: string, n: number): void {
    this.setExpectations(key, n, 0);
  }

  expectDeletions(key: string, n: number): void {
    this.setExpectations(key, 0, n);
  }

  /** Adds to existing expectations (a controller that issues more writes before the first are seen). */
  raise(key: string, add: number, del: number): void {
    const e = this.#records.get(key);
    if (!e) return this.setExpectations(key, add, del);
    e.add += add;
    e.del += del;
  }

  /** Lowers expectations; called from informer add/delete handlers and when a write fails. */
  lower(key: string, add: number, del: number): void {
    const e = this.#records.get(key);
    if (!e) return;
    e.add -= add;
    e.del -= del;
  }

  creationObserved(key: string): void {
    this.lower(key, 1, 0);
  }

  deletionObserved(key: string): void {
    this.lower(key, 0, 1);
  }

  /** True when the controller may reconcile `key`: nothing pending, all observed, or expired. */
  satisfied(key: string): boolean {
    const e = this.#records.get(key);
    if (!e) return true;
    return (e.add <= 0 && e.del <= 0) || this.#clock.now() - e.at > this.#timeoutMs;
  }

  /** Pending counts, for logging; undefined when there is no record. */
  get(key: string): { add: number; del: number } | undefined {
    const e = this.#records.get(key);
    return e && { add: e.add, del: e.del };
  }

  /** Forgets `key` (its owner was deleted). */
  delete(key: string): void {
    this.#records.delete(key);
  }
}
