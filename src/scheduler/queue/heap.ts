// A binary heap with keyed access (upstream internal/heap): O(log n) add, update, delete by key
// and pop, used for the active queue (QueueSort order) and the backoff queue (expiry order).

export class KeyedHeap<T> {
  readonly #items: T[] = [];
  readonly #index = new Map<string, number>();
  readonly #key: (item: T) => string;
  readonly #less: (a: T, b: T) => boolean;

  constructor(key: (item: T) => string, less: (a: T, b: T) => boolean) {
    this.#key = key;
    this.#less = less;
  }

  get size(): number {
    return this.#items.length;
  }

  has(key: string): boolean {
    return this.#index.has(key);
  }

  get(key: string): T | undefined {
    const i = this.#index.get(key);
    return i === undefined ? undefined : this.#items[i];
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  /** Adds the item, or replaces the item with the same key and restores heap order. */
  addOrUpdate(item: T): void {
    const key = this.#key(item);
    const i = this.#index.get(key);
    if (i !== undefined) {
      this.#items[i] = item;
      this.#fix(i);
      return;
    }
    this.#items.push(item);
    this.#index.set(key, this.#items.length - 1);
    this.#up(this.#items.length - 1);
  }

  delete(key: string): T | undefined {
    const i = this.#index.get(key);
    if (i === undefined) return undefined;
    const item = this.#items[i]!;
    const last = this.#items.length - 1;
    if (i !== last) this.#swap(i, last);
    this.#items.pop();
    this.#index.delete(key);
    if (i < this.#items.length) this.#fix(i);
    return item;
  }

  pop(): T | undefined {
    const top = this.#items[0];
    if (top === undefined) return undefined;
    this.delete(this.#key(top));
    return top;
  }

  list(): T[] {
    return this.#items.slice();
  }

  #fix(i: number): void {
    if (!this.#down(i)) this.#up(i);
  }

  #up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(this.#items[i]!, this.#items[parent]!)) break;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #down(i0: number): boolean {
    let i = i0;
    const n = this.#items.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let j = l;
      const r = l + 1;
      if (r < n && this.#less(this.#items[r]!, this.#items[l]!)) j = r;
      if (!this.#less(this.#items[j]!, this.#items[i]!)) break;
      this.#swap(i, j);
      i = j;
    }
    return i > i0;
  }

  #swap(i: number, j: number): void {
    const a = this.#items[i]!;
    const b = this.#items[j]!;
    this.#items[i] = b;
    this.#items[j] = a;
    this.#index.set(this.#key(b), i);
    this.#index.set(this.#key(a), j);
  }
}
