// The public surface of the store: the contract, and the embedded and in-memory backends.
// (The contract test suite lives in contract.ts and is imported by backend tests directly, so that
// production code never loads node:test.)

export * from './types.ts';
export { MemoryStore, type MemoryStoreOptions } from './memory/memory-store.ts';
export { DEFAULT_MAX_VALUE_BYTES } from './memory/limits.ts';
export { SqliteStore, type SqliteStoreOptions, type SqliteStoreStats, type SqliteWriter } from './sqlite/sqlite-store.ts';
