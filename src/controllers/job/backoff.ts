// The delay before a failed Job pod is replaced, as upstream's backoff records: failures since the
// last success (counted from the pods finished since the previous sync) give base·2^(n-1), capped,
// measured from the last failure's finish time. Records live in memory only, like upstream's;
// a restarted controller starts over. Per-index backoff reads the failure count annotations.

import { podCondition, type Pod } from '../util/pods.ts';
import { containerStatuses, JOB_INDEX_FAILURE_COUNT, JOB_INDEX_IGNORED_FAILURE_COUNT } from './types.ts';

/** Upstream's DefaultJobPodFailureBackOff and MaxJobPodFailureBackOff. */
export const DEFAULT_POD_FAILURE_BACKOFF_MS = 10_000;
export const MAX_POD_FAILURE_BACKOFF_MS = 6 * 60_000;

export interface BackoffRecord {
  key: string;
  failuresAfterLastSuccess: number;
  lastFailureMs?: number;
}

/** When a pod finished: its last container's finish, else Ready turning False, else its deletion, else its creation. */
export function podFinishedMs(pod: Pod): number {
  const statuses = containerStatuses(pod);
  let latest: number | undefined;
  for (const s of statuses) {
    const at = Date.parse(s.state?.terminated?.finishedAt ?? '');
    if (!Number.isFinite(at)) {
      latest = undefined;
      break;
    }
    latest = Math.max(latest ?? at, at);
  }
  if (latest !== undefined) return latest;
  const ready = podCondition(pod, 'Ready');
  if (ready?.status === 'False' && ready.lastTransitionTime) {
    const at = Date.parse(ready.lastTransitionTime);
    if (Number.isFinite(at)) return at;
  }
  const deleted = Date.parse(pod.metadata.deletionTimestamp ?? '');
  if (Number.isFinite(deleted)) return deleted;
  return Date.parse(pod.metadata.creationTimestamp ?? '') || 0;
}

const byFinish = (pods: readonly Pod[]): Pod[] => [...pods].sort((a, b) => podFinishedMs(a) - podFinishedMs(b));

/** base·2^(failures-1) capped at max, minus the time since the last failure; 0 when due. */
export function remainingBackoffMs(failures: number, lastFailureMs: number | undefined, nowMs: number, baseMs: number, maxMs: number): number {
  if (failures <= 0 || lastFailureMs === undefined) return 0;
  let delay = baseMs;
  for (let i = 1; i < failures; i++) {
    delay *= 2;
    if (delay >= maxMs) {
      delay = maxMs;
      break;
    }
  }
  const elapsed = nowMs - lastFailureMs;
  return delay < elapsed ? 0 : delay - elapsed;
}

export class BackoffStore {
  readonly #records = new Map<string, BackoffRecord>();

  /**
   * The record after the pods that finished since the last sync: a success resets the count to
   * the failures that finished after it; otherwise the new failures add up.
   */
  next(key: string, newSucceeded: readonly Pod[], newFailed: readonly Pod[]): BackoffRecord {
    const old = this.#records.get(key);
    const record: BackoffRecord = { key, failuresAfterLastSuccess: old?.failuresAfterLastSuccess ?? 0, ...(old?.lastFailureMs !== undefined ? { lastFailureMs: old.lastFailureMs } : {}) };
    const failed = byFinish(newFailed);
    if (newSucceeded.length === 0) {
      if (failed.length === 0) return record;
      record.failuresAfterLastSuccess += failed.length;
      record.lastFailureMs = podFinishedMs(failed[failed.length - 1]!);
      return record;
    }
    const succeeded = byFinish(newSucceeded);
    const lastSuccess = podFinishedMs(succeeded[succeeded.length - 1]!);
    const after = failed.filter((p) => podFinishedMs(p) > lastSuccess);
    const fresh: BackoffRecord = { key, failuresAfterLastSuccess: after.length };
    if (after.length > 0) fresh.lastFailureMs = podFinishedMs(after[after.length - 1]!);
    return fresh;
  }

  update(record: BackoffRecord): void {
    this.#records.set(record.key, record);
  }

  remove(key: string): void {
    this.#records.delete(key);
  }

  get(key: string): BackoffRecord | undefined {
    return this.#records.get(key);
  }
}

const parseCount = (v: string | undefined): number => {
  if (v === undefined || !/^\d+$/.test(v)) return 0;
  return Number(v);
};

/** Failures of the pod's index before this pod (the annotation the controller wrote on it). */
export const indexFailureCount = (pod: Pod): number => parseCount(pod.metadata.annotations?.[JOB_INDEX_FAILURE_COUNT]);
export const indexIgnoredFailureCount = (pod: Pod): number => parseCount(pod.metadata.annotations?.[JOB_INDEX_IGNORED_FAILURE_COUNT]);
export const indexAbsoluteFailureCount = (pod: Pod): number => indexFailureCount(pod) + indexIgnoredFailureCount(pod);

/** Backoff before replacing the last failed pod of one index (backoffLimitPerIndex). */
export function remainingBackoffForIndexMs(lastFailed: Pod | undefined, nowMs: number, baseMs: number, maxMs: number): number {
  if (!lastFailed) return 0;
  return remainingBackoffMs(indexAbsoluteFailureCount(lastFailed) + 1, podFinishedMs(lastFailed), nowMs, baseMs, maxMs);
}
