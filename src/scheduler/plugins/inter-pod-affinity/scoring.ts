// InterPodAffinity scoring: each topology pair collects weights — the incoming pod's preferred
// (anti-)affinity terms matched by existing pods, existing pods' required affinity matched by the
// incoming pod (hardPodAffinityWeight), and existing pods' preferred terms matched by it — and a
// node scores the sum over its labels, normalized to 0..100 between the lowest and highest.

import type { Node, Pod } from '../../api-types.ts';
import type { NodeInfo } from '../../cache/node-info.ts';
import type { StateData } from '../../framework/cycle-state.ts';
import { MAX_NODE_SCORE, type NodeScore } from '../../framework/interface.ts';
import type { ClusterListers } from '../../framework/listers.ts';
import { termMatches, type AffinityTerm, type PodInfo, type WeightedAffinityTerm } from '../../framework/pod-info.ts';
import { mergeNamespaces } from './filtering.ts';

type Labels = Readonly<Record<string, string>> | undefined;

export interface InterPodAffinityArgs {
  hardPodAffinityWeight?: number;
  ignorePreferredTermsOfExistingPods?: boolean;
}

export class PreScoreState implements StateData {
  /** topologyKey -> value -> score. */
  topologyScore = new Map<string, Map<string, number>>();
  clone(): StateData {
    return this;
  }
}

function add(s: PreScoreState, term: AffinityTerm, weight: number, pod: Pod, nsLabels: Labels, node: Node): void {
  if (!termMatches(term, pod, nsLabels)) return;
  const v = node.metadata.labels?.[term.topologyKey];
  if (v === undefined) return;
  let m = s.topologyScore.get(term.topologyKey);
  if (!m) s.topologyScore.set(term.topologyKey, (m = new Map()));
  m.set(v, (m.get(v) ?? 0) + weight);
}

function addTerms(s: PreScoreState, terms: readonly WeightedAffinityTerm[], pod: Pod, nsLabels: Labels, node: Node, sign: number): void {
  for (const t of terms) add(s, t, t.weight * sign, pod, nsLabels, node);
}

export function hasPreferredTerms(pod: PodInfo): boolean {
  return pod.preferredAffinityTerms.length > 0 || pod.preferredAntiAffinityTerms.length > 0;
}

/** Undefined when nothing contributes (the plugin then skips Score). */
export function computePreScoreState(
  pod: PodInfo,
  args: Required<InterPodAffinityArgs>,
  listers: ClusterListers,
  allNodes: readonly NodeInfo[],
  affinityNodes: readonly NodeInfo[],
): PreScoreState | undefined {
  const hasConstraints = hasPreferredTerms(pod);
  if (args.ignorePreferredTermsOfExistingPods && !hasConstraints) return undefined;
  const nodes = hasConstraints ? allNodes : affinityNodes;
  const preferred = pod.preferredAffinityTerms.map((t) => mergeNamespaces(t, listers));
  const preferredAnti = pod.preferredAntiAffinityTerms.map((t) => mergeNamespaces(t, listers));
  const nsLabels = listers.namespace(pod.namespace)?.metadata.labels;
  const s = new PreScoreState();
  for (const ni of nodes) {
    const node = ni.node;
    if (!node || !node.metadata.labels || Object.keys(node.metadata.labels).length === 0) continue;
    for (const existing of hasConstraints ? ni.pods : ni.podsWithAffinity) {
      addTerms(s, preferred, existing.pod, undefined, node, 1);
      addTerms(s, preferredAnti, existing.pod, undefined, node, -1);
      if (args.hardPodAffinityWeight > 0) for (const t of existing.requiredAffinityTerms) add(s, t, args.hardPodAffinityWeight, pod.pod, nsLabels, node);
      if (!args.ignorePreferredTermsOfExistingPods) {
        addTerms(s, existing.preferredAffinityTerms, pod.pod, nsLabels, node, 1);
        addTerms(s, existing.preferredAntiAffinityTerms, pod.pod, nsLabels, node, -1);
      }
    }
  }
  return s.topologyScore.size === 0 ? undefined : s;
}

export function scoreNode(s: PreScoreState, nodeInfo: NodeInfo): number {
  const labels = nodeInfo.labels;
  if (!labels) return 0;
  let score = 0;
  for (const [key, values] of s.topologyScore) {
    const v = labels[key];
    if (v !== undefined) score += values.get(v) ?? 0;
  }
  return score;
}

export function normalize(s: PreScoreState, scores: NodeScore[]): void {
  if (s.topologyScore.size === 0) return;
  let min = Number.MAX_SAFE_INTEGER;
  let max = Number.MIN_SAFE_INTEGER;
  for (const sc of scores) {
    if (sc.score > max) max = sc.score;
    if (sc.score < min) min = sc.score;
  }
  const diff = max - min;
  for (const sc of scores) sc.score = diff > 0 ? Math.trunc(MAX_NODE_SCORE * ((sc.score - min) / diff)) : 0;
}
