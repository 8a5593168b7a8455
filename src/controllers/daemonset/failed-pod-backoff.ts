// Backoff for deleting failed daemon pods, per DaemonSet and node (upstream's failedPodsBackoff:
// 1 s doubling to 15 min): a kubelet that keeps rejecting a daemon pod must not turn the
// controller into a create/delete hot loop. An entry idle for twice the maximum starts over.

import type { Clock } from '../../client/index.ts';

export const FAILED_POD_BACKOFF_INITIAL_MS = 1000;
export const FAILED_POD_BACKOFF_MAX_MS = 15 * 60 * 1000;

export class FailedPodBackoff {
  readonly #clock: Clock;
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #entries = new Map<string, { delayMs: number; lastMs: number }>();

  constructor(clock: Clock, initialMs = FAILED_POD_BACKOFF_INITIAL_MS, maxMs = FAILED_POD_BACKOFF_MAX_MS) {
    this.#clock = clock;
    this.#initialMs = initialMs;
    this.#maxMs = maxMs;
  }

  /** Milliseconds left of the current backoff of `key` (0 when not backing off). */
  remainingMs(key: string): number {
    const e = this.#entries.get(key);
    if (!e) return 0;
    return Math.max(0, e.lastMs + e.delayMs - this.#clock.now());
  }

  /** Records an attempt: the next one waits twice as long (up to the maximum). */
  next(key: string): void {
    const now = this.#clock.now();
    const e = this.#entries.get(key);
    if (!e || now - e.lastMs > 2 * this.#maxMs) this.#entries.set(key, { delayMs: this.#initialMs, lastMs: now });
    else this.#entries.set(key, { delayMs: Math.min(e.delayMs * 2, this.#maxMs), lastMs: now });
  }

  /** Drops entries idle for longer than twice the maximum. */
  gc(): void {
    const now = this.#clock.now();
    for (const [key, e] of this.#entries) if (now - e.lastMs > 2 * this.#maxMs) this.#entries.delete(key);
  }
}
