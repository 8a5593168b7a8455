import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../api/types.ts';
import type { Affinity } from '../../api-types.ts';
import { fakeHandle, filterAll, makeNode, makePod, scoreAll, snapshotOf } from '../../testing/fixtures.ts';
import { ERR_REASON_AFFINITY, ERR_REASON_ANTI_AFFINITY, ERR_REASON_EXISTING_ANTI_AFFINITY } from './filtering.ts';
import { newInterPodAffinity } from './inter-pod-affinity.ts';

const ZONE = 'topology.kubernetes.io/zone';
const HOST = 'kubernetes.io/hostname';
const nodes = () => [
  makeNode('a', { labels: { [ZONE]: 'z1' } }),
  makeNode('b', { labels: { [ZONE]: 'z1' } }),
  makeNode('c', { labels: { [ZONE]: 'z2' } }),
];
const term = (app: string, topologyKey: string, extra: object = {}) => ({ labelSelector: { matchLabels: { app } }, topologyKey, ...extra });
const required = (kind: 'podAffinity' | 'podAntiAffinity', ...terms: ReturnType<typeof term>[]): Affinity => ({ [kind]: { requiredDuringSchedulingIgnoredDuringExecution: terms } });

function setup(pods: ReturnType<typeof makePod>[], objects: KubeObject[] = [], args: object = {}) {
  const snap = snapshotOf(nodes(), pods);
  return { snap, pl: newInterPodAffinity(args, fakeHandle(snap, objects)) };
}

test('required affinity: only nodes in the topology of a matching pod', () => {
  const { snap, pl } = setup([makePod('db', { node: 'a', labels: { app: 'db' } })]);
  const pod = makePod('web', { affinity: required('podAffinity', term('db', ZONE)) });
  assert.deepEqual(filterAll(pl, pod, snap), { a: '', b: '', c: ERR_REASON_AFFINITY });
});

test('required affinity to itself: the first pod of the group may go anywhere with the key', () => {
  const { snap, pl } = setup([]);
  const pod = makePod('web', { labels: { app: 'web' }, affinity: required('podAffinity', term('web', ZONE)) });
  assert.deepEqual(filterAll(pl, pod, snap), { a: '', b: '', c: '' });
});

test('required anti-affinity of the incoming pod, by hostname', () => {
  const { snap, pl } = setup([makePod('w1', { node: 'a', labels: { app: 'web' } })]);
  const pod = makePod('web', { labels: { app: 'web' }, affinity: required('podAntiAffinity', term('web', HOST)) });
  assert.deepEqual(filterAll(pl, pod, snap), { a: ERR_REASON_ANTI_AFFINITY, b: '', c: '' });
});

test("existing pods' required anti-affinity keeps matching pods out of their zone", () => {
  const loner = makePod('loner', { node: 'a', labels: { app: 'loner' }, affinity: required('podAntiAffinity', term('web', ZONE)) });
  const { snap, pl } = setup([loner]);
  assert.deepEqual(filterAll(pl, makePod('web', { labels: { app: 'web' } }), snap), { a: ERR_REASON_EXISTING_ANTI_AFFINITY, b: ERR_REASON_EXISTING_ANTI_AFFINITY, c: '' });
  assert.deepEqual(filterAll(pl, makePod('other', { labels: { app: 'other' } }), snap), { a: '', b: '', c: '' });
});

test('namespaces: the term defaults to the pod namespace; namespaceSelector selects by labels', () => {
  const prodDb = makePod('db', { node: 'c', labels: { app: 'db' }, namespace: 'prod' });
  const ns = (name: string, labels: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
  const { snap, pl } = setup([prodDb], [ns('prod', { env: 'prod' }), ns('default', {})]);
  const sameNs = makePod('web', { affinity: required('podAffinity', term('db', ZONE)) });
  assert.deepEqual(filterAll(pl, sameNs, snap), { a: ERR_REASON_AFFINITY, b: ERR_REASON_AFFINITY, c: ERR_REASON_AFFINITY });
  const bySelector = makePod('web2', { affinity: required('podAffinity', term('db', ZONE, { namespaceSelector: { matchLabels: { env: 'prod' } } })) });
  assert.deepEqual(filterAll(pl, bySelector, snap), { a: ERR_REASON_AFFINITY, b: ERR_REASON_AFFINITY, c: '' });
  const allNs = makePod('web3', { affinity: required('podAffinity', term('db', ZONE, { namespaceSelector: {} })) });
  assert.deepEqual(filterAll(pl, allNs, snap), { a: ERR_REASON_AFFINITY, b: ERR_REASON_AFFINITY, c: '' });
});

test('preferred affinity and anti-affinity score the topology of matching pods', () => {
  const { snap, pl } = setup([makePod('db', { node: 'a', labels: { app: 'db' } }), makePod('noisy', { node: 'c', labels: { app: 'noisy' } })]);
  const affinity: Affinity = {
    podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: term('db', ZONE) }] },
    podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term('noisy', HOST) }] },
  };
  // a, b: +50 (zone z1 has db); c: -100 (hosts noisy). Normalized between -100 and 50.
  assert.deepEqual(scoreAll(pl, makePod('web', { affinity }), snap.nodeInfoList), { a: 100, b: 100, c: 0 });
});

test("existing pods' required affinity attracts matching pods (hardPodAffinityWeight)", () => {
  const follower = makePod('f', { node: 'c', labels: { app: 'f' }, affinity: required('podAffinity', term('web', ZONE)) });
  const { snap, pl } = setup([follower]);
  assert.deepEqual(scoreAll(pl, makePod('web', { labels: { app: 'web' } }), snap.nodeInfoList), { a: 0, b: 0, c: 100 });
  const { snap: s2, pl: off } = setup([follower], [], { hardPodAffinityWeight: 0 });
  assert.deepEqual(scoreAll(off, makePod('web', { labels: { app: 'web' } }), s2.nodeInfoList), { a: 0, b: 0, c: 0 });
});
