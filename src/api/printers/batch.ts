// Job and CronJob tables. Job STATUS follows the Kubernetes 1.33 precedence:
// Complete, Failed, Terminating, Suspended, FailureTarget, else Running.

import { int, isInt, list, rec, recs, str, type Rec } from './access.ts';
import { age, formatLabelSelector, humanDuration, layoutContainers, parseTime, since, templateContainers } from './format.ts';
import {
  AGE_COLUMN,
  CONTAINERS_COLUMN,
  IMAGES_COLUMN,
  NAME_COLUMN,
  column,
  nameOf,
  printer,
  selectorColumn,
  type TablePrinter,
} from './types.ts';
import type { KubeObject } from '../types.ts';

export const jobPrinter: TablePrinter = printer(
  [
    NAME_COLUMN,
    column('Status', 'string', 'Status of the job.'),
    column('Completions', 'string', 'Succeeded pods out of the completions wanted.'),
    column('Duration', 'string', 'Time required to complete the job.'),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    selectorColumn(),
  ],
  (job, nowMs) => {
    const spec = rec(job['spec']);
    const status = rec(job['status']);
    return [
      nameOf(job),
      jobStatus(job, status),
      completions(spec, status),
      jobDuration(status, nowMs),
      age(job, nowMs),
      ...layoutContainers(templateContainers(spec['template'])),
      formatLabelSelector(spec['selector']),
    ];
  },
);

function completions(spec: Rec, status: Rec): string {
  const succeeded = int(status['succeeded']);
  if (isInt(spec['completions'])) return `${succeeded}/${int(spec['completions'])}`;
  const parallelism = int(spec['parallelism']);
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDuration(status: Rec, nowMs: number): string {
  const start = parseTime(status['startTime']);
  if (start === undefined) return '';
  const done = parseTime(status['completionTime']);
  return humanDuration((done ?? nowMs) - start);
}

/** The status of the first condition of that type, as upstream hasJobCondition reads it. */
function hasCondition(status: Rec, type: string): boolean {
  const c = recs(status['conditions']).find((cond) => str(cond['type']) === type);
  return c !== undefined && str(c['status']) === 'True';
}

function jobStatus(job: KubeObject, status: Rec): string {
  if (hasCondition(status, 'Complete')) return 'Complete';
  if (hasCondition(status, 'Failed')) return 'Failed';
  const deleting = rec(job.metadata)['deletionTimestamp'];
  if (deleting !== undefined && deleting !== null && deleting !== '') return 'Terminating';
  if (hasCondition(status, 'Suspended')) return 'Suspended';
  if (hasCondition(status, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

export const cronJobPrinter: TablePrinter = printer(
  [
    NAME_COLUMN,
    column('Schedule', 'string', 'The cron schedule.'),
    column('Timezone', 'string', 'Time zone the schedule is read in.'),
    column('Suspend', 'boolean', 'Whether new runs are suspended.'),
    column('Active', 'integer', 'Number of running jobs.'),
    column('Last Schedule', 'string', 'Time since a job was last scheduled.'),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    selectorColumn(),
  ],
  (cj, nowMs) => {
    const spec = rec(cj['spec']);
    const status = rec(cj['status']);
    const jobSpec = rec(rec(spec['jobTemplate'])['spec']);
    const last = status['lastScheduleTime'];
    return [
      nameOf(cj),
      str(spec['schedule']),
      typeof spec['timeZone'] === 'string' ? spec['timeZone'] : '<none>',
      boolPtr(spec['suspend']),
      list(status['active']).length,
      last === undefined || last === null ? '<none>' : since(last, nowMs),
      age(cj, nowMs),
      ...layoutContainers(templateContainers(jobSpec['template'])),
      formatLabelSelector(jobSpec['selector']),
    ];
  },
);

/** printBoolPtr: "True", "False" or "<unset>". */
function boolPtr(v: unknown): string {
  if (typeof v !== 'boolean') return '<unset>';
  return v ? 'True' : 'False';
}

