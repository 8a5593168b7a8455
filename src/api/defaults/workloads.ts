// Upstream defaults for workload kinds: ReplicationController and PodTemplate (core/v1), the apps/v1
// controllers and batch/v1 Job and CronJob; plus the Job selector generation the Job registry does.

import { defaultString, defaultValue, ensureRec, isEmpty, isRec, rec, recs, type Rec } from './fields.ts';
import { defaultPersistentVolumeClaim } from './core.ts';
import { defaultPodTemplate } from './pod.ts';

export function defaultPodTemplateObject(obj: Rec): void {
  defaultPodTemplate(obj, 'template');
}

export function defaultReplicationController(obj: Rec): void {
  const spec = ensureRec(obj, 'spec');
  if (!spec) return;
  const template = rec(spec, 'template');
  const labels = rec(rec(template, 'metadata'), 'labels');
  if (labels) {
    if (isEmpty(spec['selector'])) spec['selector'] = { ...labels };
    const meta = ensureRec(obj, 'metadata');
    if (meta && isEmpty(meta['labels'])) meta['labels'] = { ...labels };
  }
  defaultValue(spec, 'replicas', 1);
  defaultPodTemplate(spec);
}

export function defaultDeployment(obj: Rec): void {
  const spec = ensureRec(obj, 'spec');
  if (!spec) return;
  defaultValue(spec, 'replicas', 1);
  const strategy = ensureRec(spec, 'strategy');
  if (strategy) {
    defaultString(strategy, 'type', 'RollingUpdate');
    if (strategy['type'] === 'RollingUpdate') {
      const ru = ensureRec(strategy, 'rollingUpdate');
      if (ru) {
        defaultValue(ru, 'maxUnavailable', '25%');
        defaultValue(ru, 'maxSurge', '25%');
      }
    }
  }
  defaultValue(spec, 'revisionHistoryLimit', 10);
  defaultValue(spec, 'progressDeadlineSeconds', 600);
  defaultPodTemplate(spec);
}

export function defaultReplicaSet(obj: Rec): void {
  const spec = ensureRec(obj, 'spec');
  if (!spec) return;
  defaultValue(spec, 'replicas', 1);
  defaultPodTemplate(spec);
}

export function defaultDaemonSet(obj: Rec): void {
  const spec = ensureRec(obj, 'spec');
  if (!spec) return;
  const strategy = ensureRec(spec, 'updateStrategy');
  if (strategy) {
    defaultString(strategy, 'type', 'RollingUpdate');
    if (strategy['type'] === 'RollingUpdate') {
      const ru = ensureRec(strategy, 'rollingUpdate');
      if (ru) {
        defaultValue(ru, 'maxUnavailable', 1);
        defaultValue(ru, 'maxSurge', 0);
      }
    }
  }
  defaultValue(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplate(spec);
}

export function defaultStatefulSet(obj: Rec): void {
  const spec = ensureRec(obj, 'spec');
  if (!spec) return;
  defaultString(spec, 'podManagementPolicy', 'OrderedReady');
  const strategy = ensureRec(spec, 'updateStrategy');
  if (strategy) {
    if (strategy['type'] === undefined || strategy['type'] === null || strategy['type'] === '') {
      strategy['type'] = 'RollingUpdate';
      defaultValue(strategy, 'rollingUpdate', {});
    }
    const ru = rec(strategy, 'rollingUpdate');
    if (strategy['type'] === 'RollingUpdate' && ru) defaultValue(ru, 'partition', 0);
  }
  const retention = ensureRec(spec, 'persistentVolumeClaimRetentionPolicy');
  if (retention) {
    defaultString(retention, 'whenDeleted', 'Retain');
    defaultString(retention, 'whenScaled', 'Retain');
  }
  defaultValue(spec, 'replicas', 1);
  defaultValue(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplate(spec);
  for (const claim of recs(spec, 'volumeClaimTemplates')) defaultPersistentVolumeClaim(claim);
}

/** SetDefaults_Job, minus the selector, which needs the uid (see prepareJobSelector). */
export function defaultJob(obj: Rec): void {
  const spec = ensureRec(obj, 'spec');
  if (!spec) return;
  defaultJobSpec(spec);
  const templateLabels = rec(rec(rec(spec, 'template'), 'metadata'), 'labels');
  const meta = ensureRec(obj, 'metadata');
  if (templateLabels && meta && isEmpty(meta['labels'])) meta['labels'] = { ...templateLabels };
}

function defaultJobSpec(spec: Rec): void {
  const unset = (k: string) => spec[k] === undefined || spec[k] === null;
  if (unset('completions') && unset('parallelism')) {
    spec['completions'] = 1;
    spec['parallelism'] = 1;
  }
  defaultValue(spec, 'parallelism', 1);
  defaultValue(spec, 'backoffLimit', unset('backoffLimitPerIndex') ? 6 : 2147483647);
  defaultString(spec, 'completionMode', 'NonIndexed');
  defaultValue(spec, 'suspend', false);
  defaultValue(spec, 'podReplacementPolicy', isRec(spec['podFailurePolicy']) ? 'Failed' : 'TerminatingOrFailed');
  for (const rule of recs(rec(spec, 'podFailurePolicy'), 'rules')) {
    for (const pattern of recs(rule, 'onPodConditions')) defaultString(pattern, 'status', 'True');
  }
  defaultPodTemplate(spec);
}

export function defaultCronJob(obj: Rec): void {
  const spec = ensureRec(obj, 'spec');
  if (!spec) return;
  defaultString(spec, 'concurrencyPolicy', 'Allow');
  defaultValue(spec, 'suspend', false);
  defaultValue(spec, 'successfulJobsHistoryLimit', 3);
  defaultValue(spec, 'failedJobsHistoryLimit', 1);
  // Only the pod template inside the job template is defaulted; Job-level defaults apply when the
  // controller creates each Job.
  defaultPodTemplate(rec(rec(spec, 'jobTemplate'), 'spec'));
}

export const JOB_CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const LEGACY_JOB_CONTROLLER_UID_LABEL = 'controller-uid';
export const LEGACY_JOB_NAME_LABEL = 'job-name';

/**
 * Generates the Job selector and template labels unless spec.manualSelector is true. Call it on
 * create, after metadata.uid is assigned and before validation. Labels the user set are kept (a
 * conflicting one then fails validation); the Job's own labels default to the template's.
 */
export function prepareJobSelector(job: Rec): void {
  const spec = ensureRec(job, 'spec');
  const meta = ensureRec(job, 'metadata');
  if (!spec || !meta) return;
  if (spec['manualSelector'] === true) return;
  const uid = typeof meta['uid'] === 'string' ? meta['uid'] : '';
  const name = typeof meta['name'] === 'string' ? meta['name'] : '';
  const template = ensureRec(spec, 'template');
  const templateMeta = template ? ensureRec(template, 'metadata') : undefined;
  const labels = templateMeta ? ensureRec(templateMeta, 'labels') : undefined;
  if (labels) {
    defaultValue(labels, LEGACY_JOB_NAME_LABEL, name);
    defaultValue(labels, JOB_NAME_LABEL, name);
    defaultValue(labels, LEGACY_JOB_CONTROLLER_UID_LABEL, uid);
    defaultValue(labels, JOB_CONTROLLER_UID_LABEL, uid);
  }
  const selector = ensureRec(spec, 'selector');
  const matchLabels = selector ? ensureRec(selector, 'matchLabels') : undefined;
  if (matchLabels) defaultValue(matchLabels, JOB_CONTROLLER_UID_LABEL, uid);
  // Upstream re-applies defaults when reading the stored Job, so its labels end up as the template's.
  if (labels && isEmpty(meta['labels'])) meta['labels'] = { ...labels };
}
