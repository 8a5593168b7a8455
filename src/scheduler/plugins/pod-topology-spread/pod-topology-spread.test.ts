import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../api/types.ts';
import type { TopologySpreadConstraint } from '../../api-types.ts';
import { CycleState } from '../../framework/cycle-state.ts';
import { PodInfo } from '../../framework/pod-info.ts';
import { fakeHandle, filterAll, makeNode, makePod, scoreAll, snapshotOf } from '../../testing/fixtures.ts';
import { ERR_REASON_CONSTRAINTS, ERR_REASON_MISSING_LABEL } from './filtering.ts';
import { newPodTopologySpread } from './pod-topology-spread.ts';

const ZONE = 'topology.kubernetes.io/zone';
const zoneNode = (name: string, zone: string, extra: Parameters<typeof makeNode>[1] = {}) => makeNode(name, { ...extra, labels: { [ZONE]: zone, ...extra.labels } });
const web = (name: string, node?: string) => makePod(name, { labels: { app: 'web' }, ...(node ? { node } : {}) });
const spread = (o: Partial<TopologySpreadConstraint> = {}): TopologySpreadConstraint[] => [
  { maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } }, ...o },
];
const incoming = (o: Partial<TopologySpreadConstraint> = {}, extra: Parameters<typeof makePod>[1] = {}) => makePod('new', { labels: { app: 'web' }, spread: spread(o), ...extra });

function plugin(nodes: ReturnType<typeof makeNode>[], pods: ReturnType<typeof makePod>[], objects: KubeObject[] = []) {
  const snap = snapshotOf(nodes, pods);
  return { snap, pl: newPodTopologySpread({}, fakeHandle(snap, objects)) };
}

test('DoNotSchedule: a domain may exceed the global minimum by at most maxSkew', () => {
  const { snap, pl } = plugin([zoneNode('a', 'z1'), zoneNode('b', 'z2'), zoneNode('c', 'z3')], [web('w1', 'a'), web('w2', 'a'), web('w3', 'b'), web('w4', 'c')]);
  assert.deepEqual(filterAll(pl, incoming(), snap), { a: ERR_REASON_CONSTRAINTS, b: '', c: '' });
  assert.deepEqual(filterAll(pl, incoming({ maxSkew: 2 }), snap), { a: '', b: '', c: '' });
});

test('only pods in the same namespace, matching and not terminating, count', () => {
  const other = makePod('o', { node: 'a', labels: { app: 'web' }, namespace: 'other' });
  const dying = web('d', 'a');
  dying.metadata.deletionTimestamp = '2024-01-01T00:00:00Z';
  const { snap, pl } = plugin([zoneNode('a', 'z1'), zoneNode('b', 'z2')], [other, dying, makePod('x', { node: 'a', labels: { app: 'db' } })]);
  assert.deepEqual(filterAll(pl, incoming(), snap), { a: '', b: '' });
});

test('a node without the topology key is unresolvable', () => {
  const { snap, pl } = plugin([zoneNode('a', 'z1'), makeNode('nolabel')], []);
  assert.deepEqual(filterAll(pl, incoming(), snap), { a: '', nolabel: ERR_REASON_MISSING_LABEL });
});

test('minDomains: with fewer domains than minDomains the global minimum is 0', () => {
  const { snap, pl } = plugin([zoneNode('a', 'z1'), zoneNode('b', 'z2')], [web('w1', 'a'), web('w2', 'b')]);
  assert.deepEqual(filterAll(pl, incoming(), snap), { a: '', b: '' });
  assert.deepEqual(filterAll(pl, incoming({ minDomains: 3 }), snap), { a: ERR_REASON_CONSTRAINTS, b: ERR_REASON_CONSTRAINTS });
});

test('nodeAffinityPolicy Honor (default) leaves out nodes the pod cannot use; Ignore counts them', () => {
  // z3's node lacks disk=ssd, so with Honor its empty domain is not the minimum.
  const nodes = [zoneNode('a', 'z1', { labels: { disk: 'ssd' } }), zoneNode('b', 'z2', { labels: { disk: 'ssd' } }), zoneNode('c', 'z3')];
  const { snap, pl } = plugin(nodes, [web('w1', 'a'), web('w2', 'b')]);
  assert.deepEqual(filterAll(pl, incoming({}, { nodeSelector: { disk: 'ssd' } }), snap), { a: '', b: '', c: '' });
  assert.deepEqual(filterAll(pl, incoming({ nodeAffinityPolicy: 'Ignore' }, { nodeSelector: { disk: 'ssd' } }), snap), { a: ERR_REASON_CONSTRAINTS, b: ERR_REASON_CONSTRAINTS, c: '' });
});

test('nodeTaintsPolicy Honor leaves out nodes with untolerated taints', () => {
  const nodes = [zoneNode('a', 'z1'), zoneNode('b', 'z2', { taints: [{ key: 'k', effect: 'NoSchedule' }] })];
  const { snap, pl } = plugin(nodes, [web('w1', 'a')]);
  assert.equal(filterAll(pl, incoming(), snap)['a'], ERR_REASON_CONSTRAINTS, 'Ignore: z2 counts with 0');
  assert.equal(filterAll(pl, incoming({ nodeTaintsPolicy: 'Honor' }), snap)['a'], '', 'Honor: z2 is not a domain');
});

test('matchLabelKeys narrows the selector to pods with the same label values', () => {
  const v1 = (name: string, node: string) => makePod(name, { node, labels: { app: 'web', rev: 'v1' } });
  const { snap, pl } = plugin([zoneNode('a', 'z1'), zoneNode('b', 'z2')], [v1('o1', 'a'), v1('o2', 'a')]);
  const pod = makePod('new', { labels: { app: 'web', rev: 'v2' }, spread: spread({ matchLabelKeys: ['rev'] }) });
  assert.deepEqual(filterAll(pl, pod, snap), { a: '', b: '' });
});

test('preemption extensions: removing a pod updates the counts', () => {
  const { snap, pl } = plugin([zoneNode('a', 'z1'), zoneNode('b', 'z2')], [web('w1', 'a'), web('w2', 'a')]);
  const state = new CycleState();
  const pod = new PodInfo(incoming());
  pl.preFilter(state, pod, snap.nodeInfoList);
  assert.equal(pl.filter(state, pod, snap.get('a')!)?.message, ERR_REASON_CONSTRAINTS);
  const victim = snap.get('a')!.pods[0]!;
  pl.preFilterExtensions!.removePod(state, pod, victim, snap.get('a')!);
  pl.preFilterExtensions!.removePod(state, pod, snap.get('a')!.pods[1]!, snap.get('a')!);
  assert.equal(pl.filter(state, pod, snap.get('a')!), undefined);
});

test('ScheduleAnyway scores emptier zones higher', () => {
  const { snap, pl } = plugin([zoneNode('a', 'z1'), zoneNode('b', 'z2'), zoneNode('c', 'z3')], [web('w1', 'a'), web('w2', 'a'), web('w3', 'b')]);
  const scores = scoreAll(pl, incoming({ whenUnsatisfiable: 'ScheduleAnyway' }), snap.nodeInfoList);
  assert.ok(scores['c']! > scores['b']! && scores['b']! > scores['a']!, JSON.stringify(scores));
  assert.equal(scores['c'], 100);
});

test('system default constraints apply to pods selected by a Service and spread them by zone', () => {
  const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' } } };
  const { snap, pl } = plugin([zoneNode('a', 'z1'), zoneNode('b', 'z2')], [web('w1', 'a'), web('w2', 'a')], [svc]);
  const scores = scoreAll(pl, web('new'), snap.nodeInfoList);
  assert.ok(scores['b']! > scores['a']!, JSON.stringify(scores));
  const { snap: s2, pl: withoutService } = plugin([zoneNode('a', 'z1'), zoneNode('b', 'z2')], [web('w1', 'a'), web('w2', 'a')]);
  assert.deepEqual(scoreAll(withoutService, web('new'), s2.nodeInfoList), { a: 0, b: 0 }, 'no owner: PreScore skips');
});
