import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../client/clock.ts';
import { ContainerBackoff } from './pod-backoff.ts';
import { observePod, RuntimeRelister } from './pod-observe.ts';
import { PodWorker } from './pod-worker.ts';
import { FakeRuntime } from './testing/fake-runtime.ts';
import { makePod } from './testing/pod-fixtures.ts';

class CountingRuntime extends FakeRuntime {
  lists = 0;
  override async listContainers(...args: Parameters<FakeRuntime['listContainers']>) {
    this.lists++;
    return super.listContainers(...args);
  }
}

test('observePod finds the pod by its uid label, sandboxes included', async () => {
  const clock = new FakeClock(0);
  const rt = new FakeRuntime(clock);
  const a = new PodWorker(makePod({}), { runtime: rt, clock, hostIP: 'h', statusWriter: () => undefined });
  const b = new PodWorker(makePod({}, { uid: 'uid-2', name: 'other' }), { runtime: rt, clock, hostIP: 'h', statusWriter: () => undefined });
  a.start();
  b.start();
  await a.idle();
  await b.idle();
  const state = await observePod(rt, 'uid-1');
  assert.equal(state.sandboxes.length, 1);
  assert.deepEqual(state.containers.map((c) => c.metadata.name), ['app']);
  assert.equal(state.containers[0]!.podSandboxId, state.sandboxes[0]!.id);
  a.dispose();
  b.dispose();
});

test('the relister lists once for many workers and again after an invalidation', async () => {
  const clock = new FakeClock(0);
  const rt = new CountingRuntime(clock);
  const relister = new RuntimeRelister(rt, clock, 1000);
  await Promise.all([relister.observe('a'), relister.observe('b'), relister.observe('c')]);
  assert.equal(rt.lists, 1);
  await relister.observe('a');
  assert.equal(rt.lists, 1);
  relister.invalidate();
  await relister.observe('a');
  assert.equal(rt.lists, 2);
  await clock.advance(1000);
  await relister.observe('a');
  assert.equal(rt.lists, 3);
});

test('workers sharing a relister start each pod once', async () => {
  const clock = new FakeClock(0);
  const rt = new CountingRuntime(clock);
  const relister = new RuntimeRelister(rt, clock, 1000);
  const backoff = new ContainerBackoff(clock);
  const workers = Array.from({ length: 5 }, (_, i) => new PodWorker(makePod({}, { uid: `u${i}`, name: `p${i}` }), {
    runtime: rt, clock, hostIP: 'h', statusWriter: () => undefined, relister, backoff,
  }));
  for (const w of workers) w.start();
  for (let i = 0; i < 5; i++) {
    await clock.advance(1000);
    for (const w of workers) await w.idle();
  }
  assert.equal(rt.sandboxes.size, 5);
  assert.equal(rt.containers.size, 5);
  assert.ok(workers.every((w) => w.status?.['phase'] === 'Running'));
  // 5 workers × 5 relist periods: far fewer lists than one per worker per sync
  assert.ok(rt.lists < 25, `lists: ${rt.lists}`);
  for (const w of workers) w.dispose();
});
