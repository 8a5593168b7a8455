import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node, Pod, TopologySpreadConstraint } from '../../api-types.ts';
import { SchedulerCache } from '../../cache/cache.ts';
import { Snapshot } from '../../cache/snapshot.ts';
import { PodInfo } from '../../framework/pod-info.ts';
import { makeNode, makePod } from '../../testing/fixtures.ts';
import { constraintsFor, DO_NOT_SCHEDULE, SCHEDULE_ANYWAY } from './common.ts';
import { DomainCountsCache, type DomainCounts } from './domain-counts.ts';
import { computePreFilterState, preFilterStateFrom } from './filtering.ts';
import { staticListers } from '../../framework/listers.ts';
import { computePreScoreState, scoreNode } from './scoring.ts';

const ZONE = 'topology.kubernetes.io/zone';

/** A deterministic pseudo-random sequence (tests must not depend on Math.random). */
function rng(seed: number): (n: number) => number {
  let x = seed;
  return (n) => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return Math.floor(x / 65536) % n;
  };
}

// Domain order may differ from a fresh count's (upstream iterates a Go map: any order is valid);
// counts and the two smallest counts may not.
const snapshotCounts = (maps: readonly Map<string, number>[]): [string, number][][] => maps.map((m) => [...m].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
const minima = (paths: readonly { n0: number; n1: number }[]): number[][] => paths.map((p) => [p.n0, p.n1]);

test('counts kept across cycles equal a fresh count after pods and nodes come and go', () => {
  const random = rng(7);
  const cache = new SchedulerCache();
  const snapshot = new Snapshot();
  const nodes: Node[] = [];
  for (let i = 0; i < 30; i++) {
    const node = makeNode(`n${i}`, { labels: { [ZONE]: `z${i % 4}`, ...(i % 3 === 0 ? { pool: 'a' } : {}) }, ...(i % 7 === 0 ? { taints: [{ key: 'k', effect: 'NoSchedule' }] } : {}) });
    nodes.push(node);
    cache.addNode(node);
  }
  const spread = (whenUnsatisfiable: string, topologyKey = ZONE): TopologySpreadConstraint => ({ maxSkew: 1, topologyKey, whenUnsatisfiable, labelSelector: { matchLabels: { app: 'web' } } });
  const incoming = [
    new PodInfo(makePod('p1', { labels: { app: 'web' }, spread: [spread(DO_NOT_SCHEDULE)] })),
    new PodInfo(makePod('p2', { labels: { app: 'web' }, spread: [spread(DO_NOT_SCHEDULE), { ...spread(DO_NOT_SCHEDULE, 'pool'), nodeTaintsPolicy: 'Honor' }] })),
    new PodInfo(makePod('p3', { labels: { app: 'web' }, nodeSelector: { pool: 'a' }, spread: [spread(SCHEDULE_ANYWAY), spread(SCHEDULE_ANYWAY, 'kubernetes.io/hostname')] })),
  ];
  const listers = staticListers([]);
  const kept = new DomainCountsCache();
  const bound: Pod[] = [];
  const used = new Set<DomainCounts>();
  let syncs = 0;
  for (let round = 0; round < 200; round++) {
    // One change per round: bind a pod, delete one, relabel one, or relabel / remove / re-add a node.
    const what = random(10);
    if (what < 5 || bound.length === 0) {
      const pod = makePod(`b${round}`, { labels: { app: random(3) === 0 ? 'db' : 'web' }, node: `n${random(30)}`, namespace: random(5) === 0 ? 'other' : 'default' });
      bound.push(pod);
      cache.addPod(new PodInfo(pod));
    } else if (what < 7) {
      const [pod] = bound.splice(random(bound.length), 1);
      cache.removePod(new PodInfo(pod!));
    } else if (what < 8) {
      const i = random(bound.length);
      const old = bound[i]!;
      const next: Pod = { ...old, metadata: { ...old.metadata, labels: { app: old.metadata.labels?.['app'] === 'web' ? 'db' : 'web' } } };
      bound[i] = next;
      cache.updatePod(new PodInfo(old), new PodInfo(next));
    } else if (what < 9) {
      const i = random(30);
      const old = nodes[i]!;
      const labels = { ...old.metadata.labels };
      if (labels['pool']) delete labels['pool'];
      else labels['pool'] = random(2) === 0 ? 'a' : 'b';
      nodes[i] = { ...old, metadata: { ...old.metadata, labels } };
      cache.updateNode(old, nodes[i]);
    } else {
      const i = random(30);
      cache.removeNode(nodes[i]!);
      cache.addNode(nodes[i]!);
    }
    cache.updateSnapshot(snapshot);
    const list = snapshot.nodeInfoList;
    for (const pod of incoming) {
      const hard = constraintsFor(pod, DO_NOT_SCHEDULE, [], listers);
      if (hard.length > 0) {
        const fresh = computePreFilterState(pod, hard, list);
        const dc = kept.get(pod, hard, 'filter', list, snapshot.changes);
        used.add(dc);
        syncs++;
        const fromKept = preFilterStateFrom(pod, hard, dc);
        assert.deepEqual(snapshotCounts(fromKept.tpValueToMatchNum), snapshotCounts(fresh.tpValueToMatchNum), `round ${round}, ${pod.key}: filter counts`);
        assert.deepEqual(minima(fromKept.criticalPaths), minima(fresh.criticalPaths), `round ${round}, ${pod.key}: critical paths`);
      }
      const soft = constraintsFor(pod, SCHEDULE_ANYWAY, [], listers);
      if (soft.length > 0) {
        const feasible = list.filter((_, i) => i % 2 === round % 2);
        const fresh = computePreScoreState(pod, soft, feasible, list, true);
        const dc = kept.get(pod, soft, 'score-all', list, snapshot.changes);
        used.add(dc);
        syncs++;
        const fromKept = computePreScoreState(pod, soft, feasible, list, true, dc);
        assert.deepEqual([...fromKept.podCounts], [...fresh.podCounts], `round ${round}, ${pod.key}: score counts`);
        assert.deepEqual(fromKept.normalizingWeight, fresh.normalizingWeight);
        for (const ni of feasible) assert.equal(scoreNode(fromKept, pod, ni), scoreNode(fresh, pod, ni), `round ${round}, ${pod.key}: score of ${ni.name}`);
      }
    }
  }
  const recounts = [...used].reduce((n, dc) => n + dc.recounts, 0);
  assert.ok(recounts < syncs / 4, `${recounts} full recounts in ${syncs} cycles: the kept counts are mostly updated, not recounted`);
});

test('a state built from kept counts copies them before preemption changes it', () => {
  const snapshot = Snapshot.from([makeNode('a', { labels: { [ZONE]: 'z1' } }), makeNode('b', { labels: { [ZONE]: 'z2' } })], [makePod('w', { labels: { app: 'web' }, node: 'a' })]);
  const pod = new PodInfo(makePod('p', { labels: { app: 'web' }, spread: [{ maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: DO_NOT_SCHEDULE, labelSelector: { matchLabels: { app: 'web' } } }] }));
  const hard = constraintsFor(pod, DO_NOT_SCHEDULE, [], staticListers([]));
  const kept = new DomainCountsCache();
  const dc = kept.get(pod, hard, 'filter', snapshot.nodeInfoList, snapshot.changes);
  const s = preFilterStateFrom(pod, hard, dc);
  s.own();
  s.tpValueToMatchNum[0]!.set('z1', 99);
  assert.equal(dc.counts[0]!.get('z1'), 1, 'the kept counts are untouched');
});
