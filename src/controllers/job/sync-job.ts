// One sync of a Job (upstream's syncJob): count its pods, decide whether it has failed (pod
// failure policy, backoffLimit, activeDeadlineSeconds, failed indexes) or succeeded
// (completions, success policy), otherwise converge its pods and keep the Suspended condition,
// then hand the result to the status tracking.

import { splitKey } from '../../client/index.ts';
import { metaTime } from '../util/conditions.ts';
import { isPodActive, isPodReady, type Pod } from '../util/pods.ts';
import { failJobMessage, isPodFailed, matchPodFailurePolicy, pastBackoffLimitOnFailure } from './failure-policy.ts';
import { completionIndexOf, failedIndexes, podsWithDelayedDeletion, succeededIndexes, UNKNOWN_INDEX } from './indexed.ts';
import { countIndexes } from './indexes.ts';
import {
  ensureJobCondition,
  FAILED,
  FAILURE_TARGET,
  findJobCondition,
  isJobFinished,
  newJobCondition,
  REASON_BACKOFF_LIMIT_EXCEEDED,
  REASON_COMPLETIONS_REACHED,
  REASON_DEADLINE_EXCEEDED,
  REASON_FAILED_INDEXES,
  REASON_MAX_FAILED_INDEXES_EXCEEDED,
  REASON_POD_FAILURE_POLICY,
  REASON_SUCCESS_POLICY,
  SUCCESS_CRITERIA_MET,
  SUSPENDED,
} from './job-conditions.ts';
import { requeue, type JobDeps, type JobSync } from './job-sync.ts';
import { deleteActivePods, manageJob } from './manage-pods.ts';
import { podsForJob } from './pods-for-job.ts';
import { matchSuccessPolicy } from './success-policy.ts';
import { trackJobStatus } from './tracking.ts';
import { completionsOf, hasBackoffLimitPerIndex, hasTrackingFinalizer, isIndexedJob, isJobSuspended, JOB_CONTROLLER_NAME, type Job, type JobCondition } from './types.ts';
import type { Result } from '../runtime/reconciler.ts';

/** Another controller runs this Job (spec.managedBy). */
export const managedElsewhere = (job: Job): boolean => job.spec?.managedBy !== undefined && job.spec.managedBy !== null && job.spec.managedBy !== JOB_CONTROLLER_NAME;

/** Terminated pods not yet in the status: not in the uncounted lists, finalizer still on, valid index. */
function newFinishedPods(s: JobSync): { succeeded: Pod[]; failed: Pod[] } {
  const completions = completionsOf(s.job) ?? 0;
  const fresh = (p: Pod, uncounted: Set<string>): boolean => {
    const uid = p.metadata.uid ?? '';
    if (!hasTrackingFinalizer(p) || uncounted.has(uid) || s.expectedRmFinalizers.has(uid)) return false;
    if (!isIndexedJob(s.job)) return true;
    const ix = completionIndexOf(p);
    return ix !== UNKNOWN_INDEX && ix < completions;
  };
  return {
    succeeded: s.pods.filter((p) => fresh(p, s.uncounted.succeeded) && p.status?.phase === 'Succeeded'),
    failed: s.pods.filter((p) => fresh(p, s.uncounted.failed) && isPodFailed(p, s.job)),
  };
}

const terminatingCount = (pods: readonly Pod[]): number =>
  pods.filter((p) => p.metadata.deletionTimestamp && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded').length;

export async function syncJob(deps: JobDeps, key: string, signal: AbortSignal): Promise<Result | void> {
  const { namespace, name } = splitKey(key);
  const cached = deps.jobs.lister.get(namespace, name);
  if (!cached) {
    deps.expectations.delete(key);
    deps.finalizerExpectations.delete(key);
    deps.backoff.remove(key);
    return;
  }
  if (managedElsewhere(cached)) return;
  if (isJobFinished(cached)) {
    deps.backoff.remove(key);
    return;
  }
  const job: Job = { ...structuredClone(cached), apiVersion: 'batch/v1', kind: 'Job' };
  const mode = job.spec?.completionMode;
  if (mode !== undefined && mode !== null && mode !== 'NonIndexed' && mode !== 'Indexed') {
    void deps.recorder.event(job, 'Warning', 'UnknownCompletionMode', 'Skipped Job sync because completion mode is unknown');
    return;
  }
  const status = (job.status ??= {});
  status.uncountedTerminatedPods ??= {};

  // Read before listing pods: a pod created after this check only defers the sync.
  const satisfied = deps.expectations.satisfied(key);
  const pods = await podsForJob(deps, job, signal);
  const activePods = pods.filter(isPodActive);
  const s: JobSync = {
    key, job, pods, activePods, signal,
    ready: activePods.filter(isPodReady).length,
    succeeded: 0,
    failed: 0,
    terminating: terminatingCount(pods),
    uncounted: { succeeded: new Set(status.uncountedTerminatedPods.succeeded ?? []), failed: new Set(status.uncountedTerminatedPods.failed ?? []) },
    expectedRmFinalizers: deps.finalizerExpectations.expected(key),
    finishedCondition: undefined,
    prevSucceededIndexes: [],
    succeededIndexes: [],
    failedIndexes: undefined,
    delayedDeletion: new Map(),
    newBackoff: { key, failuresAfterLastSuccess: 0 },
    requeueAfter: undefined,
  };
  const now = deps.clock.now();
  let active = activePods.length;
  const fresh = newFinishedPods(s);
  s.succeeded = (status.succeeded ?? 0) + fresh.succeeded.length + s.uncounted.succeeded.size;
  s.failed = (status.failed ?? 0) + fresh.failed.filter((p) => matchPodFailurePolicy(job, p).countFailed).length + s.uncounted.failed.size;

  // The first sync of a Job that is not suspended starts it.
  if (!status.startTime && !isJobSuspended(job)) status.startTime = metaTime(now);
  s.newBackoff = deps.backoff.next(key, fresh.succeeded, fresh.failed);

  decideFailure(s, now);
  if (isIndexedJob(job)) decideIndexed(s, now);

  let suspendChanged = false;
  let manageError: unknown;
  if (s.finishedCondition) {
    // A finishing Job loses its running pods; it is finished only once they are all gone.
    const r = await deleteActivePods(deps, s, activePods);
    if (r.deleted !== active || !satisfied) s.finishedCondition = undefined;
    active -= r.deleted;
    s.terminating += r.deleted;
    s.ready -= r.deletedReady;
    manageError = r.error;
  } else {
    let managed = false;
    if (satisfied && !job.metadata.deletionTimestamp) {
      const r = await manageJob(deps, s);
      active = r.active;
      manageError = r.error;
      managed = true;
    }
    const completions = completionsOf(job);
    // Without completions, one success is enough once nothing runs any more.
    const complete = completions === undefined ? s.succeeded > 0 && active === 0 : s.succeeded >= completions && active === 0;
    if (complete) {
      s.finishedCondition = newJobCondition(SUCCESS_CRITERIA_MET, 'True', REASON_COMPLETIONS_REACHED, 'Reached expected number of succeeded pods', now);
    } else if (managed) {
      suspendChanged = updateSuspendCondition(deps, s, now);
    }
  }

  const st = s.job.status!;
  const needsUpdate = suspendChanged || active !== (st.active ?? 0) || s.ready !== st.ready || s.terminating !== st.terminating;
  st.active = active;
  st.ready = s.ready;
  st.terminating = s.terminating;
  await trackJobStatus(deps, s, needsUpdate);
  if (manageError !== undefined) throw manageError;
  return s.requeueAfter === undefined ? undefined : { requeueAfter: s.requeueAfter };
}

/** Pod failure policy, backoff limit and active deadline, in upstream's order of precedence. */
function decideFailure(s: JobSync, now: number): void {
  const job = s.job;
  const met = findJobCondition(job, SUCCESS_CRITERIA_MET);
  // Success already decided in an earlier sync is not revisited.
  if (met?.status === 'True') {
    s.finishedCondition = met;
    return;
  }
  const target = findJobCondition(job, FAILURE_TARGET);
  if (target?.status === 'True') {
    s.finishedCondition = newJobCondition(FAILED, 'True', target.reason ?? '', target.message ?? '', now);
    return;
  }
  const message = failJobMessage(job, s.pods);
  if (message !== undefined) {
    s.finishedCondition = newJobCondition(FAILURE_TARGET, 'True', REASON_POD_FAILURE_POLICY, message, now);
    return;
  }
  if (s.failed > (job.spec?.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, s.pods)) {
    s.finishedCondition = failureTarget(REASON_BACKOFF_LIMIT_EXCEEDED, 'Job has reached the specified backoff limit', now);
    return;
  }
  const deadline = job.spec?.activeDeadlineSeconds;
  const start = Date.parse(job.status?.startTime ?? '');
  if (typeof deadline === 'number' && Number.isFinite(start) && !isJobSuspended(job)) {
    const left = start + deadline * 1000 - now;
    if (left <= 0) s.finishedCondition = failureTarget(REASON_DEADLINE_EXCEEDED, 'Job was active longer than specified deadline', now);
    else requeue(s, left);
  }
}

const failureTarget = (reason: string, message: string, now: number): JobCondition => newJobCondition(FAILURE_TARGET, 'True', reason, message, now);

/** Completed and failed indexes, the per-index limits and the success policy of Indexed Jobs. */
function decideIndexed(s: JobSync, now: number): void {
  const job = s.job;
  const completions = completionsOf(job) ?? 0;
  const { prev, all } = succeededIndexes(job, s.pods, completions);
  s.prevSucceededIndexes = prev;
  s.succeededIndexes = all;
  s.succeeded = countIndexes(all);
  if (hasBackoffLimitPerIndex(job)) {
    s.failedIndexes = failedIndexes(job, s.pods, completions);
    const failedCount = countIndexes(s.failedIndexes);
    if (!s.finishedCondition) {
      const max = job.spec?.maxFailedIndexes;
      if (typeof max === 'number' && failedCount > max) {
        s.finishedCondition = failureTarget(REASON_MAX_FAILED_INDEXES_EXCEEDED, 'Job has exceeded the specified maximal number of failed indexes', now);
      } else if (failedCount > 0 && failedCount + s.succeeded >= completions) {
        s.finishedCondition = failureTarget(REASON_FAILED_INDEXES, 'Job has failed indexes', now);
      }
    }
    s.delayedDeletion = podsWithDelayedDeletion(job, s.pods, s.activePods, s.succeededIndexes, s.failedIndexes, s.expectedRmFinalizers, completions);
  }
  if (!s.finishedCondition) {
    const message = matchSuccessPolicy(job, s.succeededIndexes, completions);
    if (message !== undefined) s.finishedCondition = newJobCondition(SUCCESS_CRITERIA_MET, 'True', REASON_SUCCESS_POLICY, message, now);
  }
}

/** Suspended True while suspended; on resume False, with startTime reset so the deadline counts from now. */
function updateSuspendCondition(deps: JobDeps, s: JobSync, now: number): boolean {
  if (isJobSuspended(s.job)) {
    const changed = ensureJobCondition(s.job, SUSPENDED, 'True', 'JobSuspended', 'Job suspended', now);
    if (changed) void deps.recorder.event(s.job, 'Normal', 'Suspended', 'Job suspended');
    return changed;
  }
  const changed = ensureJobCondition(s.job, SUSPENDED, 'False', 'JobResumed', 'Job resumed', now);
  if (changed) {
    void deps.recorder.event(s.job, 'Normal', 'Resumed', 'Job resumed');
    s.job.status!.startTime = metaTime(now);
  }
  return changed;
}
