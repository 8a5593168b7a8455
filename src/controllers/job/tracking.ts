// Job status tracking with finalizers (upstream's trackJobStatusAndRemoveFinalizers): finished
// pods first go into status.uncountedTerminatedPods (written before anything else), then lose
// their batch.kubernetes.io/job-tracking finalizer, then move from the uncounted lists into the
// succeeded/failed counters. Only when nothing is uncounted and no pod is terminating does the
// terminal condition (Complete or Failed) follow its interim one (SuccessCriteriaMet or
// FailureTarget), with completionTime and the Completed / failure event.

import type { Pod } from '../util/pods.ts';
import { isPodFailed, matchPodFailurePolicy } from './failure-policy.ts';
import { completionIndexOf, UNKNOWN_INDEX } from './indexed.ts';
import { formatIndexes, hasIndex, withIndexes, countIndexes } from './indexes.ts';
import { COMPLETE, ensureJobCondition, FAILED, FAILURE_TARGET, isSuccessCriteriaMet, newJobCondition, findJobCondition, SUCCESS_CRITERIA_MET } from './job-conditions.ts';
import { MAX_UNCOUNTED_PODS, writeJobStatus, type JobDeps, type JobSync } from './job-sync.ts';
import { removeTrackingFinalizer } from './manage-pods.ts';
import { completionsOf, hasBackoffLimitPerIndex, hasTrackingFinalizer, isIndexedJob, type Job, type JobStatus } from './types.ts';

/**
 * May the pod's finalizer go? When the Job is deleted or finished, when the pod succeeded, or
 * when it failed, unless it is the failed pod of an index still waiting for its replacement.
 */
function canRemoveFinalizer(s: JobSync, pod: Pod, failed: boolean): boolean {
  if (s.job.metadata.deletionTimestamp || s.finishedCondition || pod.status?.phase === 'Succeeded') return true;
  if (!failed) return false;
  if (hasBackoffLimitPerIndex(s.job)) {
    const ix = completionIndexOf(pod);
    if (ix !== UNKNOWN_INDEX && s.delayedDeletion.get(ix)?.metadata.uid === pod.metadata.uid) return false;
  }
  return true;
}

/** Moves uids that no longer hold a finalizer from the uncounted lists into the counters. */
function countPodsWithoutFinalizer(status: JobStatus, withFinalizer: ReadonlySet<string>): boolean {
  const uncounted = (status.uncountedTerminatedPods ??= {});
  let changed = false;
  for (const kind of ['succeeded', 'failed'] as const) {
    const list = uncounted[kind] ?? [];
    const keep = list.filter((uid) => withFinalizer.has(uid));
    if (keep.length === list.length) continue;
    changed = true;
    status[kind] = (status[kind] ?? 0) + list.length - keep.length;
    if (keep.length > 0) uncounted[kind] = keep;
    else delete uncounted[kind];
  }
  return changed;
}

export async function trackJobStatus(deps: JobDeps, s: JobSync, needsFlush: boolean): Promise<void> {
  const indexed = isIndexedJob(s.job);
  const completions = completionsOf(s.job) ?? 0;
  const pods = indexed ? [...s.pods].sort((a, b) => completionIndexOf(a) - completionIndexOf(b)) : s.pods;
  const withFinalizer = new Set<string>();
  for (const p of pods) if (hasTrackingFinalizer(p) && !s.expectedRmFinalizers.has(p.metadata.uid ?? '')) withFinalizer.add(p.metadata.uid ?? '');

  const status = (s.job.status ??= {});
  const uncounted = (status.uncountedTerminatedPods ??= {});
  if (countPodsWithoutFinalizer(status, withFinalizer)) needsFlush = true;

  const toRemove: Pod[] = [];
  const newSucceededIndexes: number[] = [];
  let reachedMax = false;
  for (const pod of pods) {
    const uid = pod.metadata.uid ?? '';
    // Without a finalizer (or with its removal in flight) the pod was handled by an earlier sync.
    if (!hasTrackingFinalizer(pod) || s.expectedRmFinalizers.has(uid)) continue;
    const failed = isPodFailed(pod, s.job);
    if (!canRemoveFinalizer(s, pod, failed)) continue;
    toRemove.push(pod);
    const ix = completionIndexOf(pod);
    if (pod.status?.phase === 'Succeeded' && !s.uncounted.failed.has(uid)) {
      if (indexed) {
        // The index alone keeps a success from being counted twice.
        if (ix !== UNKNOWN_INDEX && ix < completions && !hasIndex(s.prevSucceededIndexes, ix)) {
          newSucceededIndexes.push(ix);
          needsFlush = true;
        }
      } else if (!s.uncounted.succeeded.has(uid)) {
        (uncounted.succeeded ??= []).push(uid);
        needsFlush = true;
      }
    } else if (failed || (s.finishedCondition && !isSuccessCriteriaMet(s.finishedCondition))) {
      // Once the Job is failing, every pod that did not succeed counts as failed.
      if (!s.uncounted.failed.has(uid) && (!indexed || (ix !== UNKNOWN_INDEX && ix < completions))) {
        if (matchPodFailurePolicy(s.job, pod).countFailed) {
          (uncounted.failed ??= []).push(uid);
          needsFlush = true;
        }
      }
    }
    if (newSucceededIndexes.length + (uncounted.succeeded?.length ?? 0) + (uncounted.failed?.length ?? 0) >= MAX_UNCOUNTED_PODS) {
      // Keeps the status small and this sync short; the status write brings the Job back.
      reachedMax = true;
      break;
    }
  }

  if (indexed) {
    s.succeededIndexes = withIndexes(s.succeededIndexes, newSucceededIndexes);
    const text = formatIndexes(s.succeededIndexes);
    if (text !== (status.completedIndexes ?? '')) needsFlush = true;
    status.succeeded = countIndexes(s.succeededIndexes);
    status.completedIndexes = text;
    if (s.failedIndexes) {
      const failedText = formatIndexes(s.failedIndexes);
      if (status.failedIndexes !== failedText) needsFlush = true;
      status.failedIndexes = failedText;
    }
  }

  const now = deps.clock.now();
  if (s.finishedCondition?.type === FAILURE_TARGET) {
    // The interim condition is written before any finalizer goes, so the reason survives a crash.
    (status.conditions ??= []).push(s.finishedCondition);
    needsFlush = true;
    s.finishedCondition = newJobCondition(FAILED, 'True', s.finishedCondition.reason ?? '', s.finishedCondition.message ?? '', now);
  }
  if (isSuccessCriteriaMet(s.finishedCondition)) {
    const met = s.finishedCondition!;
    if (!findJobCondition(s.job, SUCCESS_CRITERIA_MET)) {
      (status.conditions ??= []).push(met);
      needsFlush = true;
    }
    s.finishedCondition = newJobCondition(COMPLETE, 'True', met.reason ?? '', met.message ?? '', now);
  }

  needsFlush = await flushAndRemoveFinalizers(deps, s, toRemove, withFinalizer, needsFlush);
  const finished = !reachedMax && enactJobFinished(deps, s);
  if (finished) needsFlush = true;
  if (!needsFlush) return;
  await writeJobStatus(deps, s);
  if (finished) recordJobFinished(deps, s.job);
}

/**
 * Writes the status holding the new uncounted pods, removes the finalizers, and counts the pods
 * whose finalizer went; returns whether status changes are still unwritten.
 */
async function flushAndRemoveFinalizers(deps: JobDeps, s: JobSync, toRemove: readonly Pod[], withFinalizer: Set<string>, needsFlush: boolean): Promise<boolean> {
  if (needsFlush) {
    await writeJobStatus(deps, s);
    deps.backoff.update(s.newBackoff);
    needsFlush = false;
  }
  let error: unknown;
  if (toRemove.length > 0) {
    deps.finalizerExpectations.expectRemoved(s.key, toRemove.map((p) => p.metadata.uid ?? ''));
    await Promise.all(toRemove.map(async (pod) => {
      const uid = pod.metadata.uid ?? '';
      try {
        await removeTrackingFinalizer(deps, pod, s.signal);
        withFinalizer.delete(uid);
      } catch (err) {
        // No update will show this removal: stop expecting it.
        deps.finalizerExpectations.removalObserved(s.key, uid);
        error ??= err;
      }
    }));
  }
  if (countPodsWithoutFinalizer((s.job.status ??= {}), withFinalizer)) needsFlush = true;
  if (error !== undefined) {
    // Keep the partial progress before reporting the failure.
    if (needsFlush) await writeJobStatus(deps, s);
    throw error;
  }
  return needsFlush;
}

/** Sets the terminal condition once every finished pod is counted and none is terminating. */
function enactJobFinished(deps: JobDeps, s: JobSync): boolean {
  const cond = s.finishedCondition;
  if (!cond) return false;
  const uncounted = s.job.status?.uncountedTerminatedPods;
  if ((uncounted?.succeeded?.length ?? 0) + (uncounted?.failed?.length ?? 0) > 0) return false;
  if (s.terminating > 0) return false;
  const now = deps.clock.now();
  ensureJobCondition(s.job, cond.type, cond.status, cond.reason ?? '', cond.message ?? '', now);
  if (cond.type === COMPLETE) s.job.status!.completionTime = findJobCondition(s.job, COMPLETE)?.lastTransitionTime ?? '';
  s.finishedCondition = findJobCondition(s.job, cond.type);
  return true;
}

function recordJobFinished(deps: JobDeps, job: Job): void {
  const complete = findJobCondition(job, COMPLETE);
  if (complete?.status === 'True') {
    const completions = completionsOf(job);
    if (completions !== undefined && (job.status?.succeeded ?? 0) > completions) {
      void deps.recorder.event(job, 'Warning', 'TooManySucceededPods', 'Too many succeeded pods running after completion count reached');
    }
    void deps.recorder.event(job, 'Normal', 'Completed', 'Job completed');
    return;
  }
  const failed = findJobCondition(job, FAILED);
  if (failed) void deps.recorder.event(job, 'Warning', failed.reason ?? 'Failed', failed.message ?? '');
}
