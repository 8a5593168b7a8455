// batch/v1 Job and CronJob validation, including the generated-selector rules and which parts of
// a Job may change after creation.

import { labelSelectorMatches, maxLenError, validateAnnotations, validateLabelSelector, validateLabels } from '../../machinery/index.ts';
import { JOB_CONTROLLER_UID_LABEL, JOB_NAME_LABEL, LEGACY_JOB_CONTROLLER_UID_LABEL, LEGACY_JOB_NAME_LABEL } from '../defaults/workloads.ts';
import { deepEqual, fieldErrors, has, immutable, isRec, nonNegative, obj, oneOf, optionalOneOf, rec, recList, str, type Errs, type Rec } from './fields.ts';
import { templateLabels, validatePodTemplateSpec } from './pod-spec.ts';
import { parseSchedule, ScheduleError } from '../../machinery/cron-schedule.ts';

const SELECTOR_MISMATCH = '`selector` does not match template `labels`';
const POD_FAILURE_ACTIONS = ['Count', 'FailIndex', 'FailJob', 'Ignore'] as const;

/** Spec rules shared by Jobs and CronJob job templates (upstream validateJobSpec). */
function validateJobSpecCommon(spec: Rec, path: string): Errs {
  const errs: Errs = [];
  for (const k of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished', 'backoffLimitPerIndex', 'maxFailedIndexes']) {
    errs.push(...nonNegative(spec[k], `${path}.${k}`));
  }
  const mode = spec['completionMode'];
  errs.push(...optionalOneOf(mode, ['NonIndexed', 'Indexed'], `${path}.completionMode`));
  if (mode === 'Indexed' && !has(spec, 'completions')) errs.push(fieldErrors.required(`${path}.completions`, 'when completion mode is Indexed'));
  if (mode !== 'Indexed') {
    for (const k of ['backoffLimitPerIndex', 'maxFailedIndexes']) {
      if (has(spec, k)) errs.push(fieldErrors.invalid(`${path}.${k}`, spec[k], 'requires indexed completion mode'));
    }
  }
  const replacement = spec['podReplacementPolicy'];
  errs.push(...optionalOneOf(replacement, ['Failed', 'TerminatingOrFailed'], `${path}.podReplacementPolicy`));
  if (has(spec, 'podFailurePolicy') && replacement !== undefined && replacement !== null && replacement !== 'Failed') {
    errs.push(fieldErrors.notSupported(`${path}.podReplacementPolicy`, replacement, ['Failed']));
  }
  recList(rec(spec, 'podFailurePolicy'), 'rules').forEach((rule, i) => {
    const p = `${path}.podFailurePolicy.rules[${i}]`;
    errs.push(...oneOf(rule['action'], POD_FAILURE_ACTIONS, `${p}.action`));
    if (has(rule, 'onExitCodes') === has(rule, 'onPodConditions')) {
      errs.push(fieldErrors.invalid(p, rule, 'specifying one of OnExitCodes and OnPodConditions is required'));
    }
  });
  const template = spec['template'];
  errs.push(...validatePodTemplateSpec(template, `${path}.template`));
  const restartPolicy = obj(template, 'spec')['restartPolicy'];
  if (restartPolicy !== 'OnFailure' && restartPolicy !== 'Never') {
    errs.push(fieldErrors.notSupported(`${path}.template.spec.restartPolicy`, restartPolicy ?? '', ['OnFailure', 'Never']));
  }
  return errs;
}

function validateHasLabel(labels: Record<string, unknown>, key: string, expected: string): Errs {
  const path = `spec.template.metadata.labels[${key}]`;
  if (!(key in labels)) return [fieldErrors.required(path, `must be '${expected}'`)];
  return labels[key] === expected ? [] : [fieldErrors.invalid(path, labels, `must be '${expected}'`)];
}

/** Unless the selector is manual, it and the template labels must be the generated ones. */
function validateGeneratedSelector(job: Rec): Errs {
  const spec = obj(job, 'spec');
  if (spec['manualSelector'] === true || !isRec(spec['selector'])) return [];
  const meta = obj(job, 'metadata');
  const uid = str(meta, 'uid');
  const name = str(meta, 'name');
  const errs: Errs = [];
  if (!uid) errs.push(fieldErrors.required('metadata.uid', ''));
  const labels = templateLabels(spec['template']);
  errs.push(...validateHasLabel(labels, LEGACY_JOB_CONTROLLER_UID_LABEL, uid));
  errs.push(...validateHasLabel(labels, LEGACY_JOB_NAME_LABEL, name));
  errs.push(...validateHasLabel(labels, JOB_CONTROLLER_UID_LABEL, uid));
  errs.push(...validateHasLabel(labels, JOB_NAME_LABEL, name));
  const expected = { [JOB_CONTROLLER_UID_LABEL]: uid, [JOB_NAME_LABEL]: name, [LEGACY_JOB_CONTROLLER_UID_LABEL]: uid, [LEGACY_JOB_NAME_LABEL]: name };
  if (!labelSelectorMatches(spec['selector'], expected)) errs.push(fieldErrors.invalid('spec.selector', spec['selector'], '`selector` not auto-generated'));
  return errs;
}

export function validateJob(job: Rec): Errs {
  const spec = obj(job, 'spec');
  const errs = validateGeneratedSelector(job);
  errs.push(...validateJobSpecCommon(spec, 'spec'));
  const selector = spec['selector'];
  if (selector === undefined || selector === null) {
    errs.push(fieldErrors.required('spec.selector', ''));
  } else {
    const selErrs = validateLabelSelector(selector, 'spec.selector');
    errs.push(...selErrs);
    if (selErrs.length === 0 && !labelSelectorMatches(selector, templateLabels(spec['template']))) {
      errs.push(fieldErrors.invalid('spec.template.metadata.labels', templateLabels(spec['template']), SELECTOR_MISMATCH));
    }
  }
  return errs;
}

/** Fields of a suspended, never-started Job's pod template that may still change (scheduling directives). */
function maskMutableSchedulingDirectives(template: unknown): unknown {
  if (!isRec(template)) return template;
  const copy = structuredClone(template);
  const meta = obj(copy, 'metadata');
  delete meta['labels'];
  delete meta['annotations'];
  const spec = obj(copy, 'spec');
  delete spec['nodeSelector'];
  delete spec['tolerations'];
  delete spec['schedulingGates'];
  const affinity = rec(spec, 'affinity');
  if (affinity) delete affinity['nodeAffinity'];
  return copy;
}

export function validateJobUpdate(job: Rec, old: Rec): Errs {
  const spec = obj(job, 'spec');
  const oldSpec = obj(old, 'spec');
  const errs: Errs = [];
  const elastic = spec['completionMode'] === 'Indexed' && spec['completions'] === spec['parallelism'] && oldSpec['completions'] === oldSpec['parallelism'];
  if (!elastic) errs.push(...immutable(spec['completions'], oldSpec['completions'], 'spec.completions'));
  errs.push(...immutable(spec['selector'], oldSpec['selector'], 'spec.selector'));
  const neverStarted = oldSpec['suspend'] === true && !has(obj(old, 'status'), 'startTime');
  const template = neverStarted ? maskMutableSchedulingDirectives(spec['template']) : spec['template'];
  const oldTemplate = neverStarted ? maskMutableSchedulingDirectives(oldSpec['template']) : oldSpec['template'];
  if (!deepEqual(template, oldTemplate)) errs.push(fieldErrors.invalid('spec.template', spec['template'] ?? null, 'field is immutable'));
  errs.push(...immutable(spec['completionMode'], oldSpec['completionMode'], 'spec.completionMode'));
  errs.push(...immutable(spec['podFailurePolicy'], oldSpec['podFailurePolicy'], 'spec.podFailurePolicy'));
  errs.push(...immutable(spec['backoffLimitPerIndex'], oldSpec['backoffLimitPerIndex'], 'spec.backoffLimitPerIndex'));
  return errs;
}

/** Jobs a CronJob creates are named <cronjob>-<11 characters>, and must stay within 63. */
const MAX_CRONJOB_NAME_LENGTH = 52;

function validateTimeZone(tz: unknown, path: string): Errs {
  if (tz === undefined || tz === null) return [];
  if (typeof tz !== 'string' || tz === '') return [fieldErrors.invalid(path, tz, 'timeZone must be nil or non-empty string')];
  if (tz.toLowerCase() === 'local') return [fieldErrors.invalid(path, tz, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones')];
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return [];
  } catch {
    return [fieldErrors.invalid(path, tz, `unknown time zone ${tz}`)];
  }
}

/** New CronJobs must use spec.timeZone rather than TZ= in the schedule (old ones keep working). */
export function validateCronJobCreate(cj: Rec): Errs {
  const schedule = str(obj(cj, 'spec'), 'schedule');
  return schedule.includes('TZ') ? [fieldErrors.invalid('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead')] : [];
}

/** The schedule must parse as the CronJob controller reads it (upstream validates it with the same parser). */
function validateSchedule(schedule: string): Errs {
  try {
    // TZ= prefixes are judged by the rule above; the zone is irrelevant to whether the fields parse.
    parseSchedule(schedule, undefined, 'UTC');
    return [];
  } catch (err) {
    if (err instanceof ScheduleError) return [fieldErrors.invalid('spec.schedule', schedule, err.message)];
    throw err;
  }
}

export function validateCronJob(cj: Rec): Errs {
  const errs: Errs = [];
  const name = str(obj(cj, 'metadata'), 'name');
  if (name.length > MAX_CRONJOB_NAME_LENGTH) errs.push(fieldErrors.invalid('metadata.name', name, maxLenError(MAX_CRONJOB_NAME_LENGTH)));
  const spec = obj(cj, 'spec');
  const schedule = str(spec, 'schedule');
  if (!schedule) errs.push(fieldErrors.required('spec.schedule', ''));
  else errs.push(...validateSchedule(schedule));
  errs.push(...validateTimeZone(spec['timeZone'], 'spec.timeZone'));
  errs.push(...nonNegative(spec['startingDeadlineSeconds'], 'spec.startingDeadlineSeconds'));
  errs.push(...oneOf(spec['concurrencyPolicy'], ['Allow', 'Forbid', 'Replace'], 'spec.concurrencyPolicy'));
  errs.push(...nonNegative(spec['successfulJobsHistoryLimit'], 'spec.successfulJobsHistoryLimit'));
  errs.push(...nonNegative(spec['failedJobsHistoryLimit'], 'spec.failedJobsHistoryLimit'));
  const jobTemplate = obj(spec, 'jobTemplate');
  const meta = obj(jobTemplate, 'metadata');
  errs.push(...validateLabels(meta['labels'], 'spec.jobTemplate.metadata.labels'));
  errs.push(...validateAnnotations(meta['annotations'], 'spec.jobTemplate.metadata.annotations'));
  const jobSpec = obj(jobTemplate, 'spec');
  errs.push(...validateJobSpecCommon(jobSpec, 'spec.jobTemplate.spec'));
  if (has(jobSpec, 'selector')) {
    errs.push(fieldErrors.invalid('spec.jobTemplate.spec.selector', jobSpec['selector'], '`selector` will be auto-generated'));
  }
  if (jobSpec['manualSelector'] === true) errs.push(fieldErrors.notSupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']));
  return errs;
}
