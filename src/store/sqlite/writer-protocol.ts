// The messages between the SQLite store and its writer thread (commit-worker.ts), and how errors
// cross that boundary. Requests carry an id; the writer answers each with 'done' or 'fail' and the
// same id. Batch requests and outcomes travel with their buffers transferred (write-batch.ts).

import { StoreError, type StoreErrorCode } from '../types.ts';
import type { CompactionStats } from './committer.ts';
import type { BatchOutcome, BatchRequest } from './write-batch.ts';

/** workerData.sqliteWriter of the writer thread. */
export interface WriterConfig {
  readonly file: string;
  readonly busyTimeoutMs: number;
}

export type WriterRequest =
  | { readonly t: 'batch'; readonly id: number; readonly req: BatchRequest }
  | { readonly t: 'compact'; readonly id: number; readonly target: number }
  | { readonly t: 'close'; readonly id: number };

export type WriterReply =
  | { readonly t: 'ready'; readonly revision: number; readonly compacted: number }
  | { readonly t: 'done'; readonly id: number; readonly value: BatchOutcome | CompactionStats | undefined }
  | { readonly t: 'fail'; readonly id: number; readonly error: SerializedError };

/** An error as it crosses the thread boundary (structured clone keeps only name and message). */
export interface SerializedError {
  readonly message: string;
  /** Set for StoreErrors. */
  readonly storeCode?: StoreErrorCode;
  /** node:sqlite's code, SQLite's extended result code and its text. */
  readonly code?: string;
  readonly errcode?: number;
  readonly errstr?: string;
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof StoreError) return { message: err.message, storeCode: err.code };
  if (!(err instanceof Error)) return { message: String(err) };
  const { code, errcode, errstr } = err as Error & { code?: unknown; errcode?: unknown; errstr?: unknown };
  return {
    message: err.message,
    ...(typeof code === 'string' && { code }),
    ...(typeof errcode === 'number' && { errcode }),
    ...(typeof errstr === 'string' && { errstr }),
  };
}

export function deserializeError(e: SerializedError): Error {
  if (e.storeCode !== undefined) return new StoreError(e.storeCode, e.message);
  const err = new Error(e.message) as Error & Omit<SerializedError, 'message' | 'storeCode'>;
  return Object.assign(err, {
    ...(e.code !== undefined && { code: e.code }),
    ...(e.errcode !== undefined && { errcode: e.errcode }),
    ...(e.errstr !== undefined && { errstr: e.errstr }),
  });
}
