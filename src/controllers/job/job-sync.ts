// What one sync of a Job works with: the controller's dependencies and tunables, and the state
// computed from the Job and its pods that the aspects (pod management, status tracking) share.

import type { Logger } from 'pino';
import type { Clock, EventRecorder, Informer, RestClient } from '../../client/index.ts';
import type { Expectations } from '../runtime/expectations.ts';
import type { Pod } from '../util/pods.ts';
import { JOBS } from '../util/refs.ts';
import type { BackoffRecord, BackoffStore } from './backoff.ts';
import type { FinalizerExpectations } from './finalizer-expectations.ts';
import type { Interval } from './indexes.ts';
import type { Job, JobCondition } from './types.ts';

export interface JobControllerOptions {
  /** First delay before re-creating a failed pod; doubles per failure (upstream 10 s). */
  backoffBaseMs?: number;
  /** Cap of that delay (upstream 6 min). */
  backoffMaxMs?: number;
  /** Pod and status events are batched for this long before a sync (upstream 1 s). */
  batchPeriodMs?: number;
  /** Concurrent Job syncs (upstream --concurrent-job-syncs, 5). */
  workers?: number;
}

export interface JobConfig {
  backoffBaseMs: number;
  backoffMaxMs: number;
  batchPeriodMs: number;
  workers: number;
}

export interface JobDeps {
  client: RestClient;
  recorder: EventRecorder;
  clock: Clock;
  logger: Logger | undefined;
  jobs: Informer<Job>;
  pods: Informer<Pod>;
  expectations: Expectations;
  finalizerExpectations: FinalizerExpectations;
  backoff: BackoffStore;
  config: JobConfig;
}

/** Upstream's MaxUncountedPods and MaxPodCreateDeletePerSync. */
export const MAX_UNCOUNTED_PODS = 500;
export const MAX_POD_CREATE_DELETE_PER_SYNC = 500;

export interface JobSync {
  key: string;
  /** The working copy; replaced by the server's answer after each status write. */
  job: Job;
  pods: Pod[];
  activePods: Pod[];
  ready: number;
  succeeded: number;
  failed: number;
  terminating: number;
  /** status.uncountedTerminatedPods as sets, as read at the start of the sync. */
  uncounted: { succeeded: Set<string>; failed: Set<string> };
  /** Pods whose finalizer removal is in flight: already counted. */
  expectedRmFinalizers: Set<string>;
  /** The terminal (or interim FailureTarget / SuccessCriteriaMet) condition this sync decided. */
  finishedCondition: JobCondition | undefined;
  prevSucceededIndexes: Interval[];
  succeededIndexes: Interval[];
  /** Only with backoffLimitPerIndex. */
  failedIndexes: Interval[] | undefined;
  /** Per index, the failed pod kept until its replacement exists (backoffLimitPerIndex). */
  delayedDeletion: Map<number, Pod>;
  newBackoff: BackoffRecord;
  /** Earliest time this Job wants another look (deadline, backoff). */
  requeueAfter: number | undefined;
  signal: AbortSignal;
}

export function requeue(s: JobSync, ms: number): void {
  const at = Math.max(0, ms);
  s.requeueAfter = s.requeueAfter === undefined ? at : Math.min(s.requeueAfter, at);
}

export const jobRef = (job: Job) => ({ ...JOBS, namespace: job.metadata.namespace ?? '', name: job.metadata.name ?? '' });

/** Writes the working copy's status; the server's answer becomes the working copy. */
export async function writeJobStatus(deps: JobDeps, s: JobSync): Promise<void> {
  const status = s.job.status ?? {};
  // Zero counters and an empty completedIndexes are omitted, as Go's omitempty does.
  for (const k of ['active', 'succeeded', 'failed'] as const) if (status[k] === 0) delete status[k];
  if (status.completedIndexes === '') delete status.completedIndexes;
  const updated = await deps.client.updateStatus<Job>(jobRef(s.job), s.job, { signal: s.signal });
  s.job = { ...structuredClone(updated), apiVersion: 'batch/v1', kind: 'Job' };
  s.job.status ??= {};
  s.job.status.uncountedTerminatedPods ??= {};
}
