// Finished Jobs a CronJob keeps: beyond successfulJobsHistoryLimit / failedJobsHistoryLimit the
// oldest (by start time) are deleted, in the background.

import type { EventRecorder, RestClient } from '../../client/index.ts';
import { isNotFound } from '../../machinery/status-error.ts';
import { COMPLETE, FAILED, finishedConditionType, type Job } from '../job/index.ts';
import { JOBS } from '../util/refs.ts';
import { removeFromActiveList } from './job-from-template.ts';
import type { CronJob } from './types.ts';

export interface HistoryDeps {
  client: RestClient;
  recorder: EventRecorder;
}

/** Oldest first: by status.startTime (Jobs never started last), then by name. */
export function byStartTime(a: Job, b: Job): number {
  const sa = a.status?.startTime;
  const sb = b.status?.startTime;
  if (sa && sb && sa !== sb) return Date.parse(sa) - Date.parse(sb);
  if (sa && !sb) return -1;
  if (!sa && sb) return 1;
  return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

/** Deletes a Job of the CronJob (background propagation) and drops it from status.active. */
export async function deleteCronJobJob(deps: HistoryDeps, cj: CronJob, job: Job, signal: AbortSignal): Promise<boolean> {
  try {
    await deps.client.delete({ ...JOBS, namespace: job.metadata.namespace ?? '', name: job.metadata.name ?? '' }, { propagationPolicy: 'Background', signal });
  } catch (err) {
    if (!isNotFound(err)) {
      void deps.recorder.event(cj, 'Warning', 'FailedDelete', `Deleted job: ${err instanceof Error ? err.message : String(err)}`);
      return false;
    }
  }
  removeFromActiveList(cj, job.metadata.uid);
  void deps.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name ?? ''}`);
  return true;
}

async function removeOldest(deps: HistoryDeps, cj: CronJob, jobs: Job[], keep: number, signal: AbortSignal): Promise<boolean> {
  const excess = jobs.length - keep;
  if (excess <= 0) return false;
  let changed = false;
  for (const job of [...jobs].sort(byStartTime).slice(0, excess)) if (await deleteCronJobJob(deps, cj, job, signal)) changed = true;
  return changed;
}

/** Applies both history limits; returns whether status.active changed. */
export async function cleanupFinishedJobs(deps: HistoryDeps, cj: CronJob, jobs: readonly Job[], signal: AbortSignal): Promise<boolean> {
  const successLimit = cj.spec?.successfulJobsHistoryLimit;
  const failedLimit = cj.spec?.failedJobsHistoryLimit;
  if (successLimit === undefined && failedLimit === undefined) return false;
  const succeeded = jobs.filter((j) => finishedConditionType(j) === COMPLETE);
  const failed = jobs.filter((j) => finishedConditionType(j) === FAILED);
  let changed = false;
  if (successLimit !== undefined && (await removeOldest(deps, cj, succeeded, successLimit, signal))) changed = true;
  if (failedLimit !== undefined && (await removeOldest(deps, cj, failed, failedLimit, signal))) changed = true;
  return changed;
}
