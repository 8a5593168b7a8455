// Upstream's UIDTrackingControllerExpectations: creations are counted, deletions are tracked by pod
// key. A pod being deleted is usually seen twice (an update setting deletionTimestamp, then the
// delete itself); counting both would lower the expectation for a pod that was never asked for.
// Remembering which keys were deleted makes every observation after the first a no-op.

import type { Clock } from '../../client/index.ts';
import { Expectations } from '../runtime/index.ts';

export class PodExpectations {
  readonly #counts: Expectations;
  /** owner key → keys of the pods it deleted and has not yet seen go. */
  readonly #deleting = new Map<string, Set<string>>();

  constructor(options: { clock?: Clock; timeoutMs?: number } = {}) {
    this.#counts = new Expectations(options);
  }

  expectCreations(ownerKey: string, n: number): void {
    this.#counts.expectCreations(ownerKey, n);
  }

  creationObserved(ownerKey: string): void {
    this.#counts.creationObserved(ownerKey);
  }

  /** Records the pods about to be deleted (replacing any earlier record, as upstream). */
  expectDeletions(ownerKey: string, podKeys: readonly string[]): void {
    this.#deleting.set(ownerKey, new Set(podKeys));
    this.#counts.expectDeletions(ownerKey, podKeys.length);
  }

  /** Lowers the deletion expectation once per expected pod; repeats and unexpected pods are ignored. */
  deletionObserved(ownerKey: string, podKey: string): void {
    const keys = this.#deleting.get(ownerKey);
    if (!keys?.delete(podKey)) return;
    if (keys.size === 0) this.#deleting.delete(ownerKey);
    this.#counts.deletionObserved(ownerKey);
  }

  satisfied(ownerKey: string): boolean {
    return this.#counts.satisfied(ownerKey);
  }

  pending(ownerKey: string): { add: number; del: number } | undefined {
    return this.#counts.get(ownerKey);
  }

  delete(ownerKey: string): void {
    this.#counts.delete(ownerKey);
    this.#deleting.delete(ownerKey);
  }
}
