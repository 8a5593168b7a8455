// The pods a Job manages: those it controls plus orphans its selector matches, adopted (with the
// tracking finalizer added, as upstream's adoption does) after a fresh read confirms the Job
// still exists; controlled pods its selector no longer matches are released.

import { selectorFromLabelSelector } from '../../machinery/labels.ts';
import { isNotFound } from '../../machinery/status-error.ts';
import { claimObjects, CONTROLLER_UID_INDEX, controllerOf } from '../util/owner-refs.ts';
import type { Pod } from '../util/pods.ts';
import { PODS } from '../util/refs.ts';
import { jobRef, type JobDeps } from './job-sync.ts';
import { hasTrackingFinalizer, JOB_TRACKING_FINALIZER, type Job } from './types.ts';

export async function podsForJob(deps: JobDeps, job: Job, signal: AbortSignal): Promise<Pod[]> {
  const uid = job.metadata.uid ?? '';
  const owned = deps.pods.lister.byIndex(CONTROLLER_UID_INDEX, uid);
  const orphans = deps.pods.lister.list(job.metadata.namespace ?? '').filter((p) => !controllerOf(p));
  const candidates = [...owned, ...orphans];
  const claimed = await claimObjects(candidates, {
    client: deps.client,
    type: PODS,
    owner: job,
    selector: selectorFromLabelSelector(job.spec?.selector),
    signal,
    recheckOwner: async () => {
      try {
        return await deps.client.get<Job>(jobRef(job), { signal });
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
  });
  const adopted = claimed.filter((p) => !owned.includes(p) && !hasTrackingFinalizer(p));
  if (adopted.length === 0) return claimed;
  // Adopted pods are tracked like the Job's own: their termination is counted once, through the finalizer.
  await Promise.all(adopted.map((p) =>
    deps.client.patch({ ...PODS, namespace: p.metadata.namespace ?? '', name: p.metadata.name ?? '' }, 'strategic', { metadata: { finalizers: [JOB_TRACKING_FINALIZER] } }, { signal }).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    })));
  return claimed.map((p) => (adopted.includes(p) ? { ...p, metadata: { ...p.metadata, finalizers: [...(p.metadata.finalizers ?? []), JOB_TRACKING_FINALIZER] } } : p));
}
