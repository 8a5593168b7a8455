// The crash-loop back-off of restarted containers, as client-go's flowcontrol.Backoff is used by
// the kubelet: per (pod, container) key the delay starts at 10 s and doubles to 5 min; a key whose
// last restart is more than 10 min (twice the maximum) before the container's exit starts over,
// so a container that ran for 10 minutes before it failed is restarted at once again.

import type { Clock } from '../../client/clock.ts';

export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
}

interface Entry {
  delayMs: number;
  lastUpdate: number;
}

export const BACKOFF_INITIAL_MS = 10_000;
export const BACKOFF_MAX_MS = 300_000;

export class ContainerBackoff {
  readonly #clock: Clock;
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #entries = new Map<string, Entry>();

  constructor(clock: Clock, options: BackoffOptions = {}) {
    this.#clock = clock;
    this.#initialMs = options.initialMs ?? BACKOFF_INITIAL_MS;
    this.#maxMs = options.maxMs ?? BACKOFF_MAX_MS;
  }

  /** The key of a container of a pod; a new spec hash is a new container and starts over. */
  static key(podUid: string, containerName: string, hash = ''): string {
    return `${podUid}/${containerName}/${hash}`;
  }

  #expired(eventTime: number, entry: Entry): boolean {
    return eventTime - entry.lastUpdate > 2 * this.#maxMs;
  }

  /** Ms left of the back-off that started at `eventTime` (the container's exit), 0 if none. */
  remaining(key: string, eventTime: number): number {
    const entry = this.#entries.get(key);
    if (!entry || this.#expired(eventTime, entry)) return 0;
    return Math.max(0, eventTime + entry.delayMs - this.#clock.now());
  }

  /** The current delay of a key (0 if it has none). */
  delay(key: string): number {
    return this.#entries.get(key)?.delayMs ?? 0;
  }

  /** Records a restart after the exit at `eventTime`: the next back-off is longer. */
  next(key: string, eventTime: number): void {
    const entry = this.#entries.get(key);
    const delayMs = !entry || this.#expired(eventTime, entry) ? this.#initialMs : Math.min(entry.delayMs * 2, this.#maxMs);
    this.#entries.set(key, { delayMs, lastUpdate: this.#clock.now() });
  }

  /** Forgets the keys with this prefix (a pod that is gone). */
  forget(prefix: string): void {
    for (const k of this.#entries.keys()) if (k.startsWith(prefix)) this.#entries.delete(k);
  }

  /** Drops entries idle for longer than twice the maximum (they would start over anyway). */
  gc(): void {
    const now = this.#clock.now();
    for (const [k, e] of this.#entries) if (now - e.lastUpdate > 2 * this.#maxMs) this.#entries.delete(k);
  }
}

/** Go's time.Duration formatting for whole seconds: 10s, 1m20s, 5m0s. */
export function goDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60}s`;
}
