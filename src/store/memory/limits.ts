// Limits shared by every Store backend, so that a value accepted by the memory store in unit tests
// is also accepted by SQLite and etcd in production.

import { StoreError } from '../types.ts';

/**
 * Largest value a store accepts by default: the API server's 3 MiB request limit plus room for
 * the fields the server adds (managedFields, status) after decoding the request.
 */
export const DEFAULT_MAX_VALUE_BYTES = 3 * 1024 * 1024 + 512 * 1024;

export function tooLarge(key: string, value: Uint8Array, max: number): StoreError {
  return new StoreError('too-large', `value for ${key} is ${value.byteLength} bytes, the limit is ${max}`);
}

export function checkValueSize(key: string, value: Uint8Array, max: number): void {
  if (value.byteLength > max) throw tooLarge(key, value, max);
}
