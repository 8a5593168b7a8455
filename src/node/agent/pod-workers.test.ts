import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../client/clock.ts';
import { PodWorkers } from './pod-workers.ts';
import { FakeRuntime } from './testing/fake-runtime.ts';
import { makePod } from './testing/pod-fixtures.ts';

async function settle(clock: FakeClock, workers: PodWorkers, ms = 0): Promise<void> {
  await clock.advance(ms);
  for (const uid of workers.uids()) await workers.get(uid)!.idle();
}

test('one worker per uid; remove cleans up; orphans go; a new set re-adopts', async () => {
  const clock = new FakeClock(0);
  const rt = new FakeRuntime(clock);
  const written: string[] = [];
  const deps = { runtime: rt, clock, hostIP: 'h', statusWriter: (p: { metadata: { name?: string } }) => void written.push(p.metadata.name ?? '') };
  const workers = new PodWorkers(deps);
  const a = makePod({}, { uid: 'a', name: 'a' });
  const b = makePod({}, { uid: 'b', name: 'b' });
  workers.update(a);
  workers.update(b);
  workers.update(a);
  await settle(clock, workers, 1000);
  assert.deepEqual(workers.uids(), ['a', 'b']);
  assert.equal(rt.containers.size, 2);
  await workers.remove('b');
  assert.equal(rt.containers.size, 1);
  assert.equal(rt.sandboxes.size, 1);
  workers.dispose();

  // the agent restarts; the API now only knows pod a; something left over from pod z
  const sb = await rt.runPodSandbox({ metadata: { name: 'z', namespace: 'default', uid: 'z', attempt: 0 }, hostname: 'z', hostNetwork: false, labels: {}, annotations: {} });
  await rt.createContainer(sb, { metadata: { name: 'c', attempt: 0 }, image: { image: 'x' }, labels: { 'io.kubernetes.pod.uid': 'z' }, annotations: {} }, { metadata: { name: 'z', namespace: 'default', uid: 'z', attempt: 0 }, hostname: 'z', hostNetwork: false, labels: {}, annotations: {} });
  const again = new PodWorkers(deps);
  const before = rt.calls.length;
  again.update(a);
  await settle(clock, again, 1000);
  assert.deepEqual(await again.cleanupOrphans(['a']), ['z']);
  assert.equal(rt.containers.size, 1);
  assert.ok(!rt.calls.slice(before).some((c) => c.startsWith('createContainer') || c.startsWith('runPodSandbox')), 'pod a re-adopted, not recreated');
  again.dispose();
});
