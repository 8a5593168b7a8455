// A controller that writes an object (its status, say) and is then woken by some other event may
// sync again before its cache has seen that write: whatever it writes from the stale copy
// conflicts and is retried with backoff. Remembering which resourceVersions its own writes
// replaced lets it recognise such a copy and wait instead — the watch event of its own write is
// bound to arrive and enqueue the key again. It is what expectations do for creates, applied to
// the object itself.

export class OwnWrites {
  /** key → resourceVersions this controller has written over and not yet seen replaced in the cache. */
  readonly #replaced = new Map<string, Set<string>>();

  /** Records that a write of `key` replaced `resourceVersion`. */
  record(key: string, resourceVersion: string | undefined): void {
    if (!resourceVersion) return;
    let set = this.#replaced.get(key);
    if (!set) this.#replaced.set(key, (set = new Set()));
    set.add(resourceVersion);
  }

  /** True when the cached copy is one this controller already wrote over; otherwise forgets `key`. */
  stale(key: string, cachedResourceVersion: string | undefined): boolean {
    const set = this.#replaced.get(key);
    if (!set) return false;
    if (cachedResourceVersion !== undefined && set.has(cachedResourceVersion)) return true;
    this.#replaced.delete(key);
    return false;
  }

  forget(key: string): void {
    this.#replaced.delete(key);
  }
}
