// Pod management of a Job (upstream's manageJob): a suspended Job loses its active pods; more
// active pods than wanted (or duplicate indexes) are deleted; fewer are created in slow-start
// batches once the failure backoff allows, each with the tracking finalizer and, for Indexed
// Jobs, its completion index. Deletions and creations never happen in the same sync.

import { isNotFound, isStatusError } from '../../machinery/status-error.ts';
import { slowStartBatch, SLOW_START_INITIAL_BATCH } from '../util/batch.ts';
import { podFromTemplate, podNamePrefix } from '../util/pod-template.ts';
import { compareForDeletion, isPodReady, type Pod } from '../util/pods.ts';
import { PODS } from '../util/refs.ts';
import { remainingBackoffForIndexMs, remainingBackoffMs } from './backoff.ts';
import { onlyReplaceFailedPods } from './failure-policy.ts';
import { addCompletionIndexEnv, duplicateIndexPods, firstPendingIndexes, generateNameWithIndex, indexedPodExtras } from './indexed.ts';
import { MAX_POD_CREATE_DELETE_PER_SYNC, requeue, type JobDeps, type JobSync } from './job-sync.ts';
import { completionsOf, hasBackoffLimitPerIndex, hasTrackingFinalizer, isIndexedJob, isJobSuspended, JOB_TRACKING_FINALIZER, type Job } from './types.ts';

export interface PodDeletions {
  deleted: number;
  deletedReady: number;
  error?: unknown;
}

const podRef = (pod: Pod) => ({ ...PODS, namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '' });

const removeFinalizerPatch = { metadata: { [`$deleteFromPrimitiveList/finalizers`]: [JOB_TRACKING_FINALIZER] } };

/** Removes the tracking finalizer; a pod already gone counts as done. */
export async function removeTrackingFinalizer(deps: JobDeps, pod: Pod, signal: AbortSignal): Promise<void> {
  if (!hasTrackingFinalizer(pod)) return;
  try {
    await deps.client.patch(podRef(pod), 'strategic', removeFinalizerPatch, { signal });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

async function deletePod(deps: JobDeps, job: Job, pod: Pod, signal: AbortSignal): Promise<void> {
  try {
    await deps.client.delete(podRef(pod), { signal });
    void deps.recorder.event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name ?? ''}`);
  } catch (err) {
    if (!isNotFound(err)) void deps.recorder.event(job, 'Warning', 'FailedDelete', `Error deleting: ${String(err)}`);
    throw err;
  }
}

/**
 * Deletes pods the Job no longer wants and takes their finalizers off first (they will not be
 * counted as failed); failures lower the deletion expectations again.
 */
export async function deleteJobPods(deps: JobDeps, s: JobSync, pods: readonly Pod[]): Promise<PodDeletions> {
  const out: PodDeletions = { deleted: 0, deletedReady: 0 };
  await Promise.all(pods.map(async (pod) => {
    try {
      await removeTrackingFinalizer(deps, pod, s.signal);
      await deletePod(deps, s.job, pod, s.signal);
    } catch (err) {
      deps.expectations.deletionObserved(s.key);
      if (!isNotFound(err)) {
        out.error ??= err;
        return;
      }
    }
    out.deleted++;
    if (isPodReady(pod)) out.deletedReady++;
  }));
  return out;
}

/** Deletes the active pods of a finished Job keeping their finalizers: the status tracking removes them after counting. */
export async function deleteActivePods(deps: JobDeps, s: JobSync, pods: readonly Pod[]): Promise<PodDeletions> {
  const out: PodDeletions = { deleted: 0, deletedReady: 0 };
  await Promise.all(pods.map(async (pod) => {
    try {
      await deletePod(deps, s.job, pod, s.signal);
    } catch (err) {
      if (!isNotFound(err)) {
        out.error ??= err;
        return;
      }
    }
    out.deleted++;
    if (isPodReady(pod)) out.deletedReady++;
  }));
  return out;
}

/** Active pods to delete: duplicate or invalid indexes first, then by upstream's deletion order. */
export function activePodsForRemoval(job: Job, activePods: readonly Pod[], atLeast: number): Pod[] {
  let remove: Pod[] = [];
  let left: Pod[] = [...activePods];
  if (isIndexedJob(job)) ({ remove, keep: left } = duplicateIndexPods(activePods, completionsOf(job) ?? 0));
  if (remove.length < atLeast) remove = [...remove, ...left.sort(compareForDeletion).slice(0, atLeast - remove.length)];
  return remove;
}

const namespaceTerminating = (err: unknown): boolean =>
  isStatusError(err) && (err.status.details?.causes ?? []).some((c) => (c as { reason?: string }).reason === 'NamespaceTerminating');

/** Converges the number of active pods; returns the active count after this sync's writes. */
export async function manageJob(deps: JobDeps, s: JobSync): Promise<{ active: number; error?: unknown }> {
  const job = s.job;
  let active = s.activePods.length;
  if (isJobSuspended(job)) {
    const remove = activePodsForRemoval(job, s.activePods, active);
    deps.expectations.expectDeletions(s.key, remove.length);
    const r = await deleteJobPods(deps, s, remove);
    s.terminating += r.deleted;
    s.ready -= r.deletedReady;
    return { active: active - r.deleted, error: r.error };
  }

  const parallelism = job.spec?.parallelism ?? 1;
  const completions = completionsOf(job);
  // Without completions, any success means the work is done: keep what runs, start nothing.
  const wantActive = completions === undefined ? (s.succeeded > 0 ? active : parallelism) : Math.max(0, Math.min(completions - s.succeeded, parallelism));

  const remove = activePodsForRemoval(job, s.activePods, Math.max(0, active - wantActive)).slice(0, MAX_POD_CREATE_DELETE_PER_SYNC);
  if (remove.length > 0) {
    deps.expectations.expectDeletions(s.key, remove.length);
    const r = await deleteJobPods(deps, s, remove);
    s.terminating += r.deleted;
    s.ready -= r.deletedReady;
    return { active: active - r.deleted, error: r.error };
  }

  const terminating = onlyReplaceFailedPods(job) ? s.terminating : 0;
  let diff = wantActive - terminating - active;
  if (diff <= 0) return { active };

  const now = deps.clock.now();
  const { backoffBaseMs: base, backoffMaxMs: max } = deps.config;
  if (!hasBackoffLimitPerIndex(job)) {
    const wait = remainingBackoffMs(s.newBackoff.failuresAfterLastSuccess, s.newBackoff.lastFailureMs, now, base, max);
    if (wait > 0) {
      requeue(s, Math.max(wait, deps.config.batchPeriodMs));
      return { active };
    }
  }
  diff = Math.min(diff, MAX_POD_CREATE_DELETE_PER_SYNC);

  let indexes: number[] | undefined;
  if (isIndexedJob(job)) {
    indexes = firstPendingIndexes(s.pods, s.activePods, s.succeededIndexes, s.failedIndexes, onlyReplaceFailedPods(job), diff, completions ?? 0);
    if (hasBackoffLimitPerIndex(job)) {
      const due: number[] = [];
      let soonest: number | undefined;
      for (const ix of indexes) {
        const wait = remainingBackoffForIndexMs(s.delayedDeletion.get(ix), now, base, max);
        if (wait === 0) due.push(ix);
        else soonest = soonest === undefined ? wait : Math.min(soonest, wait);
      }
      if (due.length === 0 && soonest !== undefined) {
        requeue(s, Math.max(soonest, deps.config.batchPeriodMs));
        return { active };
      }
      indexes = due;
    }
    diff = indexes.length;
  }
  if (diff <= 0) return { active };

  deps.expectations.expectCreations(s.key, diff);
  const template = structuredClone(job.spec?.template ?? {});
  if (indexes) addCompletionIndexEnv(template);
  let attempted = 0;
  const result = await slowStartBatch(diff, SLOW_START_INITIAL_BATCH, async (i) => {
    attempted++;
    await createPod(deps, s, template, indexes?.[i]);
  });
  // Pods a failed batch kept us from trying will not be observed either.
  deps.expectations.lower(s.key, diff - attempted, 0);
  return { active: active + result.succeeded, error: result.error };
}

async function createPod(deps: JobDeps, s: JobSync, template: NonNullable<NonNullable<Job['spec']>['template']>, index: number | undefined): Promise<void> {
  const job = s.job;
  const name = job.metadata.name ?? '';
  let pod: Pod;
  if (index === undefined) {
    pod = podFromTemplate(template, job, { generateName: podNamePrefix(name) });
  } else {
    const extras = indexedPodExtras(job, index, s.delayedDeletion.get(index), hasBackoffLimitPerIndex(job));
    pod = podFromTemplate(template, job, { generateName: generateNameWithIndex(name, index), labels: extras.labels, annotations: extras.annotations });
    pod.spec = { ...pod.spec, hostname: extras.hostname };
  }
  const finalizers = pod.metadata.finalizers ?? [];
  if (!finalizers.includes(JOB_TRACKING_FINALIZER)) pod.metadata.finalizers = [...finalizers, JOB_TRACKING_FINALIZER];
  try {
    const created = await deps.client.create<Pod>({ ...PODS, namespace: job.metadata.namespace ?? '' }, pod, { signal: s.signal });
    void deps.recorder.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name ?? ''}`);
  } catch (err) {
    deps.expectations.creationObserved(s.key);
    // Every further create would fail the same way while the namespace goes away.
    if (namespaceTerminating(err)) return;
    void deps.recorder.event(job, 'Warning', 'FailedCreate', `Error creating: ${err instanceof Error ? err.message : String(err)}`);
    throw err;
  }
}
