import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CycleState } from '../../framework/cycle-state.ts';
import { PodInfo } from '../../framework/pod-info.ts';
import { filterAll, makeNode, makePod, scoreAll, snapshotOf } from '../../testing/fixtures.ts';
import { ERR_REASON_ENFORCED, ERR_REASON_POD, newNodeAffinity } from './node-affinity.ts';

const nodes = [makeNode('a', { labels: { zone: 'z1', disk: 'ssd', gen: '3' } }), makeNode('b', { labels: { zone: 'z2', gen: '5' } }), makeNode('c', { labels: { zone: 'z3' } })];

test('nodeSelector and required terms (ORed terms, ANDed expressions, Gt, matchFields)', () => {
  const snap = snapshotOf(nodes);
  const plugin = newNodeAffinity({});
  assert.deepEqual(filterAll(plugin, makePod('p', { nodeSelector: { disk: 'ssd' } }), snap), { a: '', b: ERR_REASON_POD, c: ERR_REASON_POD });
  const affinity = {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1', 'z2'] }, { key: 'gen', operator: 'Gt', values: ['4'] }] },
          { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['c'] }] },
        ],
      },
    },
  };
  assert.deepEqual(filterAll(plugin, makePod('q', { affinity }), snap), { a: ERR_REASON_POD, b: '', c: '' });
  assert.deepEqual(filterAll(plugin, makePod('free'), snap), { a: '', b: '', c: '' }, 'PreFilter skips');
});

test('PreFilter narrows to the nodes pinned by metadata.name', () => {
  const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['b'] }] }] } } };
  const r = newNodeAffinity({}).preFilter(new CycleState(), new PodInfo(makePod('ds', { affinity })), []);
  assert.deepEqual(r && 'nodeNames' in r ? [...r.nodeNames] : r, ['b']);
});

test('addedAffinity is enforced with its own reason', () => {
  const plugin = newNodeAffinity({ addedAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['z3'] }] }] } } });
  assert.deepEqual(filterAll(plugin, makePod('p'), snapshotOf(nodes)), { a: '', b: '', c: ERR_REASON_ENFORCED });
});

test('preferred terms add their weights, normalized to 100', () => {
  const affinity = {
    nodeAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 10, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] } },
        { weight: 30, preference: { matchExpressions: [{ key: 'gen', operator: 'Exists' }] } },
      ],
    },
  };
  assert.deepEqual(scoreAll(newNodeAffinity({}), makePod('p', { affinity }), snapshotOf(nodes).nodeInfoList), { a: 100, b: 75, c: 0 });
});
