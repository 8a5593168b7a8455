// The CronJob controller (upstream's cronjob-controller, v2): reconciles status.active with the
// CronJob's Jobs, trims the history, and when the most recent scheduled time is due (and within
// startingDeadlineSeconds) creates its Job, honouring suspend and the concurrency policy
// (Forbid skips while a Job runs, Replace deletes the running ones first). Every sync asks to be
// woken at the next scheduled time.

import type { Logger } from 'pino';
import { realClock, splitKey, type Clock, type EventRecorder, type Informer, type RestClient } from '../../client/index.ts';
import { isAlreadyExists, isNotFound, isStatusError } from '../../machinery/status-error.ts';
import { COMPLETE, finishedConditionType, isJobFinished, type Job } from '../job/index.ts';
import { common, type ControllerContext } from '../runtime/context.ts';
import { Controller } from '../runtime/controller.ts';
import type { Reconciler, Result } from '../runtime/reconciler.ts';
import { metaTime } from '../util/conditions.ts';
import { CONTROLLER_UID_INDEX, controllerOf, controllerUidIndex } from '../util/owner-refs.ts';
import { CRON_JOBS, JOBS } from '../util/refs.ts';
import { cleanupFinishedJobs, deleteCronJobJob } from './history.ts';
import { inActiveList, inActiveListByName, jobFromTemplate, referenceTo, removeFromActiveList } from './job-from-template.ts';
import { isValidTimeZone, localTimeZone, parseSchedule, ScheduleError, type Schedule } from '../../machinery/cron-schedule.ts';
import { scheduledTimeToRun, untilNextSchedule, type CronTimes } from './schedule-times.ts';
import type { CronJob } from './types.ts';

export interface CronJobControllerOptions {
  /** The zone schedules without spec.timeZone are read in (kube-controller-manager's local zone). */
  defaultTimeZone?: string;
}

const cronRef = (cj: CronJob) => ({ ...CRON_JOBS, namespace: cj.metadata.namespace ?? '', name: cj.metadata.name ?? '' });

export class CronJobReconciler implements Reconciler {
  readonly #client: RestClient;
  readonly #cronJobs: Informer<CronJob>;
  readonly #jobs: Informer<Job>;
  readonly #recorder: EventRecorder;
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;
  readonly #defaultZone: string;

  constructor(deps: { client: RestClient; cronJobs: Informer<CronJob>; jobs: Informer<Job>; recorder: EventRecorder; clock: Clock; logger?: Logger | undefined; defaultZone: string }) {
    this.#client = deps.client;
    this.#cronJobs = deps.cronJobs;
    this.#jobs = deps.jobs;
    this.#recorder = deps.recorder;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#defaultZone = deps.defaultZone;
  }

  async reconcile(key: string, signal: AbortSignal): Promise<Result | void> {
    const { namespace, name } = splitKey(key);
    const cached = this.#cronJobs.lister.get(namespace, name);
    if (!cached) return;
    const cj: CronJob = { ...structuredClone(cached), apiVersion: 'batch/v1', kind: 'CronJob' };
    const jobs = this.#jobs.lister.byIndex(CONTROLLER_UID_INDEX, cj.metadata.uid ?? '').filter((j) => controllerOf(j)?.kind === 'CronJob');
    const cleaned = await cleanupFinishedJobs({ client: this.#client, recorder: this.#recorder }, cj, jobs, signal);
    let result: { requeueAfter?: number; changed: boolean };
    let syncError: unknown;
    try {
      result = await this.#sync(cj, jobs, signal);
    } catch (err) {
      syncError = err;
      result = { changed: true };
    }
    if (cleaned || result.changed) {
      if (!cj.status?.active?.length && cj.status) delete cj.status.active;
      await this.#client.updateStatus(cronRef(cj), cj, { signal });
    }
    if (syncError !== undefined) throw syncError;
    return result.requeueAfter === undefined ? undefined : { requeueAfter: result.requeueAfter };
  }

  /** Upstream's syncCronJob: mutates `cj`'s status; reports whether it changed and when to look again. */
  async #sync(cj: CronJob, jobs: readonly Job[], signal: AbortSignal): Promise<{ requeueAfter?: number; changed: boolean }> {
    cj.status ??= {};
    let changed = false;
    const children = new Set<string>();
    for (const job of jobs) {
      const uid = job.metadata.uid ?? '';
      children.add(uid);
      const listed = inActiveList(cj, uid);
      if (!listed && !isJobFinished(job)) {
        // Our own status write may just not have reached the cache: a fresh read decides.
        const fresh = await this.#client.get<CronJob>(cronRef(cj), { signal });
        if (inActiveList(fresh, uid)) {
          Object.assign(cj, { metadata: fresh.metadata, spec: fresh.spec, status: fresh.status ?? {} });
          continue;
        }
        void this.#recorder.event(cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${job.metadata.name ?? ''}`);
      } else if (listed && isJobFinished(job)) {
        removeFromActiveList(cj, uid);
        void this.#recorder.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${job.metadata.name ?? ''}, condition: ${finishedConditionType(job) ?? ''}`);
        changed = true;
      }
      if (finishedConditionType(job) === COMPLETE && job.status?.completionTime) {
        // A successful Job need not be in the active list for its completion to count.
        const done = job.status.completionTime;
        const last = cj.status.lastSuccessfulTime;
        if (!last || Date.parse(done) > Date.parse(last)) {
          cj.status.lastSuccessfulTime = done;
          changed = true;
        }
      }
    }
    for (const ref of [...(cj.status.active ?? [])]) {
      if (children.has(ref.uid ?? '')) continue;
      // The cache may lag: only a NotFound from the server proves the Job is gone.
      try {
        await this.#client.get({ ...JOBS, namespace: ref.namespace ?? cj.metadata.namespace ?? '', name: ref.name ?? '' }, { signal });
      } catch (err) {
        if (!isNotFound(err)) throw err;
        void this.#recorder.event(cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name ?? ''}`);
        removeFromActiveList(cj, ref.uid);
        changed = true;
      }
    }
    if (cj.metadata.deletionTimestamp) return { changed };

    const tz = cj.spec?.timeZone;
    if (tz !== undefined && tz !== null && !isValidTimeZone(tz)) {
      void this.#recorder.event(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: "${tz}"`);
      return { changed };
    }
    if (cj.spec?.suspend) return { changed };
    const scheduleText = cj.spec?.schedule ?? '';
    if (scheduleText.includes('TZ')) {
      void this.#recorder.event(cj, 'Warning', 'UnsupportedSchedule', `CRON_TZ or TZ used in schedule "${scheduleText}" is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`);
    }
    let schedule: Schedule;
    try {
      schedule = parseSchedule(scheduleText, tz ?? undefined, this.#defaultZone);
    } catch (err) {
      void this.#recorder.event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: "${scheduleText}" : ${(err as Error).message}`);
      return { changed };
    }
    return this.#runDue(cj, schedule, signal, changed);
  }

  async #runDue(cj: CronJob, schedule: Schedule, signal: AbortSignal, changed: boolean): Promise<{ requeueAfter?: number; changed: boolean }> {
    const now = this.#clock.now();
    const status = cj.status!;
    const times = (): CronTimes => ({
      createdMs: Date.parse(cj.metadata.creationTimestamp ?? '') || now,
      lastScheduleMs: status.lastScheduleTime ? Date.parse(status.lastScheduleTime) : undefined,
      startingDeadlineSeconds: cj.spec?.startingDeadlineSeconds ?? undefined,
    });
    const next = (): number => untilNextSchedule(times(), now, schedule);
    let due: { scheduledMs: number | undefined; tooManyMissed: boolean };
    try {
      due = scheduledTimeToRun(times(), now, schedule);
    } catch (err) {
      if (!(err instanceof ScheduleError)) throw err;
      void this.#recorder.event(cj, 'Warning', 'InvalidSchedule', `invalid schedule: ${cj.spec?.schedule ?? ''} : ${err.message}`);
      return { changed };
    }
    if (due.tooManyMissed) {
      void this.#recorder.event(cj, 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
    }
    const scheduled = due.scheduledMs;
    // Nothing due: the queue woke us early (or after a restart); wait for the next time.
    if (scheduled === undefined) return { requeueAfter: next(), changed };

    const deadline = cj.spec?.startingDeadlineSeconds;
    if (typeof deadline === 'number' && scheduled + deadline * 1000 < now) {
      void this.#recorder.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${new Date(scheduled).toUTCString()}`);
      return { requeueAfter: next(), changed };
    }
    const job = jobFromTemplate(cj, scheduled);
    if (inActiveListByName(cj, job.metadata.name ?? '') || (status.lastScheduleTime && Date.parse(status.lastScheduleTime) === scheduled)) {
      return { requeueAfter: next(), changed };
    }
    const policy = cj.spec?.concurrencyPolicy ?? 'Allow';
    if (policy === 'Forbid' && (status.active?.length ?? 0) > 0) {
      void this.#recorder.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return { requeueAfter: next(), changed };
    }
    if (policy === 'Replace') {
      for (const ref of [...(status.active ?? [])]) {
        const running = await this.#client.get<Job>({ ...JOBS, namespace: ref.namespace ?? '', name: ref.name ?? '' }, { signal }).catch((err: unknown) => {
          void this.#recorder.event(cj, 'Warning', 'FailedGet', `Get job: ${err instanceof Error ? err.message : String(err)}`);
          throw err;
        });
        if (!(await deleteCronJobJob({ client: this.#client, recorder: this.#recorder }, cj, running, signal))) {
          throw new Error(`could not replace job ${ref.namespace ?? ''}/${ref.name ?? ''}`);
        }
        changed = true;
      }
    }

    let created: Job;
    try {
      created = await this.#client.create<Job>({ ...JOBS, namespace: cj.metadata.namespace ?? '' }, job, { signal });
      void this.#recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata.name ?? ''}`);
    } catch (err) {
      if (isAlreadyExists(err)) {
        // Made by an earlier attempt (or someone else): adopt it into the status only if it is ours and missing.
        const existing = await this.#client.get<Job>({ ...JOBS, namespace: cj.metadata.namespace ?? '', name: job.metadata.name ?? '' }, { signal });
        if (controllerOf(existing)?.uid !== cj.metadata.uid || inActiveList(cj, existing.metadata.uid)) return { changed };
        this.#logger?.info({ cronjob: `${cj.metadata.namespace}/${cj.metadata.name}`, job: existing.metadata.name }, 'job already exists');
        created = existing;
      } else {
        if (!namespaceTerminating(err)) void this.#recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${err instanceof Error ? err.message : String(err)}`);
        throw err;
      }
    }
    (status.active ??= []).push(referenceTo(created));
    status.lastScheduleTime = metaTime(scheduled);
    return { requeueAfter: next(), changed: true };
  }
}

const namespaceTerminating = (err: unknown): boolean =>
  isStatusError(err) && (err.status.details?.causes ?? []).some((c) => (c as { reason?: string }).reason === 'NamespaceTerminating');

export function cronJobController(ctx: ControllerContext, options: CronJobControllerOptions = {}): Controller {
  const cronJobs = ctx.informers.informerFor<CronJob>(CRON_JOBS);
  const jobs = ctx.informers.informerFor<Job>(JOBS, { indexers: { [CONTROLLER_UID_INDEX]: controllerUidIndex } });
  const reconciler = new CronJobReconciler({
    client: ctx.client, cronJobs, jobs, recorder: ctx.recorder, clock: ctx.clock ?? realClock, logger: ctx.logger, defaultZone: options.defaultTimeZone ?? localTimeZone(),
  });
  return new Controller({ name: 'cronjob', reconciler, workers: 5, ...common(ctx) })
    .watch(cronJobs)
    .watch(jobs, (job) => {
      const ref = controllerOf(job);
      return ref?.kind === 'CronJob' ? `${job.metadata.namespace ?? ''}/${ref.name}` : undefined;
    });
}
