// The store's side of the writer thread (commit-worker.ts): starts it, posts it batches and
// compaction requests, and turns its answers back into promises.
//
// The thread keeps the process alive only while a request is outstanding (like a socket with a
// pending response), so an idle open store does not hold a finished program open. If the thread
// dies (an uncaught error, an exit nobody asked for), every outstanding request rejects, every
// later one rejects at once, and `failed` settles so the store can close itself: a write must
// never wait for an answer that cannot come.

import { Worker } from 'node:worker_threads';
import { closedError } from '../memory/store-watcher.ts';
import type { CompactionStats, Committer } from './committer.ts';
import { transferables, type BatchOutcome, type BatchRequest } from './write-batch.ts';
import { deserializeError, type WriterConfig, type WriterReply, type WriterRequest } from './writer-protocol.ts';

/** The writer's entry file, beside this one: .ts when running from the sources, .js from dist/. */
const ENTRY = new URL(import.meta.url.endsWith('.ts') ? './commit-worker.ts' : './commit-worker.js', import.meta.url);

interface Call {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

/** A request without its id (distributive, so each variant keeps its own fields). */
type Request = WriterRequest extends infer R ? (R extends WriterRequest ? Omit<R, 'id'> : never) : never;

export class WorkerCommitter implements Committer {
  readonly revision: number;
  readonly compacted: number;
  readonly failed: Promise<Error>;
  #worker: Worker;
  #calls = new Map<number, Call>();
  #nextId = 1;
  /** Why requests are refused: set once the thread is gone or going. */
  #gone: Error | undefined;
  #closeRequested = false;
  #dead = false;
  #closing: Promise<void> | undefined;
  #exited: Promise<void>;
  #reportFailure!: (err: Error) => void;

  /**
   * Starts the writer thread on `file`; resolves once it has opened the database. `entry` replaces
   * the thread's module in tests (one that wraps commit-worker.ts).
   */
  static start(file: string, busyTimeoutMs: number, entry: URL = ENTRY): Promise<WorkerCommitter> {
    const sqliteWriter: WriterConfig = { file, busyTimeoutMs };
    const worker = new Worker(entry, { workerData: { sqliteWriter }, name: 'sqlite-writer' });
    return new Promise((resolve, reject) => {
      const done = (): void => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const onMessage = (msg: WriterReply): void => {
        if (msg.t !== 'ready') return;
        done();
        resolve(new WorkerCommitter(worker, msg.revision, msg.compacted));
      };
      const onError = (err: Error): void => {
        done();
        reject(err);
      };
      const onExit = (code: number): void => {
        done();
        reject(new Error(`the writer thread exited with code ${code} while opening the database`));
      };
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
    });
  }

  private constructor(worker: Worker, revision: number, compacted: number) {
    this.#worker = worker;
    this.revision = revision;
    this.compacted = compacted;
    this.failed = new Promise((resolve) => (this.#reportFailure = resolve));
    this.#exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', this.#onMessage);
    worker.on('messageerror', (err: Error) => this.#die(err));
    worker.on('error', (err: Error) => this.#die(err));
    worker.on('exit', (code: number) => this.#die(new Error(`exited with code ${code}`)));
    worker.unref();
  }

  commit(req: BatchRequest): Promise<BatchOutcome> {
    return this.#call({ t: 'batch', req }, transferables(req)) as Promise<BatchOutcome>;
  }

  compact(target: number): Promise<CompactionStats> {
    return this.#call({ t: 'compact', target }) as Promise<CompactionStats>;
  }

  /** Lets the thread finish what it was sent, close the database and exit; resolves after the exit. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#gone === undefined) {
        this.#closeRequested = true;
        this.#worker.ref();
        const closed = this.#call({ t: 'close' });
        this.#gone = closedError('sqlite');
        await closed.catch(() => {});
      }
      await this.#exited;
    })();
    return this.#closing;
  }

  #call(request: Request, transfer?: ArrayBuffer[]): Promise<unknown> {
    if (this.#gone !== undefined) return Promise.reject(this.#gone);
    const id = this.#nextId++;
    const { promise, resolve, reject } = Promise.withResolvers<unknown>();
    this.#calls.set(id, { resolve, reject });
    if (this.#calls.size === 1) this.#worker.ref();
    this.#worker.postMessage({ ...request, id } as WriterRequest, transfer);
    return promise;
  }

  #onMessage = (msg: WriterReply): void => {
    if (msg.t === 'ready') return;
    const call = this.#calls.get(msg.id);
    if (call === undefined) return;
    this.#calls.delete(msg.id);
    // Once closing, the thread stays referenced until it has exited: close() awaits that.
    if (this.#calls.size === 0 && !this.#closeRequested) this.#worker.unref();
    if (msg.t === 'done') call.resolve(msg.value);
    else call.reject(deserializeError(msg.error));
  };

  /** The thread is gone: reject everything outstanding, and report it unless it was asked to close. */
  #die(cause: Error): void {
    if (this.#dead) return; // 'error' is followed by 'exit'
    this.#dead = true;
    const expected = this.#closeRequested;
    const err = expected ? closedError('sqlite') : new Error(`sqlite store writer thread failed: ${cause.message}`, { cause });
    this.#gone ??= err;
    const calls = [...this.#calls.values()];
    this.#calls.clear();
    for (const call of calls) call.reject(err);
    if (expected) return;
    void this.#worker.terminate(); // after a 'messageerror' it may still be running
    this.#reportFailure(err);
  }
}
