// The Job controller (upstream's job-controller). Job events sync the Job at once (status-only
// changes and pod events after a short batching period); pod events also settle the creation,
// deletion and finalizer-removal expectations. Pods that still hold the tracking finalizer after
// their Job is gone or finished are queued as "orphan:<ns>/<name>" keys and lose the finalizer.

import { realClock, objectKey } from '../../client/index.ts';
import { selectorFromLabelSelector } from '../../machinery/labels.ts';
import { common, type ControllerContext } from '../runtime/context.ts';
import { Controller } from '../runtime/controller.ts';
import { Expectations } from '../runtime/expectations.ts';
import type { Reconciler, Result } from '../runtime/reconciler.ts';
import { CONTROLLER_UID_INDEX, controllerOf, controllerUidIndex } from '../util/owner-refs.ts';
import type { Pod } from '../util/pods.ts';
import { JOBS, PODS } from '../util/refs.ts';
import type { OwnerReference } from '../../api/types.ts';
import { BackoffStore, DEFAULT_POD_FAILURE_BACKOFF_MS, MAX_POD_FAILURE_BACKOFF_MS } from './backoff.ts';
import { FinalizerExpectations } from './finalizer-expectations.ts';
import { isJobFinished } from './job-conditions.ts';
import type { JobControllerOptions, JobDeps } from './job-sync.ts';
import { removeTrackingFinalizer } from './manage-pods.ts';
import { managedElsewhere, syncJob } from './sync-job.ts';
import { hasTrackingFinalizer, type Job } from './types.ts';

export const ORPHAN_POD_KEY_PREFIX = 'orphan:';

export class JobReconciler implements Reconciler {
  readonly deps: JobDeps;

  constructor(deps: JobDeps) {
    this.deps = deps;
  }

  async reconcile(key: string, signal: AbortSignal): Promise<Result | void> {
    if (key.startsWith(ORPHAN_POD_KEY_PREFIX)) return this.#syncOrphanPod(key.slice(ORPHAN_POD_KEY_PREFIX.length), signal);
    return syncJob(this.deps, key, signal);
  }

  /** Takes the tracking finalizer off a pod whose Job is gone, finished, or was never a Job. */
  async #syncOrphanPod(podKey: string, signal: AbortSignal): Promise<void> {
    const pod = this.deps.pods.indexer.get(podKey);
    if (!pod || !hasTrackingFinalizer(pod)) return;
    const ref = controllerOf(pod);
    if (ref) {
      // Another kind of owner put the finalizer there for its own reasons.
      if (ref.kind !== 'Job' || ref.apiVersion !== 'batch/v1') return;
      const job = resolveJob(this.deps, pod.metadata.namespace ?? '', ref);
      if (job && (managedElsewhere(job) || !isJobFinished(job))) return;
    }
    await removeTrackingFinalizer(this.deps, pod, signal);
  }
}

function resolveJob(deps: Pick<JobDeps, 'jobs'>, namespace: string, ref: OwnerReference): Job | undefined {
  if (ref.kind !== 'Job') return undefined;
  const job = deps.jobs.lister.get(namespace, ref.name);
  return job && job.metadata.uid === ref.uid ? job : undefined;
}

/** Jobs in the pod's namespace whose selector matches it (for orphans that might be adopted). */
function jobsSelecting(deps: Pick<JobDeps, 'jobs'>, pod: Pod): Job[] {
  return deps.jobs.lister.list(pod.metadata.namespace ?? '').filter((job) => {
    const sel = job.spec?.selector;
    if (!sel || Object.keys(sel).length === 0) return false;
    try {
      return selectorFromLabelSelector(sel).matches(pod.metadata.labels ?? {});
    } catch {
      return false;
    }
  });
}

export function jobController(ctx: ControllerContext, options: JobControllerOptions = {}): Controller {
  const clock = ctx.clock ?? realClock;
  const pods = ctx.informers.informerFor<Pod>(PODS, { indexers: { [CONTROLLER_UID_INDEX]: controllerUidIndex } });
  const jobs = ctx.informers.informerFor<Job>(JOBS);
  const deps: JobDeps = {
    client: ctx.client,
    recorder: ctx.recorder,
    clock,
    logger: ctx.logger,
    jobs,
    pods,
    expectations: new Expectations({ clock }),
    finalizerExpectations: new FinalizerExpectations(),
    backoff: new BackoffStore(),
    config: {
      backoffBaseMs: options.backoffBaseMs ?? DEFAULT_POD_FAILURE_BACKOFF_MS,
      backoffMaxMs: options.backoffMaxMs ?? MAX_POD_FAILURE_BACKOFF_MS,
      batchPeriodMs: options.batchPeriodMs ?? 1000,
      workers: options.workers ?? 5,
    },
  };
  const controller = new Controller({ name: 'job', reconciler: new JobReconciler(deps), workers: deps.config.workers, ...common(ctx) })
    .watch(jobs, () => undefined)
    .watch(pods, () => undefined);
  const { queue } = controller;
  const batched = (job: Job): void => queue.addAfter(objectKey(job), deps.config.batchPeriodMs);
  const orphan = (pod: Pod): void => queue.add(ORPHAN_POD_KEY_PREFIX + objectKey(pod));

  /** Queues the Job's pods that still hold the finalizer (the Job finished or went away). */
  const cleanupPodFinalizers = (job: Job): void => {
    for (const pod of pods.lister.byIndex(CONTROLLER_UID_INDEX, job.metadata.uid ?? '')) if (hasTrackingFinalizer(pod)) orphan(pod);
  };

  jobs.addEventHandler({
    onAdd: (job) => queue.add(objectKey(job)),
    onUpdate: (old, cur) => {
      // A spec change is acted on at once; status-only changes are batched like pod events.
      if (cur.metadata.generation === old.metadata.generation) batched(cur);
      else queue.add(objectKey(cur));
      if (isJobFinished(cur)) cleanupPodFinalizers(cur);
      const ads = cur.spec?.activeDeadlineSeconds;
      const start = Date.parse(cur.status?.startTime ?? '');
      if (typeof ads === 'number' && ads !== old.spec?.activeDeadlineSeconds && Number.isFinite(start)) {
        queue.addAfter(objectKey(cur), start + ads * 1000 - clock.now());
      }
    },
    onDelete: (job) => {
      queue.add(objectKey(job));
      cleanupPodFinalizers(job);
    },
  });

  /** A pod went away or started terminating. */
  const podGone = (pod: Pod, final: boolean): void => {
    const ref = controllerOf(pod);
    const finalizer = hasTrackingFinalizer(pod);
    const job = ref ? resolveJob(deps, pod.metadata.namespace ?? '', ref) : undefined;
    if (!job || isJobFinished(job)) {
      if (finalizer) orphan(pod);
      return;
    }
    const key = objectKey(job);
    deps.expectations.deletionObserved(key);
    if (final || !finalizer) deps.finalizerExpectations.removalObserved(key, pod.metadata.uid ?? '');
    batched(job);
  };

  pods.addEventHandler({
    onAdd: (pod) => {
      if (pod.metadata.deletionTimestamp) return podGone(pod, false);
      const ref = controllerOf(pod);
      if (ref) {
        const job = resolveJob(deps, pod.metadata.namespace ?? '', ref);
        if (!job || isJobFinished(job)) {
          if (hasTrackingFinalizer(pod)) orphan(pod);
          if (!job) return;
        }
        deps.expectations.creationObserved(objectKey(job));
        batched(job);
        return;
      }
      if (hasTrackingFinalizer(pod)) orphan(pod);
      for (const job of jobsSelecting(deps, pod)) batched(job);
    },
    onUpdate: (old, cur) => {
      if (cur.metadata.resourceVersion === old.metadata.resourceVersion) return;
      if (cur.metadata.deletionTimestamp) return podGone(cur, false);
      // The finalizer may have come and gone within one event: record the latest state.
      const finalizerGone = !hasTrackingFinalizer(cur);
      const curRef = controllerOf(cur);
      const oldRef = controllerOf(old);
      const refChanged = JSON.stringify(curRef) !== JSON.stringify(oldRef);
      const ns = cur.metadata.namespace ?? '';
      if (refChanged && oldRef) {
        const previous = resolveJob(deps, ns, oldRef);
        if (previous) {
          if (finalizerGone) deps.finalizerExpectations.removalObserved(objectKey(previous), cur.metadata.uid ?? '');
          batched(previous);
        }
      }
      if (curRef) {
        const job = resolveJob(deps, ns, curRef);
        if (!job || isJobFinished(job)) {
          if (!finalizerGone) orphan(cur);
          if (!job) return;
        }
        if (finalizerGone) deps.finalizerExpectations.removalObserved(objectKey(job), cur.metadata.uid ?? '');
        batched(job);
        return;
      }
      if (!finalizerGone) orphan(cur);
      if (refChanged || JSON.stringify(cur.metadata.labels) !== JSON.stringify(old.metadata.labels)) {
        for (const job of jobsSelecting(deps, cur)) batched(job);
      }
    },
    onDelete: (pod) => podGone(pod, true),
  });
  return controller;
}
