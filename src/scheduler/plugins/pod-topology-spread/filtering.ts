// PodTopologySpread filtering (DoNotSchedule constraints): PreFilter counts the matching pods per
// topology domain over every eligible node and keeps the two smallest counts per constraint
// (the "critical paths"); Filter admits a node when
//   matching pods in its domain + (1 if the pod matches itself) - global minimum <= maxSkew,
// where the global minimum is 0 while fewer than minDomains domains exist.

import type { Node } from '../../api-types.ts';
import type { NodeInfo } from '../../cache/node-info.ts';
import type { StateData } from '../../framework/cycle-state.ts';
import { RequiredNodeAffinity } from '../../framework/node-selector.ts';
import type { PodInfo } from '../../framework/pod-info.ts';
import { Status } from '../../framework/status.ts';
import { Names } from '../names.ts';
import { countMatching, nodeHasAllKeys, nodeIncluded, type Constraint } from './common.ts';
import type { DomainCounts } from './domain-counts.ts';

export const ERR_REASON_CONSTRAINTS = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_MISSING_LABEL = ERR_REASON_CONSTRAINTS + ' (missing required label)';

export const PREFILTER_KEY = 'PreFilter' + Names.PodTopologySpread;

const MISSING_LABEL = Status.unresolvable(Names.PodTopologySpread, ERR_REASON_MISSING_LABEL);
const SKEWED = Status.unschedulable(Names.PodTopologySpread, ERR_REASON_CONSTRAINTS);

/** The two domains with the fewest matching pods (upstream criticalPaths). */
export class CriticalPaths {
  v0 = '';
  n0 = Number.MAX_SAFE_INTEGER;
  v1 = '';
  n1 = Number.MAX_SAFE_INTEGER;

  update(value: string, num: number): void {
    if (value === this.v0 || value === this.v1) {
      if (value === this.v0) this.n0 = num;
      else this.n1 = num;
      if (this.n0 > this.n1) {
        [this.v0, this.v1] = [this.v1, this.v0];
        [this.n0, this.n1] = [this.n1, this.n0];
      }
    } else if (num < this.n0) {
      this.v1 = this.v0;
      this.n1 = this.n0;
      this.v0 = value;
      this.n0 = num;
    } else if (num < this.n1) {
      this.v1 = value;
      this.n1 = num;
    }
  }

  clone(): CriticalPaths {
    return Object.assign(new CriticalPaths(), this);
  }
}

export class PreFilterState implements StateData {
  constraints: Constraint[] = [];
  /** Per constraint: domain value -> matching pods. */
  tpValueToMatchNum: Map<string, number>[] = [];
  criticalPaths: CriticalPaths[] = [];
  /** Per constraint: 1 if the incoming pod matches its own selector (it would count itself). */
  selfMatch: number[] = [];
  /** The maps and paths are shared with the plugin's DomainCounts: copy them before changing them. */
  shared = false;

  clone(): StateData {
    const c = new PreFilterState();
    c.constraints = this.constraints;
    c.tpValueToMatchNum = this.tpValueToMatchNum.map((m) => new Map(m));
    c.criticalPaths = this.criticalPaths.map((p) => p.clone());
    c.selfMatch = this.selfMatch;
    return c;
  }

  /** Copy-on-write for the shared counts. */
  own(): void {
    if (!this.shared) return;
    this.tpValueToMatchNum = this.tpValueToMatchNum.map((m) => new Map(m));
    this.criticalPaths = this.criticalPaths.map((p) => p.clone());
    this.shared = false;
  }

  minMatchNum(i: number): number {
    const c = this.constraints[i]!;
    if (this.tpValueToMatchNum[i]!.size < c.minDomains) return 0;
    return this.criticalPaths[i]!.n0;
  }
}

const pathsOf = (counts: readonly Map<string, number>[]): CriticalPaths[] =>
  counts.map((m) => {
    const p = new CriticalPaths();
    for (const [v, n] of m) p.update(v, n);
    return p;
  });

const selfMatches = (pod: PodInfo, constraints: readonly Constraint[]): number[] => constraints.map((c) => (c.selector.matches(pod.pod.metadata.labels) ? 1 : 0));

const derivedPaths = new WeakMap<DomainCounts, { version: number; paths: CriticalPaths[] }>();

/** The state from counts kept across cycles (see DomainCounts): shared, copied on first change. */
export function preFilterStateFrom(pod: PodInfo, constraints: Constraint[], counts: DomainCounts): PreFilterState {
  let d = derivedPaths.get(counts);
  if (!d || d.version !== counts.version) derivedPaths.set(counts, (d = { version: counts.version, paths: pathsOf(counts.counts) }));
  const s = new PreFilterState();
  s.constraints = constraints;
  s.tpValueToMatchNum = counts.counts;
  s.criticalPaths = d.paths;
  s.selfMatch = selfMatches(pod, constraints);
  s.shared = true;
  return s;
}

export function computePreFilterState(pod: PodInfo, constraints: Constraint[], nodes: readonly NodeInfo[]): PreFilterState {
  const s = new PreFilterState();
  s.constraints = constraints;
  s.selfMatch = selfMatches(pod, constraints);
  s.tpValueToMatchNum = constraints.map(() => new Map());
  const required = new RequiredNodeAffinity(pod.pod);
  for (const ni of nodes) {
    const node = ni.node;
    if (!node || !nodeHasAllKeys(node.metadata.labels, constraints)) continue;
    const labels = node.metadata.labels!;
    for (let i = 0; i < constraints.length; i++) {
      const c = constraints[i]!;
      if (!nodeIncluded(c, pod.pod, node, required)) continue;
      const value = labels[c.topologyKey]!;
      const m = s.tpValueToMatchNum[i]!;
      m.set(value, (m.get(value) ?? 0) + countMatching(ni.pods, c.selector, pod.namespace));
    }
  }
  s.criticalPaths = pathsOf(s.tpValueToMatchNum);
  return s;
}

export function filterNode(s: PreFilterState, pod: PodInfo, nodeInfo: NodeInfo): Status | undefined {
  const labels = nodeInfo.labels;
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i]!;
    const value = labels?.[c.topologyKey];
    if (value === undefined) return MISSING_LABEL;
    const matchNum = s.tpValueToMatchNum[i]!.get(value) ?? 0;
    if (matchNum + s.selfMatch[i]! - s.minMatchNum(i) > c.maxSkew) return SKEWED;
  }
  return undefined;
}

/** PreFilterExtensions: preemption adds (delta 1) or removes (delta -1) a pod on `node`. */
export function updateWithPod(s: PreFilterState, changed: PodInfo, preemptor: PodInfo, node: Node | undefined, delta: number): void {
  if (!node || changed.namespace !== preemptor.namespace) return;
  if (!nodeHasAllKeys(node.metadata.labels, s.constraints)) return;
  s.own();
  const required = new RequiredNodeAffinity(preemptor.pod);
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i]!;
    if (!c.selector.matches(changed.pod.metadata.labels)) continue;
    if (!nodeIncluded(c, preemptor.pod, node, required)) continue;
    const v = node.metadata.labels![c.topologyKey]!;
    const m = s.tpValueToMatchNum[i]!;
    const n = (m.get(v) ?? 0) + delta;
    m.set(v, n);
    s.criticalPaths[i]!.update(v, n);
  }
}
