// The Job controller against a real in-process API server with the PodDriver playing kubelet:
// parallelism and completions, Indexed Jobs, status counters, the tracking finalizer, events.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestCluster, until, type TestCluster } from '../../../test/support/cluster.ts';
import { JOBS } from '../util/refs.ts';
import { conditionOf, eventsFor, fastJobController, getJob, jobPods, simJob, trackMaxActive } from './job-test-support.ts';
import { JOB_COMPLETION_INDEX, JOB_TRACKING_FINALIZER } from './types.ts';

describe('job controller', { timeout: 60_000 }, () => {
  let c: TestCluster;
  before(async () => {
    c = await startTestCluster({ controllers: [fastJobController()] });
  });
  after(async () => {
    await c?.stop();
  });

  const events = (name: string) => eventsFor(c.client, 'Job', name);

  it('runs completions 5 with parallelism 2, never more than 2 at once, and completes', async () => {
    const tracker = trackMaxActive(c.client, 'five');
    await c.client.create({ ...JOBS, namespace: 'default' }, simJob('five', { completions: 5, parallelism: 2 }, { runMs: 150 }));
    const done = await until('job five complete', async () => {
      const job = await getJob(c.client, 'five');
      return conditionOf(job, 'Complete') ? job : undefined;
    });
    tracker.stop();
    assert.equal(done.status?.succeeded, 5);
    assert.equal(done.status?.failed, undefined);
    assert.equal(done.status?.active, undefined);
    assert.equal(done.status?.ready, 0);
    assert.equal(done.status?.terminating, 0);
    assert.deepEqual(done.status?.uncountedTerminatedPods, {});
    assert.ok(done.status?.startTime && done.status.completionTime, 'startTime and completionTime are set');
    assert.ok(Date.parse(done.status.completionTime) >= Date.parse(done.status.startTime));
    assert.equal(conditionOf(done, 'SuccessCriteriaMet')?.reason, 'CompletionsReached');
    assert.equal(conditionOf(done, 'Complete')?.reason, 'CompletionsReached');
    assert.ok(tracker.max() >= 1 && tracker.max() <= 2, `at most 2 pods ran at once (saw ${tracker.max()})`);
    const pods = await jobPods(c.client, 'five');
    assert.equal(pods.filter((p) => p.status?.phase === 'Succeeded').length, 5);
    for (const p of pods) {
      assert.ok(!p.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER), `finalizer removed from ${p.metadata.name}`);
      assert.match(p.metadata.name ?? '', /^five-[a-z0-9]{5}$/);
      assert.equal(p.metadata.labels?.['batch.kubernetes.io/job-name'], 'five');
      assert.equal(p.metadata.labels?.['batch.kubernetes.io/controller-uid'], done.metadata.uid);
      assert.equal(p.metadata.ownerReferences?.[0]?.uid, done.metadata.uid);
    }
    const evs = await until('Completed event', async () => {
      const list = await events('five');
      return list.some((e) => e.reason === 'Completed') ? list : undefined;
    });
    assert.ok(evs.some((e) => e.reason === 'SuccessfulCreate' && /^Created pod: five-/.test(e.message ?? '')));
  });

  it('keeps the tracking finalizer on running pods and reports active and ready', async () => {
    await c.client.create({ ...JOBS, namespace: 'default' }, simJob('long', { completions: 2, parallelism: 2 }, { runMs: 60_000 }));
    const running = await until('2 active and ready', async () => {
      const job = await getJob(c.client, 'long');
      return job.status?.active === 2 && job.status.ready === 2 ? job : undefined;
    });
    assert.ok(running.status?.startTime);
    const pods = await jobPods(c.client, 'long');
    assert.equal(pods.length, 2);
    for (const p of pods) assert.ok(p.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER));
    await c.client.delete({ ...JOBS, namespace: 'default', name: 'long' }, { propagationPolicy: 'Background' });
    // With the Job gone, its pods are orphans: the controller takes their finalizers off.
    await until('finalizers removed from orphaned pods', async () => {
      const left = await jobPods(c.client, 'long');
      return left.every((p) => !p.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER));
    });
  });

  it('runs an Indexed Job: one pod per index with index annotation, label, env, hostname and name', async () => {
    await c.client.create({ ...JOBS, namespace: 'default' }, simJob('idx', { completions: 4, parallelism: 4, completionMode: 'Indexed' }, { runMs: 100 }));
    const done = await until('indexed job complete', async () => {
      const job = await getJob(c.client, 'idx');
      return conditionOf(job, 'Complete') ? job : undefined;
    });
    assert.equal(done.status?.completedIndexes, '0-3');
    assert.equal(done.status?.succeeded, 4);
    const pods = await jobPods(c.client, 'idx');
    const indexes = pods.map((p) => p.metadata.annotations?.[JOB_COMPLETION_INDEX]).sort();
    assert.deepEqual(indexes, ['0', '1', '2', '3']);
    for (const p of pods) {
      const ix = p.metadata.annotations?.[JOB_COMPLETION_INDEX];
      assert.equal(p.metadata.labels?.[JOB_COMPLETION_INDEX], ix);
      assert.equal(p.spec?.['hostname'], `idx-${ix}`);
      assert.match(p.metadata.name ?? '', new RegExp(`^idx-${ix}-[a-z0-9]{5}$`));
      const env = (p.spec?.['containers'] as { env?: { name: string; valueFrom?: { fieldRef?: { fieldPath?: string } } }[] }[])[0]?.env ?? [];
      assert.equal(env.find((e) => e.name === 'JOB_COMPLETION_INDEX')?.valueFrom?.fieldRef?.fieldPath, "metadata.annotations['batch.kubernetes.io/job-completion-index']");
    }
  });

  it('an Indexed Job whose index keeps failing hits backoffLimit; completedIndexes keeps the successes', async () => {
    // Index 1 always fails; with backoffLimit 1 the Job fails after two failures, keeping index 0 and 2.
    await c.client.create(
      { ...JOBS, namespace: 'default' },
      simJob('idxfail', { completions: 3, parallelism: 3, completionMode: 'Indexed', backoffLimit: 1 }, { runMs: 100, annotations: { 'sim.strata.dev/exit-code-by-index': '1=1' } }),
    );
    const failed = await until('indexed job failed', async () => {
      const job = await getJob(c.client, 'idxfail');
      return conditionOf(job, 'Failed') ? job : undefined;
    });
    assert.equal(conditionOf(failed, 'Failed')?.reason, 'BackoffLimitExceeded');
    assert.equal(failed.status?.failed, 2);
    assert.equal(failed.status?.completedIndexes, '0,2');
  });

  it('a Job without completions completes when one pod succeeded and the others stopped', async () => {
    await c.client.create({ ...JOBS, namespace: 'default' }, simJob('queue', { parallelism: 2 }, { runMs: 100 }));
    const done = await until('work queue job complete', async () => {
      const job = await getJob(c.client, 'queue');
      return conditionOf(job, 'Complete') ? job : undefined;
    });
    assert.ok((done.status?.succeeded ?? 0) >= 1);
    assert.equal(done.status?.active, undefined);
  });
});
