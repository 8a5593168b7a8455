import assert from 'node:assert/strict';
import { test } from 'node:test';
import { filterAll, makeNode, makePod, snapshotOf } from '../../testing/fixtures.ts';
import { ERR_REASON_PORTS, newNodePorts } from './node-ports.ts';

test('host ports must be free; 0.0.0.0 conflicts with specific addresses and UDP does not clash with TCP', () => {
  const onA = makePod('a', { node: 'a', hostPorts: [8080] });
  const onB = makePod('b', { node: 'b', spec: { containers: [{ name: 'c', ports: [{ containerPort: 53, hostPort: 8080, protocol: 'UDP' }, { containerPort: 1, hostPort: 9090, hostIP: '10.0.0.1' }] }] } });
  const snap = snapshotOf([makeNode('a'), makeNode('b'), makeNode('c')], [onA, onB]);
  assert.deepEqual(filterAll(newNodePorts(), makePod('p', { hostPorts: [8080] }), snap), { a: ERR_REASON_PORTS, b: '', c: '' });
  assert.deepEqual(filterAll(newNodePorts(), makePod('q', { hostPorts: [9090] }), snap), { a: '', b: ERR_REASON_PORTS, c: '' });
  const other = makePod('r', { spec: { containers: [{ name: 'c', ports: [{ containerPort: 1, hostPort: 9090, hostIP: '10.0.0.2' }] }] } });
  assert.deepEqual(filterAll(newNodePorts(), other, snap), { a: '', b: '', c: '' });
});
