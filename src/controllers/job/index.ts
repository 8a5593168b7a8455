// Public surface of the Job controller: the controller factory and its options, the labels,
// annotations and finalizer it puts on pods, and the condition helpers other batch controllers
// (CronJob, TTL-after-finished) read.

export { jobController, JobReconciler, ORPHAN_POD_KEY_PREFIX } from './job-controller.ts';
export type { JobControllerOptions } from './job-sync.ts';
export { DEFAULT_POD_FAILURE_BACKOFF_MS, MAX_POD_FAILURE_BACKOFF_MS } from './backoff.ts';
export {
  COMPLETE,
  FAILED,
  FAILURE_TARGET,
  SUCCESS_CRITERIA_MET,
  SUSPENDED,
  finishedConditionType,
  findJobCondition,
  isJobFinished,
  isJobSucceeded,
} from './job-conditions.ts';
export {
  JOB_COMPLETION_INDEX,
  JOB_COMPLETION_INDEX_ENV,
  JOB_INDEX_FAILURE_COUNT,
  JOB_INDEX_IGNORED_FAILURE_COUNT,
  JOB_TRACKING_FINALIZER,
  type Job,
  type JobCondition,
  type JobSpec,
  type JobStatus,
} from './types.ts';
