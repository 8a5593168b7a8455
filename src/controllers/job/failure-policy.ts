// When a Job's pod counts as failed, and what spec.podFailurePolicy makes of a failed pod: the
// first rule whose exit codes or pod conditions match decides (FailJob, FailIndex, Ignore,
// Count); no match counts the failure against the backoff limit as without a policy.

import type { Pod } from '../util/pods.ts';
import { containerStatuses, initContainerStatuses, type ContainerStatus, type Job, type PodFailurePolicyAction, type PodFailurePolicyRule } from './types.ts';

export interface PolicyMatch {
  /** Set when the Job must fail (action FailJob): the message of its FailureTarget/Failed conditions. */
  failJobMessage?: string;
  /** Whether the failure counts toward backoffLimit / the per-index limit. */
  countFailed: boolean;
  /** The action of the matching rule, if any rule matched. */
  action?: PodFailurePolicyAction;
}

/**
 * Replacement pods are made only once the old pod reached phase Failed (not merely when it is
 * terminating) with podReplacementPolicy Failed, which a pod failure policy implies.
 */
export const onlyReplaceFailedPods = (job: Job): boolean => job.spec?.podReplacementPolicy === 'Failed' || !!job.spec?.podFailurePolicy;

/** Failed phase, or (unless only failed pods are replaced) deleted before it succeeded: orphaned pods may never reach Failed. */
export function isPodFailed(pod: Pod, job: Job): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Failed') return true;
  if (onlyReplaceFailedPods(job)) return false;
  return !!pod.metadata.deletionTimestamp && phase !== 'Succeeded';
}

/** A container that terminated with a non-zero exit code the requirement matches. */
function matchExitCodes(statuses: ContainerStatus[], req: NonNullable<PodFailurePolicyRule['onExitCodes']>): { name: string; exitCode: number } | undefined {
  for (const s of statuses) {
    const exitCode = s.state?.terminated?.exitCode;
    // Still running or terminating: no exit code yet. Exit code 0 never matches (also for NotIn).
    if (exitCode === undefined || exitCode === 0) continue;
    if (req.containerName && req.containerName !== s.name) continue;
    const listed = req.values.includes(exitCode);
    if (req.operator === 'In' ? listed : !listed) return { name: s.name, exitCode };
  }
  return undefined;
}

function matchPodConditions(pod: Pod, patterns: NonNullable<PodFailurePolicyRule['onPodConditions']>): string | undefined {
  for (const pattern of patterns) {
    const want = pattern.status ?? 'True';
    const hit = pod.status?.conditions?.find((c) => c.type === pattern.type && c.status === want);
    if (hit) return hit.type;
  }
  return undefined;
}

/** Upstream's matchPodFailurePolicy, for a pod already known to have failed. */
export function matchPodFailurePolicy(job: Job, pod: Pod): PolicyMatch {
  const rules = job.spec?.podFailurePolicy?.rules;
  if (!rules) return { countFailed: true };
  const ns = pod.metadata.namespace ?? '';
  const name = pod.metadata.name ?? '';
  for (const [index, rule] of rules.entries()) {
    let failJobMessage: string | undefined;
    if (rule.onExitCodes) {
      const hit = matchExitCodes(initContainerStatuses(pod), rule.onExitCodes) ?? matchExitCodes(containerStatuses(pod), rule.onExitCodes);
      if (!hit) continue;
      failJobMessage = `Container ${hit.name} for pod ${ns}/${name} failed with exit code ${hit.exitCode} matching ${rule.action} rule at index ${index}`;
    } else if (rule.onPodConditions) {
      const type = matchPodConditions(pod, rule.onPodConditions);
      if (type === undefined) continue;
      failJobMessage = `Pod ${ns}/${name} has condition ${type} matching ${rule.action} rule at index ${index}`;
    } else {
      continue;
    }
    switch (rule.action) {
      case 'Ignore':
        return { countFailed: false, action: 'Ignore' };
      case 'FailIndex':
        return { countFailed: true, action: 'FailIndex' };
      case 'Count':
        return { countFailed: true, action: 'Count' };
      case 'FailJob':
        return { failJobMessage, countFailed: true, action: 'FailJob' };
      default:
        // An action this controller does not know: the rule is skipped, as upstream does.
        continue;
    }
  }
  return { countFailed: true };
}

/** The message of the first failed pod whose failure fails the whole Job, if any. */
export function failJobMessage(job: Job, pods: readonly Pod[]): string | undefined {
  if (!job.spec?.podFailurePolicy) return undefined;
  for (const pod of pods) {
    if (!isPodFailed(pod, job)) continue;
    const m = matchPodFailurePolicy(job, pod).failJobMessage;
    if (m !== undefined) return m;
  }
  return undefined;
}

/** Sum of the restarts of containers in pods still Pending or Running (restartPolicy OnFailure). */
export function pastBackoffLimitOnFailure(job: Job, pods: readonly Pod[]): boolean {
  const restartPolicy = (job.spec?.template?.spec as { restartPolicy?: string } | undefined)?.restartPolicy;
  if (restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const pod of pods) {
    const phase = pod.status?.phase ?? 'Pending';
    if (phase !== 'Running' && phase !== 'Pending') continue;
    for (const s of [...initContainerStatuses(pod), ...containerStatuses(pod)]) restarts += s.restartCount ?? 0;
  }
  const limit = job.spec?.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}
