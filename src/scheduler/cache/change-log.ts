// Which of a snapshot's NodeInfos changed, in order (every mutation of a NodeInfo the snapshot
// holds appends it). Plugins that keep state across cycles — counts over every node that would
// otherwise be recomputed for each pod — remember a position and replay what changed since,
// instead of walking every node. Old entries are dropped past a bound; a reader whose position
// fell behind recomputes from scratch.

const MAX_ENTRIES = 1 << 16;

export class ChangeLog<T> {
  #items: T[] = [];
  /** Absolute position of #items[0]. */
  #start = 0;

  /** The position after the last change. */
  get end(): number {
    return this.#start + this.#items.length;
  }

  push(item: T): void {
    this.#items.push(item);
    if (this.#items.length > MAX_ENTRIES) {
      const drop = this.#items.length >> 1;
      this.#items = this.#items.slice(drop);
      this.#start += drop;
    }
  }

  /** The changes from position `from` to end, or undefined when some are no longer kept. */
  since(from: number): readonly T[] | undefined {
    if (from < this.#start || from > this.end) return undefined;
    return from === this.end ? [] : this.#items.slice(from - this.#start);
  }
}
