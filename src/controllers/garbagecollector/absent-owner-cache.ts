// Owners the collector has confirmed absent (404, or the name now belongs to another uid), as
// upstream's absentOwnerCache: an LRU of identities, so the dependents of one deleted owner cost
// one GET between them. A uid never comes back, so an entry can only go stale by being evicted.

import { identityKey, type ObjectIdentity } from './identity.ts';

export class AbsentOwnerCache {
  readonly #max: number;
  readonly #keys = new Set<string>();

  constructor(max = 500) {
    this.#max = max;
  }

  add(id: ObjectIdentity): void {
    const key = identityKey(id);
    this.#keys.delete(key);
    this.#keys.add(key);
    if (this.#keys.size > this.#max) this.#keys.delete(this.#keys.values().next().value!);
  }

  has(id: ObjectIdentity): boolean {
    const key = identityKey(id);
    if (!this.#keys.has(key)) return false;
    // Refresh recency.
    this.#keys.delete(key);
    this.#keys.add(key);
    return true;
  }
}
