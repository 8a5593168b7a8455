// Which pods' tracking finalizers this controller asked to remove and has not yet seen removed.
// Until the informer shows a pod without the finalizer (or gone), its termination is already in
// the Job's counters: counting it again from the stale cache would count it twice.

export class FinalizerExpectations {
  readonly #pending = new Map<string, Set<string>>();

  expectRemoved(jobKey: string, uids: readonly string[]): void {
    if (uids.length === 0) return;
    let set = this.#pending.get(jobKey);
    if (!set) this.#pending.set(jobKey, (set = new Set()));
    for (const uid of uids) set.add(uid);
  }

  removalObserved(jobKey: string, uid: string): void {
    const set = this.#pending.get(jobKey);
    if (!set) return;
    set.delete(uid);
    if (set.size === 0) this.#pending.delete(jobKey);
  }

  /** A snapshot of the pod uids still expected to lose their finalizer. */
  expected(jobKey: string): Set<string> {
    return new Set(this.#pending.get(jobKey));
  }

  delete(jobKey: string): void {
    this.#pending.delete(jobKey);
  }
}
