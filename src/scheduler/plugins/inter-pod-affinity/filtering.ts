// InterPodAffinity filtering: PreFilter counts, per topology pair (key, value), the existing pods
// matching the incoming pod's required affinity terms, those matching its anti-affinity terms, and
// the existing pods whose own required anti-affinity matches the incoming pod. Filter then reads
// those counts for the node's labels.

import type { Node, Pod } from '../../api-types.ts';
import type { NodeInfo } from '../../cache/node-info.ts';
import type { StateData } from '../../framework/cycle-state.ts';
import type { ClusterListers } from '../../framework/listers.ts';
import { termMatches, type AffinityTerm, type PodInfo } from '../../framework/pod-info.ts';
import { NOTHING } from '../../framework/selectors.ts';

export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";

type Labels = Readonly<Record<string, string>> | undefined;
export type TopologyCounts = Map<string, number>;

export const pairKey = (k: string, v: string): string => `${k}\x00${v}`;

function bump(m: TopologyCounts, node: Node, key: string, delta: number): void {
  const v = node.metadata.labels?.[key];
  if (v === undefined) return;
  const k = pairKey(key, v);
  const n = (m.get(k) ?? 0) + delta;
  if (n === 0) m.delete(k);
  else m.set(k, n);
}

export function updateWithAntiAffinityTerms(m: TopologyCounts, terms: readonly AffinityTerm[], pod: Pod, nsLabels: Labels, node: Node, delta: number): void {
  for (const t of terms) if (termMatches(t, pod, nsLabels)) bump(m, node, t.topologyKey, delta);
}

export function podMatchesAllTerms(terms: readonly AffinityTerm[], pod: Pod): boolean {
  if (terms.length === 0) return false;
  for (const t of terms) if (!termMatches(t, pod, undefined)) return false;
  return true;
}

export function updateWithAffinityTerms(m: TopologyCounts, terms: readonly AffinityTerm[], pod: Pod, node: Node, delta: number): void {
  if (podMatchesAllTerms(terms, pod)) for (const t of terms) bump(m, node, t.topologyKey, delta);
}

/** Resolves a term's namespaceSelector into namespace names (upstream mergeAffinityTermNamespacesIfNotEmpty). */
export function mergeNamespaces<T extends AffinityTerm>(term: T, listers: ClusterListers): T {
  if (term.namespaceSelector.empty || term.namespaceSelector.nothing) return term;
  const namespaces = new Set(term.namespaces);
  for (const ns of listers.namespaces()) if (term.namespaceSelector.matches(ns.metadata.labels)) namespaces.add(ns.metadata.name ?? '');
  return { ...term, namespaces, namespaceSelector: NOTHING };
}

export class PreFilterState implements StateData {
  pod!: PodInfo;
  requiredAffinity: AffinityTerm[] = [];
  requiredAntiAffinity: AffinityTerm[] = [];
  namespaceLabels: Labels;
  existingAntiAffinityCounts: TopologyCounts = new Map();
  affinityCounts: TopologyCounts = new Map();
  antiAffinityCounts: TopologyCounts = new Map();

  clone(): StateData {
    const c = Object.assign(new PreFilterState(), this);
    c.existingAntiAffinityCounts = new Map(this.existingAntiAffinityCounts);
    c.affinityCounts = new Map(this.affinityCounts);
    c.antiAffinityCounts = new Map(this.antiAffinityCounts);
    return c;
  }

  /** PreFilterExtensions: a pod added to (1) or removed from (-1) `node` during preemption. */
  updateWithPod(changed: PodInfo, node: Node | undefined, delta: number): void {
    if (!node) return;
    updateWithAntiAffinityTerms(this.existingAntiAffinityCounts, changed.requiredAntiAffinityTerms, this.pod.pod, this.namespaceLabels, node, delta);
    updateWithAffinityTerms(this.affinityCounts, this.requiredAffinity, changed.pod, node, delta);
    updateWithAntiAffinityTerms(this.antiAffinityCounts, this.requiredAntiAffinity, changed.pod, undefined, node, delta);
  }
}

export function computePreFilterState(pod: PodInfo, listers: ClusterListers, allNodes: readonly NodeInfo[], antiNodes: readonly NodeInfo[]): PreFilterState {
  const s = new PreFilterState();
  s.pod = pod;
  s.requiredAffinity = pod.requiredAffinityTerms.map((t) => mergeNamespaces(t, listers));
  s.requiredAntiAffinity = pod.requiredAntiAffinityTerms.map((t) => mergeNamespaces(t, listers));
  s.namespaceLabels = listers.namespace(pod.namespace)?.metadata.labels;
  for (const ni of antiNodes) {
    if (!ni.node) continue;
    for (const existing of ni.podsWithRequiredAntiAffinity) {
      updateWithAntiAffinityTerms(s.existingAntiAffinityCounts, existing.requiredAntiAffinityTerms, pod.pod, s.namespaceLabels, ni.node, 1);
    }
  }
  if (s.requiredAffinity.length > 0 || s.requiredAntiAffinity.length > 0) {
    for (const ni of allNodes) {
      if (!ni.node) continue;
      for (const existing of ni.pods) {
        updateWithAffinityTerms(s.affinityCounts, s.requiredAffinity, existing.pod, ni.node, 1);
        updateWithAntiAffinityTerms(s.antiAffinityCounts, s.requiredAntiAffinity, existing.pod, undefined, ni.node, 1);
      }
    }
  }
  return s;
}

export function satisfiesPodAffinity(s: PreFilterState, nodeInfo: NodeInfo): boolean {
  let podsExist = true;
  const labels = nodeInfo.labels;
  for (const t of s.requiredAffinity) {
    const v = labels?.[t.topologyKey];
    if (v === undefined) return false;
    if ((s.affinityCounts.get(pairKey(t.topologyKey, v)) ?? 0) <= 0) podsExist = false;
  }
  if (podsExist) return true;
  // The first pod of a group with affinity to itself may go anywhere that has the topology keys.
  return s.affinityCounts.size === 0 && podMatchesAllTerms(s.requiredAffinity, s.pod.pod);
}

export function satisfiesPodAntiAffinity(s: PreFilterState, nodeInfo: NodeInfo): boolean {
  if (s.antiAffinityCounts.size === 0) return true;
  const labels = nodeInfo.labels;
  for (const t of s.requiredAntiAffinity) {
    const v = labels?.[t.topologyKey];
    if (v !== undefined && (s.antiAffinityCounts.get(pairKey(t.topologyKey, v)) ?? 0) > 0) return false;
  }
  return true;
}

export function satisfiesExistingPodsAntiAffinity(s: PreFilterState, nodeInfo: NodeInfo): boolean {
  if (s.existingAntiAffinityCounts.size === 0) return true;
  const labels = nodeInfo.labels;
  if (!labels) return true;
  for (const k in labels) if ((s.existingAntiAffinityCounts.get(pairKey(k, labels[k]!)) ?? 0) > 0) return false;
  return true;
}
