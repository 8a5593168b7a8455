// A keyed min-heap of due times driven by ONE timer on the injected Clock: thousands of simulated
// nodes share it for lease renewals, status reports and pod wake-ups instead of holding a timer
// each. A key is due at most once; scheduling it again keeps the earlier time, unless `replace`.
// Entries superseded by a later schedule or a cancel stay in the heap and are skipped on pop.

import type { Clock, TimerHandle } from '../../../client/index.ts';

interface Entry<K> {
  at: number;
  seq: number;
  key: K;
}

export class DueQueue<K> {
  readonly #clock: Clock;
  readonly #onDue: (key: K) => void;
  readonly #due = new Map<K, number>();
  #heap: Entry<K>[] = [];
  #seq = 0;
  #timer: TimerHandle | undefined;
  #armedAt = Infinity;
  #closed = false;

  constructor(clock: Clock, onDue: (key: K) => void) {
    this.#clock = clock;
    this.#onDue = onDue;
  }

  /** Keys waiting to become due. */
  get size(): number {
    return this.#due.size;
  }

  has(key: K): boolean {
    return this.#due.has(key);
  }

  dueAt(key: K): number | undefined {
    return this.#due.get(key);
  }

  /** Makes `key` due at `at` (ms on the clock); an earlier pending time wins unless `replace`. */
  schedule(key: K, at: number, replace = false): void {
    if (this.#closed) return;
    const current = this.#due.get(key);
    if (current !== undefined && (current === at || (!replace && current <= at))) return;
    this.#due.set(key, at);
    this.#push({ at, seq: this.#seq++, key });
    if (at < this.#armedAt) this.#arm();
  }

  cancel(key: K): void {
    this.#due.delete(key);
  }

  /** Cancels everything; later schedules are ignored. */
  close(): void {
    this.#closed = true;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#due.clear();
    this.#heap = [];
  }

  #fire(): void {
    this.#timer = undefined;
    this.#armedAt = Infinity;
    const now = this.#clock.now();
    const ready: K[] = [];
    for (let top = this.#heap[0]; top && top.at <= now; top = this.#heap[0]) {
      this.#pop();
      if (this.#due.get(top.key) !== top.at) continue;
      this.#due.delete(top.key);
      ready.push(top.key);
    }
    this.#dropStale();
    this.#arm();
    for (const key of ready) this.#onDue(key);
  }

  #arm(): void {
    this.#dropStale();
    const top = this.#heap[0];
    if (this.#closed || !top || top.at >= this.#armedAt) return;
    this.#timer?.cancel();
    this.#armedAt = top.at;
    this.#timer = this.#clock.setTimeout(() => this.#fire(), top.at - this.#clock.now());
  }

  /** Pops superseded entries off the top so the timer is armed for a live one. */
  #dropStale(): void {
    for (let top = this.#heap[0]; top && this.#due.get(top.key) !== top.at; top = this.#heap[0]) this.#pop();
  }

  #push(entry: Entry<K>): void {
    const heap = this.#heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop();
    if (!last || heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < heap.length && before(heap[l]!, heap[min]!)) min = l;
      if (r < heap.length && before(heap[r]!, heap[min]!)) min = r;
      if (min === i) break;
      [heap[i], heap[min]] = [heap[min]!, heap[i]!];
      i = min;
    }
  }
}

function before<K>(a: Entry<K>, b: Entry<K>): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
