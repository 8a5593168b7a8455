// The pod facts the StatefulSet controller decides on (upstream stateful_set_utils.go): created
// (the API server gave it a phase), finished, terminating, running-and-ready, available, healthy.

import { isPodAvailable, isPodReady, podPhase, type Pod } from '../util/pods.ts';

export const isCreated = (pod: Pod | undefined): pod is Pod => !!pod?.status?.phase;
export const isFailed = (pod: Pod): boolean => podPhase(pod) === 'Failed';
export const isSucceeded = (pod: Pod): boolean => podPhase(pod) === 'Succeeded';
export const isPending = (pod: Pod): boolean => podPhase(pod) === 'Pending';
export const isTerminating = (pod: Pod): boolean => !!pod.metadata.deletionTimestamp;

export const isRunningAndReady = (pod: Pod): boolean => podPhase(pod) === 'Running' && isPodReady(pod);

export const isRunningAndAvailable = (pod: Pod, minReadySeconds: number, nowMs: number): boolean =>
  podPhase(pod) === 'Running' && isPodAvailable(pod, minReadySeconds, nowMs);

/** Running, ready and not being deleted. */
export const isHealthy = (pod: Pod | undefined): boolean => !!pod && isRunningAndReady(pod) && !isTerminating(pod);

/** Counts against maxUnavailable during a rolling update. */
export const isUnavailable = (pod: Pod | undefined, minReadySeconds: number, nowMs: number): boolean =>
  !pod || !isHealthy(pod) || !isPodAvailable(pod, minReadySeconds, nowMs);
