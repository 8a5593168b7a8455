// Indexed Jobs: which completion index a pod runs, which indexes succeeded or failed, which are
// still pending, which pods duplicate an index, and what an index's pods carry (annotation and
// label, JOB_COMPLETION_INDEX, hostname <job>-<index>, name <job>-<index>-<random>, and with
// backoffLimitPerIndex the failure counts of the index so far).

import { compareForDeletion, isPodTerminating, type Pod } from '../util/pods.ts';
import type { PodTemplateSpec } from '../util/pod-template.ts';
import { indexFailureCount, indexAbsoluteFailureCount, indexIgnoredFailureCount, podFinishedMs } from './backoff.ts';
import { isPodFailed, matchPodFailurePolicy } from './failure-policy.ts';
import { hasIndex, parseIndexes, withIndexes, type Interval, type Intervals } from './indexes.ts';
import {
  hasTrackingFinalizer,
  JOB_COMPLETION_INDEX,
  JOB_COMPLETION_INDEX_ENV,
  JOB_INDEX_FAILURE_COUNT,
  JOB_INDEX_IGNORED_FAILURE_COUNT,
  type Job,
} from './types.ts';

export const UNKNOWN_INDEX = -1;

/** The pod's completion index from its annotation; UNKNOWN_INDEX when absent or malformed. */
export function completionIndexOf(pod: Pod): number {
  const v = pod.metadata.annotations?.[JOB_COMPLETION_INDEX];
  if (v === undefined || !/^\+?\d+$/.test(v)) return UNKNOWN_INDEX;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : UNKNOWN_INDEX;
}

const validIndex = (ix: number, completions: number): boolean => ix !== UNKNOWN_INDEX && ix < completions;

export const indexesOf = (pods: readonly Pod[]): number[] => pods.map(completionIndexOf).filter((ix) => ix !== UNKNOWN_INDEX);

/** The previously recorded completed indexes and those plus the succeeded pods not yet counted. */
export function succeededIndexes(job: Job, pods: readonly Pod[], completions: number): { prev: Interval[]; all: Interval[] } {
  const prev = parseIndexes(job.status?.completedIndexes, completions);
  const fresh = new Set<number>();
  for (const p of pods) {
    const ix = completionIndexOf(p);
    if (p.status?.phase === 'Succeeded' && validIndex(ix, completions) && hasTrackingFinalizer(p)) fresh.add(ix);
  }
  return { prev, all: withIndexes(prev, fresh) };
}

/** With backoffLimitPerIndex: this failed pod fails its index (FailIndex rule, or the index used up its retries). */
export function isIndexFailed(job: Job, pod: Pod): boolean {
  if (!isPodFailed(pod, job)) return false;
  let counted = true;
  if (job.spec?.podFailurePolicy) {
    const match = matchPodFailurePolicy(job, pod);
    if (match.action === 'FailIndex') return true;
    counted = match.countFailed;
  }
  return counted && indexFailureCount(pod) >= (job.spec?.backoffLimitPerIndex ?? 0);
}

export function failedIndexes(job: Job, pods: readonly Pod[], completions: number): Interval[] {
  const prev = parseIndexes(job.status?.failedIndexes, completions);
  const fresh = new Set<number>();
  for (const p of pods) {
    const ix = completionIndexOf(p);
    if (validIndex(ix, completions) && hasTrackingFinalizer(p) && isIndexFailed(job, p)) fresh.add(ix);
  }
  return withIndexes(prev, fresh);
}

/**
 * For each index with no active pod that is neither succeeded nor failed, its latest failed pod:
 * that pod keeps its finalizer until a replacement (which inherits its failure counts) exists.
 */
export function podsWithDelayedDeletion(
  job: Job,
  pods: readonly Pod[],
  activePods: readonly Pod[],
  succeeded: Intervals,
  failed: Intervals,
  expectedRmFinalizers: ReadonlySet<string>,
  completions: number,
): Map<number, Pod> {
  const active = new Set(indexesOf(activePods));
  const out = new Map<number, Pod>();
  for (const p of pods) {
    if (!hasTrackingFinalizer(p) || expectedRmFinalizers.has(p.metadata.uid ?? '') || !isPodFailed(p, job)) continue;
    const ix = completionIndexOf(p);
    if (!validIndex(ix, completions) || hasIndex(succeeded, ix) || hasIndex(failed, ix) || active.has(ix)) continue;
    const last = out.get(ix);
    if (!last || (indexAbsoluteFailureCount(last) <= indexAbsoluteFailureCount(p) && podFinishedMs(p) >= podFinishedMs(last))) out.set(ix, p);
  }
  return out;
}

/** The failure counts a replacement of `replaced` (a failed pod of the same index) starts with. */
export function nextIndexFailureCounts(job: Job, replaced: Pod | undefined): { failures: number; ignored: number } {
  if (!replaced) return { failures: 0, ignored: 0 };
  let failures = indexFailureCount(replaced);
  let ignored = indexIgnoredFailureCount(replaced);
  if (job.spec?.podFailurePolicy && !matchPodFailurePolicy(job, replaced).countFailed) ignored++;
  else failures++;
  return { failures, ignored };
}

/** The lowest `count` indexes below `completions` that are not succeeded, failed, active or (with replacement on Failed only) terminating. */
export function firstPendingIndexes(pods: readonly Pod[], activePods: readonly Pod[], succeeded: Intervals, failed: Intervals | undefined, onlyReplaceFailed: boolean, count: number, completions: number): number[] {
  if (count <= 0) return [];
  let busy = withIndexes(succeeded, indexesOf(activePods));
  if (failed) busy = withIndexes(busy, expand(failed));
  if (onlyReplaceFailed) busy = withIndexes(busy, indexesOf(pods.filter((p) => isPodTerminating(p) && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded')));
  const out: number[] = [];
  let candidate = 0;
  for (const iv of busy) {
    for (; candidate < completions && out.length < count && candidate < iv.first; candidate++) out.push(candidate);
    candidate = Math.max(candidate, iv.last + 1);
  }
  for (; candidate < completions && out.length < count; candidate++) out.push(candidate);
  return out;
}

function* expand(intervals: Intervals): Generator<number> {
  for (const iv of intervals) for (let i = iv.first; i <= iv.last; i++) yield i;
}

/**
 * Splits active pods into those to remove (no valid index, or a duplicate of an index: all but
 * the one deleted last by upstream's ordering) and the rest.
 */
export function duplicateIndexPods(activePods: readonly Pod[], completions: number): { remove: Pod[]; keep: Pod[] } {
  const groups = new Map<number, Pod[]>();
  const remove: Pod[] = [];
  const keep: Pod[] = [];
  for (const p of activePods) {
    const ix = completionIndexOf(p);
    if (!validIndex(ix, completions)) {
      remove.push(p);
      continue;
    }
    const g = groups.get(ix);
    if (g) g.push(p);
    else groups.set(ix, [p]);
  }
  for (const ix of [...groups.keys()].sort((a, b) => a - b)) {
    const g = [...groups.get(ix)!].sort(compareForDeletion);
    remove.push(...g.slice(0, -1));
    keep.push(g[g.length - 1]!);
  }
  return { remove, keep };
}

/** Upstream's podGenerateNameWithIndex: "<job>-<index>-", the job name cut so it fits 58 chars. */
export function generateNameWithIndex(jobName: string, index: number): string {
  const suffix = `-${index}-`;
  const prefix = `${jobName}${suffix}`;
  return prefix.length > 58 ? `${jobName.slice(0, 58 - suffix.length)}${suffix}` : prefix;
}

interface ContainerLike {
  env?: { name: string; [k: string]: unknown }[];
  [k: string]: unknown;
}

/** Adds JOB_COMPLETION_INDEX (from the index annotation) to every container that lacks it. */
export function addCompletionIndexEnv(template: PodTemplateSpec): void {
  const spec = template.spec ?? {};
  for (const field of ['initContainers', 'containers']) {
    for (const c of (spec[field] as ContainerLike[] | undefined) ?? []) {
      if (c.env?.some((e) => e.name === JOB_COMPLETION_INDEX_ENV)) continue;
      (c.env ??= []).push({ name: JOB_COMPLETION_INDEX_ENV, valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${JOB_COMPLETION_INDEX}']` } } });
    }
  }
}

/** What an index's pod gets on top of the template: annotation, label, hostname and failure counts. */
export function indexedPodExtras(job: Job, index: number, replaced: Pod | undefined, perIndexBackoff: boolean): { annotations: Record<string, string>; labels: Record<string, string>; hostname: string } {
  const annotations: Record<string, string> = { [JOB_COMPLETION_INDEX]: String(index) };
  if (perIndexBackoff) {
    const { failures, ignored } = nextIndexFailureCounts(job, replaced);
    annotations[JOB_INDEX_FAILURE_COUNT] = String(failures);
    if (ignored > 0) annotations[JOB_INDEX_IGNORED_FAILURE_COUNT] = String(ignored);
  }
  return { annotations, labels: { [JOB_COMPLETION_INDEX]: String(index) }, hostname: `${job.metadata.name ?? ''}-${index}` };
}
