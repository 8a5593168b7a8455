// Public surface of the pod garbage collector.

export {
  DEFAULT_TERMINATED_POD_THRESHOLD,
  GC_PERIOD_MS,
  OUT_OF_SERVICE_TAINT,
  PodGcReconciler,
  podGcController,
  QUARANTINE_MS,
  type PodGcOptions,
} from './podgc-controller.ts';
