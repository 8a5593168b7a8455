// PodTopologySpread scoring (ScheduleAnyway constraints): a node scores by the matching pods in
// its domains, weighted by log(number of domains + 2) plus maxSkew - 1; NormalizeScore inverts it
// so emptier domains score higher. Nodes missing a topology key get 0 (unless only the system
// default constraints apply, so zone-less nodes still spread by hostname).

import { LABEL_HOSTNAME } from '../../api-types.ts';
import type { NodeInfo } from '../../cache/node-info.ts';
import type { StateData } from '../../framework/cycle-state.ts';
import { MAX_NODE_SCORE, type NodeScore } from '../../framework/interface.ts';
import { RequiredNodeAffinity } from '../../framework/node-selector.ts';
import type { PodInfo } from '../../framework/pod-info.ts';
import { countMatching, nodeHasAllKeys, nodeIncluded, type Constraint } from './common.ts';
import type { DomainCounts } from './domain-counts.ts';

export class PreScoreState implements StateData {
  constraints: Constraint[] = [];
  ignoredNodes = new Set<string>();
  /** "key\0value" -> matching pods, for non-hostname keys. */
  podCounts = new Map<string, number>();
  /** Per constraint (non-hostname): domain value -> podCounts of its pair, so Score needs no key string per node. */
  byValue: Map<string, number>[] = [];
  normalizingWeight: number[] = [];
  /** Kept counts of this pod's signature, when PreScore had them (their per-node hostname counts are reused). */
  counts: DomainCounts | undefined;
  clone(): StateData {
    return this;
  }
}

const pairKey = (k: string, v: string): string => `${k}\x00${v}`;

export function computePreScoreState(
  pod: PodInfo,
  constraints: Constraint[],
  filteredNodes: readonly NodeInfo[],
  allNodes: readonly NodeInfo[],
  requireAllTopologies: boolean,
  counts?: DomainCounts,
): PreScoreState {
  const s = new PreScoreState();
  s.constraints = constraints;
  const topoSize = constraints.map(() => 0);
  // Pairs (key, value) -> matching pods, one map per topology key: constraints with the same key
  // share their pairs (and only the first of them counts a new pair in its topology size).
  const byKey = new Map<string, Map<string, number>>();
  const mapOf = constraints.map((c) => {
    if (c.topologyKey === LABEL_HOSTNAME) return undefined;
    let m = byKey.get(c.topologyKey);
    if (!m) byKey.set(c.topologyKey, (m = new Map()));
    return m;
  });
  for (const ni of filteredNodes) {
    const labels = ni.labels;
    if (requireAllTopologies && !nodeHasAllKeys(labels, constraints)) {
      s.ignoredNodes.add(ni.name);
      continue;
    }
    for (let i = 0; i < constraints.length; i++) {
      const m = mapOf[i];
      if (!m) continue;
      const value = labels?.[constraints[i]!.topologyKey] ?? '';
      if (!m.has(value)) {
        m.set(value, 0);
        topoSize[i]!++;
      }
    }
  }
  s.normalizingWeight = constraints.map((c, i) => Math.log((c.topologyKey === LABEL_HOSTNAME ? filteredNodes.length - s.ignoredNodes.size : topoSize[i]!) + 2));
  if (counts) {
    s.counts = counts;
    // Each constraint with the pair's key adds its own matches, as the count below does.
    for (const [topologyKey, m] of byKey) {
      for (const value of m.keys()) {
        let n = 0;
        for (let i = 0; i < constraints.length; i++) if (constraints[i]!.topologyKey === topologyKey) n += counts.counts[i]!.get(value) ?? 0;
        m.set(value, n);
      }
    }
  } else {
    const required = new RequiredNodeAffinity(pod.pod);
    for (const ni of allNodes) {
      const node = ni.node;
      if (!node) continue;
      if (requireAllTopologies && !nodeHasAllKeys(node.metadata.labels, constraints)) continue;
      for (const c of constraints) {
        const m = byKey.get(c.topologyKey);
        if (!m || !nodeIncluded(c, pod.pod, node, required)) continue;
        const value = node.metadata.labels?.[c.topologyKey] ?? '';
        const current = m.get(value);
        if (current === undefined) continue;
        m.set(value, current + countMatching(ni.pods, c.selector, pod.namespace));
      }
    }
  }
  s.byValue = mapOf.map((m) => m ?? new Map());
  for (const [topologyKey, m] of byKey) for (const [value, n] of m) s.podCounts.set(pairKey(topologyKey, value), n);
  return s;
}

export function scoreNode(s: PreScoreState, pod: PodInfo, nodeInfo: NodeInfo): number {
  if (s.ignoredNodes.has(nodeInfo.name)) return 0;
  const labels = nodeInfo.labels;
  let score = 0;
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i]!;
    const value = labels?.[c.topologyKey];
    if (value === undefined) continue;
    const cnt =
      c.topologyKey === LABEL_HOSTNAME
        ? (s.counts?.podsOnNode(nodeInfo, i) ?? countMatching(nodeInfo.pods, c.selector, pod.namespace))
        : (s.byValue[i]!.get(value) ?? 0);
    score += cnt * s.normalizingWeight[i]! + (c.maxSkew - 1);
  }
  return Math.round(score);
}

export function normalize(s: PreScoreState, scores: NodeScore[]): void {
  let min = Number.MAX_SAFE_INTEGER;
  let max = 0;
  for (const sc of scores) {
    if (s.ignoredNodes.has(sc.name)) continue;
    if (sc.score < min) min = sc.score;
    if (sc.score > max) max = sc.score;
  }
  for (const sc of scores) {
    if (s.ignoredNodes.has(sc.name)) sc.score = 0;
    else if (max === 0) sc.score = MAX_NODE_SCORE;
    else sc.score = Math.trunc((MAX_NODE_SCORE * (max + min - sc.score)) / max);
  }
}
