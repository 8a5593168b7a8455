// The kubelet's active deadline (upstream's activeDeadlineHandler): a pod with
// spec.activeDeadlineSeconds that has been active on this node that long, counted from its
// status.startTime, is killed and ends Failed with reason DeadlineExceeded. A Job's own
// activeDeadlineSeconds is the Job controller's business; this is the pod's.

import type { AgentPod } from './pod-types.ts';

export const DEADLINE_REASON = 'DeadlineExceeded';
export const DEADLINE_MESSAGE = 'Pod was active on the node longer than the specified deadline';

/** Whether the pod ran past its deadline; `startTime` is the pod's status.startTime (RFC 3339). */
export function pastActiveDeadline(pod: AgentPod, startTime: unknown, nowMs: number): boolean {
  const seconds = pod.spec.activeDeadlineSeconds;
  if (typeof seconds !== 'number' || typeof startTime !== 'string') return false;
  const started = Date.parse(startTime);
  return Number.isFinite(started) && nowMs - started >= seconds * 1000;
}
