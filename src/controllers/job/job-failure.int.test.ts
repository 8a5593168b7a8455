// How Jobs end badly or pause, against a real in-process API server: backoffLimit, the pod
// failure policy, backoffLimitPerIndex with maxFailedIndexes, activeDeadlineSeconds, suspend.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestCluster, until, type TestCluster } from '../../../test/support/cluster.ts';
import type { Pod } from '../util/pods.ts';
import { JOBS, PODS } from '../util/refs.ts';
import { conditionOf, eventsFor, fastJobController, getJob, jobPods, simJob } from './job-test-support.ts';
import { JOB_TRACKING_FINALIZER, type Job } from './types.ts';

describe('job controller: failures, deadlines and suspension', { timeout: 90_000 }, () => {
  let c: TestCluster;
  before(async () => {
    c = await startTestCluster({ controllers: [fastJobController()] });
  });
  after(async () => {
    await c?.stop();
  });

  const create = (job: Job) => c.client.create({ ...JOBS, namespace: 'default' }, job);
  const waitFor = (name: string, type: string, ms = 15_000) =>
    until(`${name} ${type}`, async () => {
      const job = await getJob(c.client, name);
      return conditionOf(job, type) ? job : undefined;
    }, ms);
  const jobEvents = (name: string) => eventsFor(c.client, 'Job', name);

  it('fails with BackoffLimitExceeded after backoffLimit+1 failures', async () => {
    await create(simJob('crash', { backoffLimit: 2 }, { exitCode: 1, runMs: 50 }));
    const failed = await waitFor('crash', 'Failed');
    const cond = conditionOf(failed, 'Failed');
    assert.equal(cond?.reason, 'BackoffLimitExceeded');
    assert.equal(cond?.message, 'Job has reached the specified backoff limit');
    assert.equal(conditionOf(failed, 'FailureTarget')?.reason, 'BackoffLimitExceeded', 'the interim FailureTarget condition came first');
    assert.equal(failed.status?.failed, 3);
    assert.equal(failed.status?.succeeded, undefined);
    assert.equal(failed.status?.completionTime, undefined, 'a failed Job has no completionTime');
    const pods = await jobPods(c.client, 'crash');
    assert.equal(pods.length, 3, 'one pod per attempt');
    assert.ok(pods.every((p) => !p.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER)));
    const evs = await until('BackoffLimitExceeded event', async () => {
      const list = await jobEvents('crash');
      return list.some((e) => e.reason === 'BackoffLimitExceeded') ? list : undefined;
    });
    assert.equal(evs.find((e) => e.reason === 'BackoffLimitExceeded')?.type, 'Warning');
  });

  it('podFailurePolicy FailJob on an exit code fails the Job at the first such failure', async () => {
    await create(simJob('pfp', {
      completions: 3,
      parallelism: 1,
      backoffLimit: 6,
      podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { containerName: 'work', operator: 'In', values: [42] } }] },
    }, { exitCode: 42, runMs: 50 }));
    const failed = await waitFor('pfp', 'Failed');
    const cond = conditionOf(failed, 'Failed');
    assert.equal(cond?.reason, 'PodFailurePolicy');
    assert.match(cond?.message ?? '', /^Container work for pod default\/pfp-[a-z0-9]{5} failed with exit code 42 matching FailJob rule at index 0$/);
    assert.equal(failed.status?.failed, 1);
    assert.equal((await jobPods(c.client, 'pfp')).length, 1, 'no retry');
  });

  it('podFailurePolicy Ignore does not count failures against backoffLimit', async () => {
    // Every pod fails with 3, which is ignored: the Job keeps retrying past backoffLimit 0.
    await create(simJob('ignore', {
      backoffLimit: 0,
      podFailurePolicy: { rules: [{ action: 'Ignore', onExitCodes: { operator: 'In', values: [3] } }] },
    }, { exitCode: 3, runMs: 30 }));
    await until('three ignored failures', async () => (await jobPods(c.client, 'ignore')).filter((p) => p.status?.phase === 'Failed').length >= 3, 15_000);
    const job = await getJob(c.client, 'ignore');
    assert.equal(conditionOf(job, 'Failed'), undefined);
    assert.equal(job.status?.failed, undefined, 'ignored failures are not counted');
    await c.client.delete({ ...JOBS, namespace: 'default', name: 'ignore' });
  });

  it('backoffLimitPerIndex marks failed indexes and maxFailedIndexes fails the Job', async () => {
    await create(simJob('perindex', {
      completions: 4,
      parallelism: 4,
      completionMode: 'Indexed',
      backoffLimitPerIndex: 1,
      maxFailedIndexes: 1,
    }, { runMs: 50, annotations: { 'sim.strata.dev/exit-code-by-index': '1=1,3=1' } }));
    const failed = await waitFor('perindex', 'Failed', 20_000);
    assert.equal(conditionOf(failed, 'Failed')?.reason, 'MaxFailedIndexesExceeded');
    assert.equal(failed.status?.failedIndexes, '1,3');
    assert.equal(failed.status?.completedIndexes, '0,2');
    const pods = await jobPods(c.client, 'perindex');
    const retried = pods.filter((p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'] === '1');
    assert.equal(retried.length, 2, 'index 1 ran twice (one retry)');
    assert.deepEqual(retried.map((p) => p.metadata.annotations?.['batch.kubernetes.io/job-index-failure-count']).sort(), ['0', '1']);
  });

  it('backoffLimitPerIndex without maxFailedIndexes runs every index and then fails with FailedIndexes', async () => {
    await create(simJob('someidx', { completions: 3, parallelism: 3, completionMode: 'Indexed', backoffLimitPerIndex: 0 }, { runMs: 50, annotations: { 'sim.strata.dev/exit-code-by-index': '2=1' } }));
    const failed = await waitFor('someidx', 'Failed');
    assert.equal(conditionOf(failed, 'Failed')?.reason, 'FailedIndexes');
    assert.equal(failed.status?.failedIndexes, '2');
    assert.equal(failed.status?.completedIndexes, '0,1');
  });

  it('activeDeadlineSeconds fails a running Job with DeadlineExceeded and deletes its pods', async () => {
    await create(simJob('slow', { activeDeadlineSeconds: 1, parallelism: 2, completions: 2 }, { runMs: 60_000 }));
    const failed = await waitFor('slow', 'Failed');
    assert.equal(conditionOf(failed, 'Failed')?.reason, 'DeadlineExceeded');
    assert.equal(conditionOf(failed, 'Failed')?.message, 'Job was active longer than specified deadline');
    assert.equal(failed.status?.active, undefined);
    assert.equal(failed.status?.failed, 2, 'the pods killed at the deadline count as failed');
    await until('pods gone', async () => (await jobPods(c.client, 'slow')).length === 0);
    const evs = await jobEvents('slow');
    assert.ok(evs.some((e) => e.reason === 'DeadlineExceeded' && e.type === 'Warning'));
  });

  it('suspend deletes the active pods and sets Suspended; resume starts over with a new startTime', async () => {
    await create(simJob('pause', { completions: 2, parallelism: 2 }, { runMs: 60_000 }));
    const started = await until('2 active', async () => {
      const job = await getJob(c.client, 'pause');
      return job.status?.active === 2 ? job : undefined;
    });
    await c.client.patch({ ...JOBS, namespace: 'default', name: 'pause' }, 'merge', { spec: { suspend: true } });
    const suspended = await until('suspended with no pods', async () => {
      const job = await getJob(c.client, 'pause');
      const pods = await jobPods(c.client, 'pause');
      return conditionOf(job, 'Suspended') && !job.status?.active && pods.length === 0 ? job : undefined;
    });
    assert.equal(conditionOf(suspended, 'Suspended')?.reason, 'JobSuspended');
    assert.equal(suspended.status?.failed, undefined, 'pods deleted for suspension are not failures');
    await new Promise((r) => setTimeout(r, 1100));
    await c.client.patch({ ...JOBS, namespace: 'default', name: 'pause' }, 'merge', { spec: { suspend: false } });
    const resumed = await until('resumed with 2 active', async () => {
      const job = await getJob(c.client, 'pause');
      return job.status?.active === 2 && job.status.conditions?.some((x) => x.type === 'Suspended' && x.status === 'False') ? job : undefined;
    });
    assert.equal(resumed.status?.conditions?.find((x) => x.type === 'Suspended')?.reason, 'JobResumed');
    assert.ok(Date.parse(resumed.status?.startTime ?? '') > Date.parse(started.status?.startTime ?? ''), 'startTime was reset on resume');
    const reasons = (await jobEvents('pause')).map((e) => e.reason);
    assert.ok(reasons.includes('Suspended') && reasons.includes('Resumed'));
    await c.client.delete({ ...JOBS, namespace: 'default', name: 'pause' });
  });

  it('a Job created suspended has no startTime and no pods until resumed', async () => {
    await create(simJob('later', { suspend: true }, { runMs: 50 }));
    const job = await waitFor('later', 'Suspended');
    assert.equal(job.status?.startTime, undefined);
    assert.equal((await jobPods(c.client, 'later')).length, 0);
    await c.client.patch({ ...JOBS, namespace: 'default', name: 'later' }, 'merge', { spec: { suspend: false } });
    const done = await waitFor('later', 'Complete');
    assert.ok(done.status?.startTime);
  });
});

describe('job controller: pod failure backoff', { timeout: 60_000 }, () => {
  let c: TestCluster;
  before(async () => {
    c = await startTestCluster({ controllers: [fastJobController({ backoffBaseMs: 1500, backoffMaxMs: 60_000 })] });
  });
  after(async () => {
    await c?.stop();
  });

  it('waits longer before each replacement of a failed pod (base, then double)', async () => {
    // Real times of each pod's creation and failure, from a watch.
    const createdAt = new Map<string, number>();
    const failedAt = new Map<string, number>();
    const ac = new AbortController();
    const watching = (async () => {
      try {
        for await (const ev of c.client.watch<Pod>({ ...PODS, namespace: 'default' }, { labelSelector: 'batch.kubernetes.io/job-name=backoff', signal: ac.signal })) {
          if (ev.type === 'ERROR' || ev.type === 'BOOKMARK') continue;
          const uid = ev.object.metadata.uid ?? '';
          if (!createdAt.has(uid)) createdAt.set(uid, Date.now());
          if (ev.object.status?.phase === 'Failed' && !failedAt.has(uid)) failedAt.set(uid, Date.now());
        }
      } catch {
        // Aborted.
      }
    })();
    await c.client.create({ ...JOBS, namespace: 'default' }, simJob('backoff', { backoffLimit: 2 }, { exitCode: 1, runMs: 50 }));
    await until('backoff failed', async () => conditionOf(await getJob(c.client, 'backoff'), 'Failed'), 20_000);
    ac.abort();
    await watching;
    const order = [...createdAt.entries()].sort((a, b) => a[1] - b[1]).map(([uid]) => uid);
    assert.equal(order.length, 3);
    const gap = (i: number): number => createdAt.get(order[i + 1]!)! - failedAt.get(order[i]!)!;
    // Finish times have second resolution, so a delay d shows as anything in (d - 1 s, d].
    assert.ok(gap(0) > 400, `first replacement after about 1.5 s (took ${gap(0)} ms)`);
    assert.ok(gap(1) > 1900, `second replacement after about 3 s (took ${gap(1)} ms)`);
    assert.ok(gap(1) > gap(0), 'the delay grows');
  });
});
