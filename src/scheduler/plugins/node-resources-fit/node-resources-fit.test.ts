import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NodeInfo } from '../../cache/node-info.ts';
import { CycleState } from '../../framework/cycle-state.ts';
import { PodInfo } from '../../framework/pod-info.ts';
import { Code } from '../../framework/status.ts';
import { filterAll, makeNode, makePod, scoreAll, snapshotOf } from '../../testing/fixtures.ts';
import { newNodeResourcesFit } from './node-resources-fit.ts';
import { brokenLinear } from './scoring.ts';

test('Filter reports each missing resource; over-capacity requests are unresolvable', () => {
  const snap = snapshotOf(
    [makeNode('small', { cpu: '1', memory: '1Gi' }), makeNode('busy', { cpu: '4', memory: '8Gi' }), makeNode('big', { cpu: '8', memory: '16Gi' })],
    [makePod('hog', { node: 'busy', cpu: '3500m', memory: '7Gi' })],
  );
  const fit = newNodeResourcesFit({});
  const pod = makePod('p', { cpu: '2', memory: '2Gi' });
  assert.deepEqual(filterAll(fit, pod, snap), { small: 'Insufficient cpu, Insufficient memory', busy: 'Insufficient cpu, Insufficient memory', big: '' });
  const state = new CycleState();
  assert.equal(fit.filter(state, new PodInfo(pod), snap.get('small')!)?.code, Code.UnschedulableAndUnresolvable);
  assert.equal(fit.filter(state, new PodInfo(pod), snap.get('busy')!)?.code, Code.Unschedulable, 'preemption could free it');
});

test('Filter counts pod slots and extended resources, and honours ignoredResources', () => {
  const snap = snapshotOf([makeNode('n', { pods: '1', allocatable: { 'example.com/gpu': '1' } })], [makePod('a', { node: 'n' })]);
  const pod = makePod('p', { requests: { 'example.com/gpu': '2' } });
  assert.deepEqual(filterAll(newNodeResourcesFit({}), pod, snap), { n: 'Too many pods, Insufficient example.com/gpu' });
  assert.deepEqual(filterAll(newNodeResourcesFit({ ignoredResources: ['example.com/gpu'] }), pod, snap), { n: 'Too many pods' });
});

test('init containers count at their peak', () => {
  const snap = snapshotOf([makeNode('n', { cpu: '1' })]);
  const pod = makePod('p', { cpu: '100m', spec: { initContainers: [{ name: 'i', resources: { requests: { cpu: '2' } } }] } });
  assert.deepEqual(filterAll(newNodeResourcesFit({}), pod, snap), { n: 'Insufficient cpu' });
});

test('LeastAllocated prefers the emptier node; MostAllocated the fuller one', () => {
  const nodes = [makeNode('empty', { cpu: '4', memory: '8Gi' }), makeNode('half', { cpu: '4', memory: '8Gi' })];
  const snap = snapshotOf(nodes, [makePod('x', { node: 'half', cpu: '2', memory: '4Gi' })]);
  const pod = makePod('p', { cpu: '1', memory: '2Gi' });
  // empty: cpu (4000-1000)*100/4000 = 75, memory 75 -> 75; half: (4000-3000)/4000 -> 25.
  assert.deepEqual(scoreAll(newNodeResourcesFit({}), pod, snap.nodeInfoList), { empty: 75, half: 25 });
  assert.deepEqual(scoreAll(newNodeResourcesFit({ scoringStrategy: { type: 'MostAllocated' } }), pod, snap.nodeInfoList), { empty: 25, half: 75 });
});

test('RequestedToCapacityRatio follows the shape (scores 0..10 scaled to 0..100)', () => {
  const shape = [
    { utilization: 0, score: 0 },
    { utilization: 100, score: 10 },
  ];
  const f = brokenLinear(shape.map((p) => ({ ...p, score: p.score * 10 })));
  assert.equal(f(50), 50);
  const snap = snapshotOf([makeNode('n', { cpu: '4', memory: '8Gi' })]);
  const fit = newNodeResourcesFit({ scoringStrategy: { type: 'RequestedToCapacityRatio', requestedToCapacityRatio: { shape } } });
  assert.deepEqual(scoreAll(fit, makePod('p', { cpu: '1', memory: '2Gi' }), snap.nodeInfoList), { n: 25 });
});

test('a pod without requests is scored with the 100m / 200Mi defaults', () => {
  const ni = new NodeInfo('n', makeNode('n', { cpu: '1', memory: '2000Mi' }));
  // cpu: (1000-100)*100/1000 = 90; memory: (2000Mi-200Mi)/2000Mi = 90.
  assert.deepEqual(scoreAll(newNodeResourcesFit({}), makePod('p'), [ni]), { n: 90 });
});
