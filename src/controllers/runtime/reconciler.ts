// The Reconciler contract: one reconcile(key) that converges the object named by key and reports
// whether to look again later. A thrown error means "retry with backoff"; NotFound is the
// reconciler's own business (the object was deleted: clean up, return success).

/** What a reconcile asks of the runner; nothing (or {}) means done until the next change. */
export interface Result {
  /** Look at the key again after this many ms, without counting it as a failure. */
  requeueAfter?: number;
}

export interface Reconciler {
  /** Converges `key` ("namespace/name" or "name"); `signal` aborts when the controller stops. */
  reconcile(key: string, signal: AbortSignal): Promise<Result | void>;
}
