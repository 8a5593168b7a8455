import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../api/types.ts';
import { FakeClock } from '../client/index.ts';
import type { Pod } from './api-types.ts';
import { schedulerHandlers } from './event-handlers.ts';
import type { BindPlugin } from './framework/interface.ts';
import { staticListers } from './framework/listers.ts';
import { Status } from './framework/status.ts';
import { Names } from './plugins/names.ts';
import { inTreeRegistry } from './plugins/registry.ts';
import { resolveConfig } from './profile/config.ts';
import { Scheduler } from './scheduler.ts';
import { makeNode, makePod } from './testing/fixtures.ts';

/** A binder whose calls the test settles by hand. */
function manualBinder() {
  const calls: { pod: string; node: string; settle: (s: Status | undefined) => void }[] = [];
  const plugin: BindPlugin = {
    name: Names.DefaultBinder,
    bind: (_state, pod, node) => new Promise((settle) => calls.push({ pod: pod.pod.metadata.name!, node, settle })),
  };
  return { calls, plugin };
}

function setup(profiles: object[] = [{}]) {
  const objects: KubeObject[] = [];
  const binder = manualBinder();
  const registry = inTreeRegistry();
  registry.set(Names.DefaultBinder, () => binder.plugin);
  const clock = new FakeClock(1_000_000);
  const config = resolveConfig({ apiVersion: 'kubescheduler.config.k8s.io/v1', kind: 'KubeSchedulerConfiguration', profiles });
  const s = new Scheduler({ config, registry, clock, listers: staticListers(objects) });
  const h = schedulerHandlers(s);
  const addPod = (p: Pod) => {
    objects.push(p);
    h.onPodAdd(p);
  };
  /** Pops and schedules everything in the active queue. */
  const drain = async () => {
    while (s.queue.counts.active > 0) s.scheduleOne((await s.queue.pop())!);
    // Let the binding cycles reach Bind.
    await new Promise((r) => setImmediate(r));
  };
  return { s, h, objects, binder, clock, addPod, drain };
}

test('an assumed pod holds its resources while its bind is in flight', async () => {
  const { s, h, binder, addPod, drain } = setup();
  h.onNodeAdd(makeNode('n', { cpu: '4' }));
  addPod(makePod('a', { cpu: '3' }));
  addPod(makePod('b', { cpu: '3' }));
  await drain();
  assert.deepEqual(binder.calls.map((c) => [c.pod, c.node]), [['a', 'n']]);
  assert.equal(s.metrics.unschedulable, 1, 'b does not fit next to the assumed a');
  assert.equal(s.cache.assumedCount, 1);
  binder.calls[0]!.settle(undefined);
  await s.idle();
  assert.equal(s.metrics.scheduled, 1);
});

test('a failed bind forgets the assumed pod and retries it after backoff', async () => {
  const { s, h, binder, clock, addPod, drain } = setup();
  h.onNodeAdd(makeNode('n', { cpu: '4' }));
  const pod = makePod('a', { cpu: '3' });
  addPod(pod);
  await drain();
  binder.calls[0]!.settle(Status.error(Names.DefaultBinder, new Error('etcd hiccup')));
  await s.idle();
  assert.equal(s.cache.assumedCount, 0);
  assert.equal(s.cache.nodeInfo('n')!.requested.milliCPU, 0, 'the node is free again');
  assert.equal(s.queue.where(pod.metadata.uid!), 'backoff');
  await clock.advance(1000);
  await drain();
  assert.equal(binder.calls.length, 2);
});

test('pods for other schedulers are left alone; each profile schedules its own', async () => {
  const { s, h, binder, addPod, drain } = setup([{ schedulerName: 'default-scheduler' }, { schedulerName: 'batch', plugins: { score: { disabled: [{ name: '*' }] } } }]);
  h.onNodeAdd(makeNode('n'));
  addPod(makePod('mine'));
  addPod(makePod('batch-pod', { spec: { schedulerName: 'batch' } }));
  addPod(makePod('theirs', { spec: { schedulerName: 'someone-else' } }));
  await drain();
  assert.deepEqual(binder.calls.map((c) => c.pod).sort(), ['batch-pod', 'mine']);
  assert.equal(s.queue.counts.unschedulable + s.queue.counts.backoff + s.queue.counts.active, 0);
});

test('a bound pod seen by the informer confirms the assumption; its deletion frees the node for waiting pods', async () => {
  const { s, h, binder, addPod, drain, clock } = setup();
  h.onNodeAdd(makeNode('n', { cpu: '4' }));
  const a = makePod('a', { cpu: '3' });
  addPod(a);
  const b = makePod('b', { cpu: '3' });
  addPod(b);
  await drain();
  binder.calls[0]!.settle(undefined);
  await s.idle();
  const bound = { ...a, spec: { ...a.spec, nodeName: 'n' } };
  h.onPodUpdate(a, bound);
  assert.equal(s.cache.assumedCount, 0);
  assert.equal(s.queue.where(b.metadata.uid!), 'unschedulable');
  h.onPodDelete(bound);
  assert.equal(s.queue.where(b.metadata.uid!), 'backoff', 'NodeResourcesFit registered assigned-pod deletes');
  await clock.advance(1000);
  await drain();
  assert.deepEqual(binder.calls.map((c) => c.pod), ['a', 'b']);
});
