import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../api/types.ts';
import { FakeClock } from '../../../client/index.ts';
import type { Pod } from '../../api-types.ts';
import { CycleState } from '../../framework/cycle-state.ts';
import { NodeStatusMap } from '../../framework/fit-error.ts';
import { Framework } from '../../framework/framework.ts';
import { staticListers } from '../../framework/listers.ts';
import { PodInfo } from '../../framework/pod-info.ts';
import { Code } from '../../framework/status.ts';
import { defaultConfig } from '../../profile/config.ts';
import { Nominator } from '../../queue/nominator.ts';
import { makeNode, makePod, snapshotOf } from '../../testing/fixtures.ts';
import { inTreeRegistry } from '../registry.ts';
import type { DefaultPreemption } from './default-preemption.ts';
import { splitByPDBViolation } from './victims.ts';

function preempt(nodes: ReturnType<typeof makeNode>[], running: Pod[], preemptor: Pod, objects: KubeObject[] = []) {
  const snap = snapshotOf(nodes, running);
  const fw = new Framework(defaultConfig().profiles[0]!, {
    registry: inTreeRegistry(),
    snapshot: () => snap,
    listers: staticListers([...running, preemptor, ...objects]),
    nominator: new Nominator(),
    clock: new FakeClock(1_000_000),
  });
  const pl = fw.plugins.get('DefaultPreemption') as DefaultPreemption;
  const state = new CycleState();
  const pi = new PodInfo(preemptor);
  assert.ok(fw.runPreFilterPlugins(state, pi, snap.nodeInfoList).status.isSuccess);
  const statuses = new NodeStatusMap();
  for (const ni of snap.nodeInfoList) {
    const s = fw.runFilterPlugins(state, pi, ni);
    if (!s.isSuccess) statuses.set(ni.name, s);
  }
  return pl.postFilter(state, pi, statuses);
}

const nodes = () => [makeNode('n1', { cpu: '4' }), makeNode('n2', { cpu: '4' })];
const running = () => [
  makePod('a', { node: 'n1', cpu: '3', priority: 10, labels: { app: 'a' } }),
  makePod('b', { node: 'n2', cpu: '2', priority: 1, labels: { app: 'b' } }),
  makePod('c', { node: 'n2', cpu: '2', priority: 2, labels: { app: 'c' } }),
];
const big = (o: Parameters<typeof makePod>[1] = {}) => makePod('big', { cpu: '2', priority: 100, ...o });

test('nominates the node whose victims have the lowest priority, evicting as few as possible', () => {
  const { result, status } = preempt(nodes(), running(), big());
  assert.equal(status.code, Code.Success);
  assert.deepEqual(result, { nominatedNodeName: 'n2' });
});

test('prefers victims whose eviction keeps every PodDisruptionBudget', () => {
  // Every victim on n2 is covered by a budget that allows no disruption: n1's victim wins despite its priority.
  const selector = { matchExpressions: [{ key: 'app', operator: 'In', values: ['b', 'c'] }] };
  const pdb: KubeObject = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'bc', namespace: 'default' }, spec: { selector }, status: { disruptionsAllowed: 0 } };
  const { result } = preempt(nodes(), running(), big(), [pdb]);
  assert.deepEqual(result, { nominatedNodeName: 'n1' });
  const { violating, nonViolating } = splitByPDBViolation(running().map((p) => new PodInfo(p)), [pdb as never]);
  assert.deepEqual([violating.map((p) => p.pod.metadata.name), nonViolating.map((p) => p.pod.metadata.name)], [['b', 'c'], ['a']]);
  const allowOne = { ...pdb, status: { disruptionsAllowed: 1 } };
  const split = splitByPDBViolation(running().map((p) => new PodInfo(p)), [allowOne as never]);
  assert.deepEqual(split.violating.map((p) => p.pod.metadata.name), ['c'], 'the budget allows the first eviction only');
});

test('preemptionPolicy Never does not preempt', () => {
  const { result, status } = preempt(nodes(), running(), big({ spec: { preemptionPolicy: 'Never' } }));
  assert.equal(result, undefined);
  assert.equal(status.message, 'preemption: not eligible due to preemptionPolicy=Never.');
});

test('without lower-priority pods, or where only unresolvable filters failed, preemption is not helpful', () => {
  const equal = preempt(nodes(), running(), big({ priority: 1 }));
  assert.equal(equal.status.message, 'preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.');
  const tainted = [makeNode('n1', { cpu: '4', taints: [{ key: 'k', effect: 'NoSchedule' }] }), makeNode('n2', { cpu: '1' })];
  const r = preempt(tainted, [], big({ cpu: '8' }));
  assert.equal(r.status.message, 'preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.');
  assert.deepEqual(r.result, { nominatedNodeName: '' });
});
