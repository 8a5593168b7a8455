// When a finished Job's spec.ttlSecondsAfterFinished runs out: TTL seconds after the
// lastTransitionTime of its Complete or Failed condition.

import { COMPLETE, FAILED, isJobFinished, type Job } from '../job/index.ts';

/** The Job has a TTL, has finished, and is not already being deleted. */
export const needsCleanup = (job: Job): boolean =>
  typeof job.spec?.ttlSecondsAfterFinished === 'number' && isJobFinished(job) && !job.metadata.deletionTimestamp;

/** When the Job finished, from its terminal condition; undefined when it has not (or the time is missing). */
export function finishedAtMs(job: Job): number | undefined {
  for (const c of job.status?.conditions ?? []) {
    if ((c.type === COMPLETE || c.type === FAILED) && c.status === 'True') {
      const at = Date.parse(c.lastTransitionTime ?? '');
      return Number.isFinite(at) ? at : undefined;
    }
  }
  return undefined;
}

/**
 * How long until the Job may be deleted (<= 0: now) and when it expires; undefined when the Job
 * needs no cleanup. A Job that finished "in the future" (clock skew) simply waits longer.
 */
export function ttlTimeLeft(job: Job, nowMs: number): { leftMs: number; expireAtMs: number } | undefined {
  if (!needsCleanup(job)) return undefined;
  const finished = finishedAtMs(job);
  if (finished === undefined) return undefined;
  const expireAtMs = finished + (job.spec?.ttlSecondsAfterFinished ?? 0) * 1000;
  return { leftMs: expireAtMs - nowMs, expireAtMs };
}
