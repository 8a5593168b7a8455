import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../client/index.ts';
import type { Node } from '../api-types.ts';
import { ActionType, QueueingHint, type ClusterEvent } from '../framework/events.ts';
import type { RegisteredHint } from '../framework/framework.ts';
import type { QueuedPodInfo } from '../framework/interface.ts';
import { PodInfo } from '../framework/pod-info.ts';
import { Status, SUCCESS } from '../framework/status.ts';
import { newPrioritySort } from '../plugins/priority-sort/priority-sort.ts';
import { makeNode, makePod } from '../testing/fixtures.ts';
import { SchedulingQueue } from './scheduling-queue.ts';

const nodeAdd: ClusterEvent = { resource: 'Node', actionType: ActionType.Add, label: 'NodeAdd' };

function setup(hints: RegisteredHint[] = []) {
  const clock = new FakeClock(1_000_000);
  const sort = newPrioritySort();
  const q = new SchedulingQueue({ less: (a, b) => sort.less(a, b), clock, hints: () => hints });
  return { clock, q };
}

async function popAll(q: SchedulingQueue): Promise<string[]> {
  const out: string[] = [];
  while (q.counts.active > 0) out.push((await q.pop())!.podInfo.pod.metadata.name!);
  return out;
}

/** Pops the pod and reports it as rejected by `plugins`. */
async function failWith(q: SchedulingQueue, ...plugins: string[]): Promise<QueuedPodInfo> {
  const qpi = (await q.pop())!;
  qpi.unschedulablePlugins = new Set(plugins);
  q.addUnschedulable(qpi);
  return qpi;
}

test('activeQ pops by priority, then by time of arrival', async () => {
  const { clock, q } = setup();
  q.add(new PodInfo(makePod('low-1', { priority: 1 })));
  await clock.advance(10);
  q.add(new PodInfo(makePod('high', { priority: 100 })));
  await clock.advance(10);
  q.add(new PodInfo(makePod('low-0', { priority: 1 })));
  q.add(new PodInfo(makePod('mid', { priority: 50 })));
  assert.deepEqual(await popAll(q), ['high', 'mid', 'low-1', 'low-0']);
});

test('backoff doubles per attempt from 1 s and is capped at 10 s', () => {
  const { q } = setup();
  const qpi = { attempts: 0, timestamp: 0 } as QueuedPodInfo;
  const durations = [0, 1, 2, 3, 4, 5, 6, 9].map((attempts) => q.backoffDuration({ ...qpi, attempts }));
  assert.deepEqual(durations, [0, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
});

test('an errored pod waits out its backoff, then returns to activeQ', async () => {
  const { clock, q } = setup();
  q.add(new PodInfo(makePod('p')));
  const qpi = (await q.pop())!;
  qpi.failedWithError = true;
  q.addUnschedulable(qpi);
  assert.equal(q.where(qpi.podInfo.uid), 'backoff');
  await clock.advance(999);
  assert.equal(q.where(qpi.podInfo.uid), 'backoff');
  await clock.advance(1);
  assert.equal(q.where(qpi.podInfo.uid), 'active');
  // Second failure: 2 s.
  const again = (await q.pop())!;
  again.failedWithError = true;
  q.addUnschedulable(again);
  await clock.advance(1999);
  assert.equal(q.where(qpi.podInfo.uid), 'backoff');
  await clock.advance(1);
  assert.equal(q.where(qpi.podInfo.uid), 'active');
});

test('unschedulable pods move only on events their rejecting plugins registered, and only when the hint says Queue', async () => {
  const hints: RegisteredHint[] = [
    { event: nodeAdd, plugin: 'NodeAffinity', hint: (_p, _o, n) => ((n as Node).metadata.labels?.['disk'] === 'ssd' ? QueueingHint.Queue : QueueingHint.Skip) },
    { event: { resource: 'AssignedPod', actionType: ActionType.Delete }, plugin: 'NodeResourcesFit', hint: undefined },
  ];
  const { clock, q } = setup(hints);
  q.add(new PodInfo(makePod('wants-ssd')));
  const affinity = await failWith(q, 'NodeAffinity');
  q.add(new PodInfo(makePod('wants-cpu')));
  const fit = await failWith(q, 'NodeResourcesFit');
  assert.equal(q.counts.unschedulable, 2);

  q.moveOnEvent(nodeAdd, undefined, makeNode('hdd', { labels: { disk: 'hdd' } }));
  assert.equal(q.counts.unschedulable, 2, 'hint said Skip');
  q.moveOnEvent({ resource: 'Node', actionType: ActionType.UpdateNodeCondition }, makeNode('x'), makeNode('x'));
  assert.equal(q.counts.unschedulable, 2, 'nobody registered node condition updates');

  q.moveOnEvent(nodeAdd, undefined, makeNode('ssd', { labels: { disk: 'ssd' } }));
  assert.equal(q.where(affinity.podInfo.uid), 'backoff', 'moved, still backing off (1 s after its failure)');
  assert.equal(q.where(fit.podInfo.uid), 'unschedulable');
  await clock.advance(1000);
  assert.equal(q.where(affinity.podInfo.uid), 'active');

  q.moveOnEvent({ resource: 'AssignedPod', actionType: ActionType.Delete }, makePod('gone', { node: 'n' }), undefined);
  assert.equal(q.where(fit.podInfo.uid), 'active', 'its backoff has already expired');
});

test('pods left in the unschedulable pool are flushed after 5 minutes, not before', async () => {
  const { clock, q } = setup();
  q.run();
  q.add(new PodInfo(makePod('p')));
  const qpi = await failWith(q, 'NodeResourcesFit');
  await clock.advance(4 * 60_000 + 59_000);
  assert.equal(q.where(qpi.podInfo.uid), 'unschedulable');
  await clock.advance(31_000);
  assert.equal(q.where(qpi.podInfo.uid), 'active');
  q.close();
});

test('an event that arrives while the pod is being scheduled is not lost', async () => {
  const hints: RegisteredHint[] = [{ event: nodeAdd, plugin: 'NodeResourcesFit', hint: undefined }];
  const { q } = setup(hints);
  q.add(new PodInfo(makePod('p')));
  const qpi = (await q.pop())!;
  q.moveOnEvent(nodeAdd, undefined, makeNode('new'));
  qpi.unschedulablePlugins = new Set(['NodeResourcesFit']);
  q.addUnschedulable(qpi);
  assert.equal(q.where(qpi.podInfo.uid), 'backoff');
});

test('PreEnqueue gates a pod until an update lifts the gate', async () => {
  const gate = (pi: PodInfo) => ((pi.pod.spec?.schedulingGates?.length ?? 0) > 0 ? Status.unresolvable('SchedulingGates', 'gated') : SUCCESS);
  const clock = new FakeClock();
  const sort = newPrioritySort();
  const hints: RegisteredHint[] = [{ event: { resource: 'UnscheduledPod', actionType: ActionType.UpdatePodSchedulingGatesEliminated }, plugin: 'SchedulingGates', hint: undefined }];
  const q = new SchedulingQueue({ less: (a, b) => sort.less(a, b), clock, preEnqueue: gate, hints: () => hints });
  const gated = makePod('g', { spec: { schedulingGates: [{ name: 'wait' }] } });
  q.add(new PodInfo(gated));
  assert.equal(q.where(gated.metadata.uid!), 'unschedulable');
  const open = { ...gated, spec: { ...gated.spec, schedulingGates: [] } };
  q.update(new PodInfo(gated), new PodInfo(open));
  assert.equal(q.where(gated.metadata.uid!), 'active');
});

test('ungate lets a pod in once its PreEnqueue plugin admits it, and leaves rejected pods alone', async () => {
  let preempting = true;
  const gate = () => (preempting ? Status.unresolvable('DefaultPreemption', 'waiting') : SUCCESS);
  const sort = newPrioritySort();
  const q = new SchedulingQueue({ less: (a, b) => sort.less(a, b), clock: new FakeClock(), preEnqueue: gate });
  const gated = new PodInfo(makePod('g'));
  q.add(gated);
  q.ungate([gated]);
  assert.equal(q.where(gated.uid), 'unschedulable', 'still gated');
  preempting = false;
  q.add(new PodInfo(makePod('r')));
  const rejected = await failWith(q, 'NodeResourcesFit');
  q.ungate([gated, rejected.podInfo]);
  assert.equal(q.where(gated.uid), 'active');
  assert.equal(q.where(rejected.podInfo.uid), 'unschedulable', 'a plugin rejection waits for its events');
});
