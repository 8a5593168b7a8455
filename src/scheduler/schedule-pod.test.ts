import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../client/index.ts';
import { Snapshot } from './cache/snapshot.ts';
import { CycleState } from './framework/cycle-state.ts';
import { FitError } from './framework/fit-error.ts';
import { Framework } from './framework/framework.ts';
import { staticListers } from './framework/listers.ts';
import { PodInfo } from './framework/pod-info.ts';
import { Status } from './framework/status.ts';
import { inTreeRegistry } from './plugins/registry.ts';
import { defaultConfig } from './profile/config.ts';
import { Algorithm, numFeasibleNodesToFind, type PhaseTimes } from './schedule-pod.ts';
import { makeNode, makePod } from './testing/fixtures.ts';

test('numFeasibleNodesToFind: all below 100 nodes, adaptive 50% - n/125 (at least 5%), never under 100', () => {
  assert.equal(numFeasibleNodesToFind(0, 50), 50);
  assert.equal(numFeasibleNodesToFind(0, 1000), 420);
  assert.equal(numFeasibleNodesToFind(0, 5000), 500);
  assert.equal(numFeasibleNodesToFind(0, 100_000), 5000);
  assert.equal(numFeasibleNodesToFind(0, 150), 100);
  assert.equal(numFeasibleNodesToFind(30, 1000), 300);
});

function setup(nodes: ReturnType<typeof makeNode>[]) {
  const snap = Snapshot.from(nodes);
  const fw = new Framework(defaultConfig().profiles[0]!, { registry: inTreeRegistry(), snapshot: () => snap, listers: staticListers(), nominator: { nominatedPodsForNode: () => [] }, clock: new FakeClock() });
  const times: PhaseTimes = { filterMicros: 0, scoreMicros: 0 };
  return { snap, fw, times };
}

test('Filter stops after enough feasible nodes and the next pod starts where it stopped', () => {
  const { snap, fw, times } = setup(Array.from({ length: 1000 }, (_, i) => makeNode(`n${i}`)));
  const alg = new Algorithm(0, () => 0.5);
  const r = alg.schedulePod(fw, new CycleState(), new PodInfo(makePod('p', { cpu: '1' })), snap, times);
  assert.ok(!(r instanceof FitError) && !(r instanceof Status));
  assert.equal(r.feasibleNodes, 420);
  assert.equal(r.evaluatedNodes, 420);
  assert.equal(alg.nextStartNodeIndex, 420);
  assert.ok(times.filterMicros > 0 && times.scoreMicros > 0);
  alg.schedulePod(fw, new CycleState(), new PodInfo(makePod('q', { cpu: '1' })), snap, times);
  assert.equal(alg.nextStartNodeIndex, 840);
});

test('a pod that fits nowhere yields a FitError with every node and the rejecting plugins', () => {
  const { snap, fw, times } = setup([makeNode('a', { cpu: '1' }), makeNode('b', { taints: [{ key: 'k', effect: 'NoSchedule' }] })]);
  const r = new Algorithm().schedulePod(fw, new CycleState(), new PodInfo(makePod('p', { cpu: '2' })), snap, times);
  assert.ok(r instanceof FitError);
  assert.equal(r.message, '0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {k: }.');
  assert.deepEqual([...r.diagnosis.unschedulablePlugins].sort(), ['NodeResourcesFit', 'TaintToleration']);
});

test('the nominated node is tried first and taken when it fits', () => {
  const { snap, fw, times } = setup(Array.from({ length: 10 }, (_, i) => makeNode(`n${i}`)));
  const pod = makePod('p');
  pod.status = { nominatedNodeName: 'n7' };
  const r = new Algorithm().schedulePod(fw, new CycleState(), new PodInfo(pod), snap, times);
  assert.ok(!(r instanceof FitError) && !(r instanceof Status));
  assert.equal(r.suggestedHost, 'n7');
});

test('no nodes: an unresolvable status with the upstream message', () => {
  const { snap, fw, times } = setup([]);
  const r = new Algorithm().schedulePod(fw, new CycleState(), new PodInfo(makePod('p')), snap, times);
  assert.ok(r instanceof Status);
  assert.equal(r.message, 'no nodes available to schedule pods');
});

test('batched Filter takes nodes in order as one at a time would: the same feasible nodes, statuses only for the nodes looked at', () => {
  // 300 nodes, every third one too small; 144 to find (48%): from node 10 on, node 225 is the 144th that fits.
  const { snap, fw, times } = setup(Array.from({ length: 300 }, (_, i) => makeNode(`n${i}`, { cpu: i % 3 === 2 ? '1' : '4' })));
  const alg = new Algorithm(0, () => 0.5);
  alg.nextStartNodeIndex = 10;
  const r = alg.schedulePod(fw, new CycleState(), new PodInfo(makePod('p', { cpu: '2' })), snap, times);
  assert.ok(!(r instanceof FitError) && !(r instanceof Status));
  assert.equal(r.feasibleNodes, 144);
  assert.equal(r.evaluatedNodes, 216, '144 feasible and the 72 too-small nodes among them, none after');
  assert.equal(alg.nextStartNodeIndex, 226);
});

test('nodes with nominated pods go through the two-pass check inside a batch', () => {
  const nodes = Array.from({ length: 20 }, (_, i) => makeNode(`n${i}`, { cpu: '2' }));
  const snap = Snapshot.from(nodes);
  // A nominated pod of higher priority takes n3's room: a 2-CPU pod fits everywhere but n3.
  const nominated = new PodInfo(makePod('big', { cpu: '2', priority: 100 }), 100);
  const nominator = { nominatedPodsForNode: (name: string) => (name === 'n3' ? [nominated] : []), size: 1 };
  const fw = new Framework(defaultConfig().profiles[0]!, { registry: inTreeRegistry(), snapshot: () => snap, listers: staticListers(), nominator, clock: new FakeClock() });
  const r = new Algorithm(100).schedulePod(fw, new CycleState(), new PodInfo(makePod('p', { cpu: '2' })), snap, { filterMicros: 0, scoreMicros: 0 });
  assert.ok(!(r instanceof FitError) && !(r instanceof Status));
  assert.equal(r.feasibleNodes, 19);
  assert.notEqual(r.suggestedHost, 'n3');
});
