// What users see of a scheduling attempt: the Warning FailedScheduling Event with the fit-error
// message and the PodScheduled=False condition (reason Unschedulable, or SchedulerError for
// internal errors), plus status.nominatedNodeName after a preemption; on success the Normal
// Scheduled Event "Successfully assigned ns/pod to node". The status patch is skipped when it
// would change nothing, as upstream's updatePod does.

import type { Logger } from 'pino';
import type { Clock, EventRecorder, RestClient } from '../client/index.ts';
import { isNotFound } from '../machinery/status-error.ts';
import type { Pod, PodCondition } from './api-types.ts';

/** Upstream truncates Event notes to 1024 bytes, ending with " ...". */
export const NOTE_LENGTH_LIMIT = 1024;

export function truncateMessage(message: string): string {
  if (message.length <= NOTE_LENGTH_LIMIT) return message;
  const suffix = ' ...';
  return message.slice(0, NOTE_LENGTH_LIMIT - suffix.length) + suffix;
}

const PODS = { group: '', version: 'v1', resource: 'pods' } as const;
const metaTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface StatusWriterDeps {
  client: RestClient | undefined;
  recorder: EventRecorder | undefined;
  clock: Clock;
  logger: Logger | undefined;
}

/**
 * Patches PodScheduled=False (and the nomination when `nominatedNodeName` is given; '' clears it)
 * unless the pod already shows exactly that. Returns the write, for tests to await.
 */
export async function updatePodScheduledCondition(
  deps: StatusWriterDeps,
  pod: Pod,
  condition: { reason: string; message: string },
  nominatedNodeName: string | undefined,
): Promise<void> {
  if (!deps.client) return;
  const old = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  const sameCondition = !!old && old.status === 'False' && old.reason === condition.reason && old.message === condition.message;
  const currentNnn = pod.status?.nominatedNodeName ?? '';
  const nnnChanges = nominatedNodeName !== undefined && nominatedNodeName !== currentNnn;
  if (sameCondition && !nnnChanges) return;
  const next: PodCondition = {
    type: 'PodScheduled',
    status: 'False',
    lastProbeTime: null,
    lastTransitionTime: old && old.status === 'False' && old.lastTransitionTime ? old.lastTransitionTime : metaTime(deps.clock.now()),
    reason: condition.reason,
    message: condition.message,
  };
  const status: Record<string, unknown> = {};
  if (!sameCondition) status['conditions'] = [next];
  if (nnnChanges) status['nominatedNodeName'] = nominatedNodeName === '' ? null : nominatedNodeName;
  const ref = { ...PODS, namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '' };
  try {
    await deps.client.patch(ref, 'strategic', { status }, { subresource: 'status' });
  } catch (err) {
    if (!isNotFound(err)) deps.logger?.warn({ err, pod: `${ref.namespace}/${ref.name}` }, 'could not update the pod status');
  }
}

export function recordFailedScheduling(deps: StatusWriterDeps, pod: Pod, message: string): Promise<void> {
  return deps.recorder?.event(pod, 'Warning', 'FailedScheduling', truncateMessage(message)) ?? Promise.resolve();
}

export function recordScheduled(deps: StatusWriterDeps, pod: Pod, node: string): Promise<void> {
  const msg = `Successfully assigned ${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''} to ${node}`;
  return deps.recorder?.event(pod, 'Normal', 'Scheduled', msg) ?? Promise.resolve();
}
