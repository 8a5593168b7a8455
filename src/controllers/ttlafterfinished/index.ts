// Public surface of the TTL-after-finished controller.

export { TtlAfterFinishedReconciler, ttlAfterFinishedController } from './ttl-after-finished-controller.ts';
export { finishedAtMs, needsCleanup, ttlTimeLeft } from './ttl.ts';
