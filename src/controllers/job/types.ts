// The batch/v1 Job shapes the Job controller reads and writes, and the well-known labels,
// annotations and finalizer upstream's controller puts on a Job's pods. Typed only as far as the
// controller looks; everything else passes through untouched.

import type { KubeObject } from '../../api/types.ts';
import type { Pod } from '../util/pods.ts';
import type { PodTemplateSpec } from '../util/pod-template.ts';

/** Held by every pod the controller creates until its termination is counted in the Job status. */
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
/** Annotation (and, since PodIndexLabel, label) carrying an Indexed Job pod's completion index. */
export const JOB_COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';
export const JOB_INDEX_FAILURE_COUNT = 'batch.kubernetes.io/job-index-failure-count';
export const JOB_INDEX_IGNORED_FAILURE_COUNT = 'batch.kubernetes.io/job-index-ignored-failure-count';
export const JOB_COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';
/** spec.managedBy value meaning "this controller". */
export const JOB_CONTROLLER_NAME = 'kubernetes.io/job-controller';

export type PodFailurePolicyAction = 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';

export interface PodFailurePolicyRule {
  action: PodFailurePolicyAction;
  onExitCodes?: { containerName?: string; operator: 'In' | 'NotIn'; values: number[] };
  onPodConditions?: { type: string; status?: string }[];
}

export interface SuccessPolicyRule {
  succeededIndexes?: string;
  succeededCount?: number;
}

export interface JobSpec {
  parallelism?: number;
  completions?: number;
  activeDeadlineSeconds?: number;
  podFailurePolicy?: { rules: PodFailurePolicyRule[] };
  successPolicy?: { rules: SuccessPolicyRule[] };
  backoffLimit?: number;
  backoffLimitPerIndex?: number;
  maxFailedIndexes?: number;
  selector?: Record<string, unknown>;
  manualSelector?: boolean;
  template?: PodTemplateSpec;
  ttlSecondsAfterFinished?: number;
  completionMode?: string;
  suspend?: boolean;
  podReplacementPolicy?: 'Failed' | 'TerminatingOrFailed';
  managedBy?: string;
}

export interface JobCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastProbeTime?: string;
  lastTransitionTime?: string;
}

export interface JobStatus {
  conditions?: JobCondition[];
  startTime?: string;
  completionTime?: string;
  active?: number;
  succeeded?: number;
  failed?: number;
  terminating?: number;
  ready?: number;
  completedIndexes?: string;
  failedIndexes?: string;
  uncountedTerminatedPods?: { succeeded?: string[]; failed?: string[] };
}

export interface Job extends KubeObject {
  spec?: JobSpec;
  status?: JobStatus;
}

export interface ContainerStatus {
  name: string;
  restartCount?: number;
  state?: { terminated?: { exitCode?: number; finishedAt?: string }; running?: unknown; waiting?: unknown };
}

export const containerStatuses = (pod: Pod): ContainerStatus[] => (pod.status?.['containerStatuses'] as ContainerStatus[] | undefined) ?? [];
export const initContainerStatuses = (pod: Pod): ContainerStatus[] => (pod.status?.['initContainerStatuses'] as ContainerStatus[] | undefined) ?? [];

export const hasTrackingFinalizer = (pod: Pod): boolean => pod.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER) ?? false;

export const isIndexedJob = (job: Job): boolean => job.spec?.completionMode === 'Indexed';

export const hasBackoffLimitPerIndex = (job: Job): boolean => isIndexedJob(job) && job.spec?.backoffLimitPerIndex !== undefined && job.spec.backoffLimitPerIndex !== null;

export const isJobSuspended = (job: Job): boolean => job.spec?.suspend === true;

/** The Job's spec.completions when it is set (Indexed Jobs always set it). */
export const completionsOf = (job: Job): number | undefined => (typeof job.spec?.completions === 'number' ? job.spec.completions : undefined);
