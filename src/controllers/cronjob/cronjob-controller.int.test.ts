// The CronJob controller against a real in-process API server, with a FakeClock driving its
// notion of time (and its requeues) while the Job controller and the PodDriver run in real time.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { startTestCluster, until, type TestCluster } from '../../../test/support/cluster.ts';
import { FakeClock } from '../../client/index.ts';
import type { ControllerSpec } from '../index.ts';
import { conditionOf, eventsFor, fastJobController } from '../job/job-test-support.ts';
import type { Job } from '../job/index.ts';
import { CRON_JOBS, JOBS } from '../util/refs.ts';
import { cronJobController } from './cronjob-controller.ts';
import { CRONJOB_SCHEDULED_TIMESTAMP, type CronJob, type CronJobSpec } from './types.ts';

const MINUTE = 60_000;

function cronJob(name: string, spec: Partial<CronJobSpec>, sim: { runMs?: number; exitCode?: number } = {}): CronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: 'default' },
    spec: {
      schedule: '*/1 * * * *',
      ...spec,
      jobTemplate: {
        metadata: { labels: { app: name }, annotations: { team: 'batch' } },
        spec: {
          backoffLimit: 0,
          template: {
            metadata: { annotations: { 'sim.strata.dev/exit-code': String(sim.exitCode ?? 0), 'sim.strata.dev/run-ms': String(sim.runMs ?? 100) } },
            spec: { restartPolicy: 'Never', containers: [{ name: 'tick', image: 'busybox' }] },
          },
        },
      },
    },
  };
}

describe('cronjob controller', { timeout: 120_000 }, () => {
  let c: TestCluster;
  let clock: FakeClock;

  beforeEach(async () => {
    clock = new FakeClock(Date.now());
    const cron: ControllerSpec = { name: 'cronjob-fake-clock', component: 'cronjob-controller', make: (ctx) => cronJobController({ ...ctx, clock }, { defaultTimeZone: 'UTC' }) };
    c = await startTestCluster({ controllers: [fastJobController(), cron] });
  });
  afterEach(async () => {
    await c?.stop();
  });

  const create = (cj: CronJob) => c.client.create({ ...CRON_JOBS, namespace: 'default' }, cj);
  const getCron = (name: string) => c.client.get<CronJob>({ ...CRON_JOBS, namespace: 'default', name });
  const jobsOf = async (name: string): Promise<Job[]> =>
    (await c.client.list<Job>({ ...JOBS, namespace: 'default' })).items.filter((j) => j.metadata.ownerReferences?.some((r) => r.kind === 'CronJob' && r.name === name));
  const settle = () => new Promise((r) => setTimeout(r, 300));
  /** Moves the fake clock to `ms` (epoch), letting due requeues fire. */
  const advanceTo = (ms: number) => clock.advance(Math.max(0, ms - clock.now()));
  const nextMinute = () => Math.floor(clock.now() / MINUTE) * MINUTE + MINUTE;

  it('creates the Job exactly when the schedule comes due, named and annotated for the scheduled time, and tracks it in status', async () => {
    await create(cronJob('tick', { timeZone: 'Asia/Kolkata' }));
    await settle();
    const due = nextMinute();
    // One tick before the requeue (the scheduled time plus 100 ms) nothing has happened.
    await advanceTo(due + 99);
    await settle();
    assert.equal((await jobsOf('tick')).length, 0, 'no Job before its time');
    await advanceTo(due + 100);
    const [job] = await until('the scheduled job', async () => {
      const jobs = await jobsOf('tick');
      return jobs.length > 0 ? jobs : undefined;
    });
    assert.equal(job?.metadata.name, `tick-${due / MINUTE}`);
    assert.equal(job?.metadata.labels?.['app'], 'tick');
    assert.equal(job?.metadata.annotations?.['team'], 'batch');
    const local = new Date(due + 5.5 * 3_600_000).toISOString().replace(/\.\d{3}Z$/, '+05:30');
    assert.equal(job?.metadata.annotations?.[CRONJOB_SCHEDULED_TIMESTAMP], local);
    assert.equal(job?.metadata.ownerReferences?.[0]?.controller, true);
    const cj = await until('status.active', async () => {
      const got = await getCron('tick');
      return got.status?.active?.length ? got : undefined;
    });
    assert.equal(cj.status?.active?.[0]?.name, job?.metadata.name);
    assert.equal(cj.status?.lastScheduleTime, new Date(due).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    // The Job completes (real Job controller): the CronJob forgets it as active and records the success.
    const done = await until('completed and out of status.active', async () => {
      const got = await getCron('tick');
      return !got.status?.active && got.status?.lastSuccessfulTime ? got : undefined;
    });
    const completed = (await jobsOf('tick'))[0]!;
    assert.equal(done.status?.lastSuccessfulTime, completed.status?.completionTime);
    const reasons = (await eventsFor(c.client, 'CronJob', 'tick')).map((e) => e.reason);
    assert.ok(reasons.includes('SuccessfulCreate') && reasons.includes('SawCompletedJob'), reasons.join(','));
  });

  it('concurrencyPolicy Allow runs overlapping Jobs, Forbid skips while one runs, Replace swaps the running one', async () => {
    for (const policy of ['Allow', 'Forbid', 'Replace'] as const) await create(cronJob(policy.toLowerCase(), { concurrencyPolicy: policy }, { runMs: 600_000 }));
    await settle();
    const first = nextMinute();
    await advanceTo(first + 100);
    await until('one job each', async () => {
      for (const n of ['allow', 'forbid', 'replace']) if ((await jobsOf(n)).length !== 1) return false;
      return true;
    });
    const replacedUid = (await jobsOf('replace'))[0]?.metadata.uid;
    await settle();
    await advanceTo(first + MINUTE + 100);
    await until('allow runs two', async () => (await jobsOf('allow')).length === 2);
    const replace = await until('replace swapped its job', async () => {
      const jobs = (await jobsOf('replace')).filter((j) => !j.metadata.deletionTimestamp);
      return jobs.length === 1 && jobs[0]?.metadata.uid !== replacedUid ? jobs : undefined;
    });
    assert.equal(replace[0]?.metadata.name, `replace-${(first + MINUTE) / MINUTE}`);
    const replaceCj = await until('replace status', async () => {
      const got = await getCron('replace');
      return got.status?.active?.length === 1 && got.status.active[0]?.uid === replace[0]?.metadata.uid ? got : undefined;
    });
    assert.ok(replaceCj);
    await until('forbid reported JobAlreadyActive', async () => (await eventsFor(c.client, 'CronJob', 'forbid')).some((e) => e.reason === 'JobAlreadyActive'));
    assert.equal((await jobsOf('forbid')).length, 1, 'Forbid started nothing while its Job runs');
    assert.equal((await getCron('allow')).status?.active?.length, 2);
  });

  it('keeps successfulJobsHistoryLimit and failedJobsHistoryLimit finished Jobs, deleting the oldest', async () => {
    await create(cronJob('keep', { successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 0 }));
    await create(cronJob('fails', { successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 1 }, { exitCode: 1 }));
    await settle();
    let due = nextMinute();
    for (let round = 0; round < 3; round++) {
      await advanceTo(due + 100);
      const name = `keep-${due / MINUTE}`;
      await until(`${name} complete`, async () => (await jobsOf('keep')).some((j) => j.metadata.name === name && conditionOf(j, 'Complete')));
      await until(`fails-${due / MINUTE} failed`, async () => (await jobsOf('fails')).some((j) => j.metadata.name === `fails-${due / MINUTE}` && conditionOf(j, 'Failed')));
      due += MINUTE;
    }
    // The last sync after the third completion trims to the limits.
    const keep = await until('one successful job kept', async () => {
      const jobs = (await jobsOf('keep')).filter((j) => !j.metadata.deletionTimestamp);
      return jobs.length === 1 ? jobs : undefined;
    });
    assert.equal(keep[0]?.metadata.name, `keep-${(due - MINUTE) / MINUTE}`, 'the newest is kept');
    const fails = await until('one failed job kept', async () => {
      const jobs = (await jobsOf('fails')).filter((j) => !j.metadata.deletionTimestamp);
      return jobs.length === 1 ? jobs : undefined;
    });
    assert.equal(fails[0]?.metadata.name, `fails-${(due - MINUTE) / MINUTE}`);
    assert.ok((await eventsFor(c.client, 'CronJob', 'keep')).some((e) => e.reason === 'SuccessfulDelete'));
  });

  it('after more than 100 missed times warns TooManyMissedTimes and runs only the latest; suspend holds everything', async () => {
    await create(cronJob('late', { suspend: true }));
    await settle();
    await clock.advance(150 * MINUTE + 5_000);
    await settle();
    assert.equal((await jobsOf('late')).length, 0, 'a suspended CronJob starts nothing');
    await c.client.patch({ ...CRON_JOBS, namespace: 'default', name: 'late' }, 'merge', { spec: { suspend: false } });
    const jobs = await until('the latest missed run', async () => {
      const list = await jobsOf('late');
      return list.length > 0 ? list : undefined;
    });
    assert.equal(jobs.length, 1, 'only one of the missed times runs');
    assert.equal(jobs[0]?.metadata.name, `late-${Math.floor(clock.now() / MINUTE)}`);
    const warning = (await eventsFor(c.client, 'CronJob', 'late')).find((e) => e.reason === 'TooManyMissedTimes');
    assert.equal(warning?.type, 'Warning');
  });

  it('startingDeadlineSeconds: a run missed by more than the deadline is skipped, the next one runs', async () => {
    await create(cronJob('deadline', { suspend: true, startingDeadlineSeconds: 10 }));
    await settle();
    const missed = nextMinute();
    await advanceTo(missed + 30_000);
    await c.client.patch({ ...CRON_JOBS, namespace: 'default', name: 'deadline' }, 'merge', { spec: { suspend: false } });
    await settle();
    assert.equal((await jobsOf('deadline')).length, 0, 'the run 30 s late is past a 10 s deadline');
    await advanceTo(missed + MINUTE + 100);
    const jobs = await until('the next run', async () => {
      const list = await jobsOf('deadline');
      return list.length > 0 ? list : undefined;
    });
    assert.equal(jobs[0]?.metadata.name, `deadline-${(missed + MINUTE) / MINUTE}`);
  });

  it('a schedule the controller could not parse (six fields) is refused by the API with the field path', async () => {
    await assert.rejects(create(cronJob('bad', { schedule: '0 0 * * * *' })), (err: unknown) => {
      const status = (err as { status?: { code?: number; details?: { causes?: { field?: string }[] } } }).status;
      return status?.code === 422 && status.details?.causes?.[0]?.field === 'spec.schedule';
    });
  });
});
