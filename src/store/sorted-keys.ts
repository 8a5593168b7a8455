// The watch cache's keys in sorted order, for paginated lists. Re-sorting every key after each
// new object made a LIST during a pod storm cost a full sort (150,000 keys: a few hundred ms of
// the event loop per call); here new keys wait in a small side list and are merged in (sort the
// few, one linear merge) when a list asks. Deleted keys stay until the next merge drops them.

export class SortedKeys {
  #sorted: string[] = [];
  #added: string[] = [];
  #removed = 0;

  /** A key that was not in the cache before. */
  add(key: string): void {
    this.#added.push(key);
  }

  /** A key that left the cache (it may come back through add()). */
  remove(): void {
    this.#removed++;
  }

  clear(): void {
    this.#sorted = [];
    this.#added = [];
    this.#removed = 0;
  }

  /** Every live key in order, each once; `has` tells which keys are still in the cache. */
  sorted(has: (key: string) => boolean): readonly string[] {
    if (this.#added.length === 0 && this.#removed === 0) return this.#sorted;
    const added = this.#added.sort();
    const old = this.#sorted;
    const out: string[] = new Array(old.length + added.length);
    let n = 0;
    let i = 0;
    let j = 0;
    const keep = (key: string): void => {
      // Equal keys meet here (deleted then re-added): keep one; drop keys no longer cached.
      if ((n > 0 && out[n - 1] === key) || !has(key)) return;
      out[n++] = key;
    };
    while (i < old.length || j < added.length) {
      if (j >= added.length || (i < old.length && old[i]! <= added[j]!)) keep(old[i++]!);
      else keep(added[j++]!);
    }
    out.length = n;
    this.#sorted = out;
    this.#added = [];
    this.#removed = 0;
    return out;
  }
}
