import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitErrorMessage, NodeStatusMap, newDiagnosis } from './fit-error.ts';
import { Code, Status } from './status.ts';

const taint = 'node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }';

test('counts reasons per node and sorts "<count> <reason>" in byte order, as Go sort.Strings', () => {
  const d = newDiagnosis();
  for (const n of ['a', 'b', 'c']) d.nodeToStatus.set(n, Status.unschedulable('NodeResourcesFit', 'Insufficient cpu'));
  for (const n of ['d', 'e']) d.nodeToStatus.set(n, Status.unresolvable('TaintToleration', taint));
  d.postFilterMsg = 'preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling.';
  assert.equal(
    fitErrorMessage(5, d),
    `0/5 nodes are available: 2 ${taint}, 3 Insufficient cpu. preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling.`,
  );
});

test('a node with several reasons counts each; absent nodes count the absent status reasons', () => {
  const d = newDiagnosis();
  d.nodeToStatus.set('a', new Status(Code.Unschedulable, ['Insufficient cpu', 'Insufficient memory']));
  d.nodeToStatus.absent = Status.unresolvable('NodeAffinity', "node(s) didn't satisfy plugin(s) [NodeAffinity]");
  assert.equal(fitErrorMessage(4, d), "0/4 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 3 node(s) didn't satisfy plugin(s) [NodeAffinity].");
});

test('a PreFilter rejection replaces the per-node histogram', () => {
  const d = newDiagnosis();
  d.preFilterMsg = 'pod has unbound immediate PersistentVolumeClaims';
  d.nodeToStatus = new NodeStatusMap(Status.unresolvable('VolumeBinding', d.preFilterMsg));
  assert.equal(fitErrorMessage(3, d), '0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims.');
});

test('byte order puts 10 before 9 and upper case before lower case', () => {
  const d = newDiagnosis();
  for (let i = 0; i < 10; i++) d.nodeToStatus.set(`x${i}`, Status.unschedulable('P', 'b'));
  for (let i = 0; i < 9; i++) d.nodeToStatus.set(`y${i}`, Status.unschedulable('P', 'a'));
  assert.equal(fitErrorMessage(19, d), '0/19 nodes are available: 10 b, 9 a.');
});
