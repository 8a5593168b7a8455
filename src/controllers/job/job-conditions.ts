// Job conditions as upstream's controller keeps them. Unlike the generic helper, every change of
// a Job condition rewrites both lastProbeTime and lastTransitionTime, and a False condition is
// never added where none existed (going from nothing to False says nothing).

import { metaTime } from '../util/conditions.ts';
import type { Job, JobCondition } from './types.ts';

export const COMPLETE = 'Complete';
export const FAILED = 'Failed';
export const SUSPENDED = 'Suspended';
export const FAILURE_TARGET = 'FailureTarget';
export const SUCCESS_CRITERIA_MET = 'SuccessCriteriaMet';

export const REASON_BACKOFF_LIMIT_EXCEEDED = 'BackoffLimitExceeded';
export const REASON_DEADLINE_EXCEEDED = 'DeadlineExceeded';
export const REASON_POD_FAILURE_POLICY = 'PodFailurePolicy';
export const REASON_MAX_FAILED_INDEXES_EXCEEDED = 'MaxFailedIndexesExceeded';
export const REASON_FAILED_INDEXES = 'FailedIndexes';
export const REASON_COMPLETIONS_REACHED = 'CompletionsReached';
export const REASON_SUCCESS_POLICY = 'SuccessPolicy';

export const findJobCondition = (job: Job, type: string): JobCondition | undefined => job.status?.conditions?.find((c) => c.type === type);

const isTrue = (c: JobCondition | undefined): boolean => c?.status === 'True';

/** The terminal condition type (Complete or Failed) when the Job has finished. */
export function finishedConditionType(job: Job): string | undefined {
  for (const c of job.status?.conditions ?? []) if ((c.type === COMPLETE || c.type === FAILED) && c.status === 'True') return c.type;
  return undefined;
}

export const isJobFinished = (job: Job): boolean => finishedConditionType(job) !== undefined;

export const isJobSucceeded = (job: Job): boolean => isTrue(findJobCondition(job, COMPLETE));

export function newJobCondition(type: string, status: JobCondition['status'], reason: string, message: string, nowMs: number): JobCondition {
  const now = metaTime(nowMs);
  return { type, status, reason, message, lastProbeTime: now, lastTransitionTime: now };
}

/**
 * Sets the condition of `type` to the given status, reason and message (upstream's
 * ensureJobConditionStatus). Returns whether the list changed.
 */
export function ensureJobCondition(job: Job, type: string, status: JobCondition['status'], reason: string, message: string, nowMs: number): boolean {
  const list = job.status?.conditions ?? [];
  const i = list.findIndex((c) => c.type === type);
  const existing = i >= 0 ? list[i] : undefined;
  if (existing) {
    if (existing.status === status && (existing.reason ?? '') === reason && (existing.message ?? '') === message) return false;
    list[i] = newJobCondition(type, status, reason, message, nowMs);
    return true;
  }
  if (status === 'False') return false;
  (job.status ??= {}).conditions = [...list, newJobCondition(type, status, reason, message, nowMs)];
  return true;
}

export const isSuccessCriteriaMet = (c: JobCondition | undefined): boolean => c?.type === SUCCESS_CRITERIA_MET && c.status === 'True';
