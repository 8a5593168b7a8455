// The TTL-after-finished controller with the Job controller against a real in-process API server.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { exists, startTestCluster, until, type TestCluster } from '../../../test/support/cluster.ts';
import { conditionOf, fastJobController, getJob, simJob } from '../job/job-test-support.ts';
import { JOBS } from '../util/refs.ts';

describe('ttl-after-finished controller', { timeout: 60_000 }, () => {
  let c: TestCluster;
  before(async () => {
    c = await startTestCluster({ controllers: [fastJobController(), 'ttl-after-finished'] });
  });
  after(async () => {
    await c?.stop();
  });

  const ref = (name: string) => ({ ...JOBS, namespace: 'default', name });
  const complete = (name: string) => until(`${name} complete`, async () => conditionOf(await getJob(c.client, name), 'Complete'));

  it('deletes a finished Job once its TTL ran out, and not before', async () => {
    await c.client.create({ ...JOBS, namespace: 'default' }, simJob('ttl0', { ttlSecondsAfterFinished: 0 }, { runMs: 50 }));
    await c.client.create({ ...JOBS, namespace: 'default' }, simJob('ttl3', { ttlSecondsAfterFinished: 3 }, { runMs: 50 }));
    await c.client.create({ ...JOBS, namespace: 'default' }, simJob('keep', {}, { runMs: 50 }));
    await until('ttl0 deleted', async () => !(await exists(c.client, ref('ttl0'))));
    const finished = await complete('ttl3');
    const finishedAt = Date.parse(finished.lastTransitionTime ?? '');
    // The TTL counts from the Complete condition (second resolution): until 3 s after it, the Job stays.
    if (Date.now() < finishedAt + 2_500) assert.ok(await exists(c.client, ref('ttl3')), 'still there within its TTL');
    await until('ttl3 deleted', async () => !(await exists(c.client, ref('ttl3'))), 10_000);
    assert.ok(Date.now() >= finishedAt + 3_000, 'deleted only after the TTL');
    await complete('keep');
    assert.ok(await exists(c.client, ref('keep')), 'a Job without TTL stays');
  });

  it('a TTL added to a finished Job applies at once', async () => {
    await c.client.create({ ...JOBS, namespace: 'default' }, simJob('later', {}, { runMs: 50 }));
    await complete('later');
    await c.client.patch(ref('later'), 'merge', { spec: { ttlSecondsAfterFinished: 0 } });
    await until('later deleted', async () => !(await exists(c.client, ref('later'))));
  });
});
