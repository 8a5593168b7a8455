// The Store contract: a revisioned key-value log shaped like etcd, so that the embedded SQLite
// backend, the in-memory test backend and etcd are interchangeable. Values are opaque bytes
// (JSON text of an object without its resourceVersion); the revision is the resourceVersion.

/** One stored value with the revisions that created and last modified it. */
export interface KeyValue {
  readonly key: string;
  readonly value: Uint8Array;
  /** Revision at which the key was created (survives updates). */
  readonly createRevision: number;
  /** Revision of the last write to this key. */
  readonly modRevision: number;
}

export interface StoreEvent {
  readonly type: 'put' | 'delete';
  /** For put: the new value. For delete: the last value before deletion, with modRevision = the delete's revision. */
  readonly kv: KeyValue;
  /** The previous value for updates and deletes; undefined on create. */
  readonly prevKv?: KeyValue;
  /** Revision of this event (== kv.modRevision). */
  readonly revision: number;
}

export interface ListResult {
  readonly items: KeyValue[];
  /** The store revision the list reflects. */
  readonly revision: number;
}

export interface WatchOptions {
  /**
   * Deliver every event with revision > afterRevision under the prefix, then live events.
   * Throws a StoreError with code 'compacted' when afterRevision < compactedRevision.
   */
  readonly afterRevision: number;
  readonly signal?: AbortSignal;
}

export type WatchHandler = (events: readonly StoreEvent[]) => void;

export interface Watch {
  /** Stops delivery. Idempotent. */
  close(): void;
  /** Resolves when the watch ends (closed, or the store failed: then the error is given). */
  readonly done: Promise<Error | undefined>;
  /**
   * The revision up to which every event under the prefix has been delivered, including commits
   * that touched other prefixes (etcd's progress notification). Lets a cache of one prefix know it
   * is fresh when the latest writes went elsewhere.
   */
  readonly progress?: number;
}

export type StoreErrorCode = 'exists' | 'not-found' | 'conflict' | 'compacted' | 'closed' | 'too-large';

/** Errors from the store carry a code; the registry maps them to API Status errors. */
export class StoreError extends Error {
  readonly code: StoreErrorCode;
  /** For 'conflict' and 'exists', the current value in the store. */
  readonly current: KeyValue | undefined;
  constructor(code: StoreErrorCode, message: string, current?: KeyValue) {
    super(message);
    this.name = 'StoreError';
    this.code = code;
    this.current = current;
  }
}

export function isStoreError(err: unknown, code?: StoreErrorCode): err is StoreError {
  return err instanceof StoreError && (code === undefined || err.code === code);
}

export interface Store {
  /** Backend name for metrics and logs, e.g. "sqlite", "memory", "etcd". */
  readonly backend: string;
  /** The latest committed revision. */
  currentRevision(): Promise<number>;
  /** The oldest revision still available for list-at-revision and watch. */
  compactedRevision(): Promise<number>;
  get(key: string): Promise<KeyValue | undefined>;
  /** All live keys with the prefix, sorted by key. With `revision`, the state at that past revision. */
  list(prefix: string, options?: { revision?: number }): Promise<ListResult>;
  /** Fails with 'exists' if the key is live. */
  create(key: string, value: Uint8Array): Promise<KeyValue>;
  /** Compare-and-swap: fails with 'not-found' or 'conflict' (expectedRevision != modRevision). */
  update(key: string, value: Uint8Array, expectedRevision: number): Promise<KeyValue>;
  /** Deletes; with expectedRevision, a compare-and-swap. Returns the deleted value with modRevision = delete revision. */
  delete(key: string, expectedRevision?: number): Promise<KeyValue>;
  watch(prefix: string, options: WatchOptions, handler: WatchHandler): Watch;
  /** Forget history at or below revision (current values stay). */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}
