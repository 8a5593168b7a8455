// The Job a CronJob creates for one scheduled time: named <cronjob>-<minutes since the epoch> so
// a second attempt for the same time collides instead of running twice, with the template's
// labels, annotations and spec, the scheduled-timestamp annotation and the CronJob as controller.
// Also the bookkeeping of status.active.

import type { Job } from '../job/index.ts';
import { newControllerRef } from '../util/owner-refs.ts';
import { formatInZone } from '../../machinery/cron-schedule.ts';
import { CRONJOB_SCHEDULED_TIMESTAMP, type CronJob, type ObjectReference } from './types.ts';

export const jobNameFor = (cj: CronJob, scheduledMs: number): string => `${cj.metadata.name ?? ''}-${Math.floor(scheduledMs / 60_000)}`;

export function jobFromTemplate(cj: CronJob, scheduledMs: number): Job {
  const template = cj.spec?.jobTemplate ?? {};
  // Upstream formats the timestamp in spec.timeZone, or UTC without one.
  const zone = cj.spec?.timeZone ?? 'UTC';
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobNameFor(cj, scheduledMs),
      namespace: cj.metadata.namespace ?? 'default',
      labels: { ...(template.metadata?.labels ?? {}) },
      annotations: { ...(template.metadata?.annotations ?? {}), [CRONJOB_SCHEDULED_TIMESTAMP]: formatInZone(scheduledMs, zone) },
      ownerReferences: [newControllerRef({ ...cj, apiVersion: 'batch/v1', kind: 'CronJob' })],
    },
    spec: structuredClone(template.spec ?? {}),
  };
}

export function referenceTo(job: Job): ObjectReference {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    namespace: job.metadata.namespace ?? '',
    name: job.metadata.name ?? '',
    uid: job.metadata.uid ?? '',
    resourceVersion: job.metadata.resourceVersion ?? '',
  };
}

export const inActiveList = (cj: CronJob, uid: string | undefined): boolean => (cj.status?.active ?? []).some((r) => r.uid === uid);

export const inActiveListByName = (cj: CronJob, name: string): boolean => (cj.status?.active ?? []).some((r) => r.name === name);

export function removeFromActiveList(cj: CronJob, uid: string | undefined): void {
  if (!cj.status?.active) return;
  cj.status.active = cj.status.active.filter((r) => r.uid !== uid);
  if (cj.status.active.length === 0) delete cj.status.active;
}
