// Matching pods per topology domain over every node of the snapshot — what PodTopologySpread's
// PreFilter and PreScore would otherwise recount for each pod from every pod on every node — kept
// per counting signature and brought up to date from the snapshot's change log, so a cycle costs
// the nodes that changed since the last pod with the same signature. The counts equal a fresh
// count, in the same domain order: when a domain would appear or vanish, they are recounted.

import type { Pod } from '../../api-types.ts';
import { LABEL_HOSTNAME } from '../../api-types.ts';
import type { ChangeLog } from '../../cache/change-log.ts';
import type { NodeInfo } from '../../cache/node-info.ts';
import { RequiredNodeAffinity } from '../../framework/node-selector.ts';
import type { PodInfo } from '../../framework/pod-info.ts';
import { countMatching, HONOR, nodeHasAllKeys, nodeIncluded, type Constraint } from './common.ts';

/**
 * How nodes count. filter: only nodes with every constraint's key (PreFilter). score: hostname
 * constraints are not counted, and a missing key counts as the domain '' unless requireAll.
 */
export type CountMode = 'filter' | 'score' | 'score-all';

/** One node's share: per constraint its domain (undefined: the node does not count) and matching pods. */
interface Share {
  values: (string | undefined)[];
  counts: number[];
}

export class DomainCounts {
  /** Per constraint: domain -> matching pods, in the order a fresh count meets the domains. */
  readonly counts: Map<string, number>[];
  /** Bumped whenever a count changes (for state derived from the counts). */
  version = 0;
  /** How many times every node was counted (tests check the incremental path is taken). */
  recounts = 0;
  readonly #constraints: readonly Constraint[];
  readonly #pod: Pod;
  readonly #namespace: string;
  readonly #mode: CountMode;
  readonly #required: RequiredNodeAffinity;
  /** Per constraint: domain -> nodes counted in it. */
  #nodes: Map<string, number>[];
  readonly #shares = new Map<NodeInfo, Share>();
  /** Matching pods on one node per constraint, remembered with the node's generation (hostname scoring). */
  readonly #onNode = new Map<NodeInfo, { generation: number; counts: (number | undefined)[] }>();
  #list: readonly NodeInfo[] | undefined;
  #log: ChangeLog<NodeInfo> | undefined;
  #seen = 0;

  constructor(pod: PodInfo, constraints: readonly Constraint[], mode: CountMode) {
    this.#constraints = constraints;
    this.#pod = pod.pod;
    this.#namespace = pod.namespace;
    this.#mode = mode;
    this.#required = new RequiredNodeAffinity(pod.pod);
    this.counts = constraints.map(() => new Map());
    this.#nodes = constraints.map(() => new Map());
  }

  /**
   * The pods on `ni` matching constraint i's selector in the pod's namespace (countMatching), for
   * any node: remembered until the node changes, so pods of one signature count each node once.
   */
  podsOnNode(ni: NodeInfo, i: number): number {
    let m = this.#onNode.get(ni);
    if (!m || m.generation !== ni.generation) {
      if (this.#onNode.size > 4 * (this.#list?.length ?? 0) + 1024) this.#onNode.clear();
      this.#onNode.set(ni, (m = { generation: ni.generation, counts: [] }));
    }
    let n = m.counts[i];
    if (n === undefined) m.counts[i] = n = countMatching(ni.pods, this.#constraints[i]!.selector, this.#namespace);
    return n;
  }

  /** Brings the counts to the state of `list` (the snapshot's nodeInfoList, whose changes `log` records). */
  sync(list: readonly NodeInfo[], log: ChangeLog<NodeInfo>): void {
    if (list !== this.#list || log !== this.#log) return this.#recount(list, log);
    const changed = log.since(this.#seen);
    if (!changed) return this.#recount(list, log);
    for (const ni of changed) if (!this.#update(ni)) return this.#recount(list, log);
    this.#seen = log.end;
  }

  #recount(list: readonly NodeInfo[], log: ChangeLog<NodeInfo>): void {
    this.#shares.clear();
    for (let i = 0; i < this.counts.length; i++) {
      this.counts[i] = new Map();
      this.#nodes[i] = new Map();
    }
    for (const ni of list) {
      const share = this.#share(ni);
      if (!share) continue;
      this.#shares.set(ni, share);
      for (let i = 0; i < share.values.length; i++) {
        const v = share.values[i];
        if (v === undefined) continue;
        this.counts[i]!.set(v, (this.counts[i]!.get(v) ?? 0) + share.counts[i]!);
        this.#nodes[i]!.set(v, (this.#nodes[i]!.get(v) ?? 0) + 1);
      }
    }
    this.#list = list;
    this.#log = log;
    this.#seen = log.end;
    this.version++;
    this.recounts++;
  }

  /** Applies one node's change; false when a domain would appear or vanish (the caller recounts). */
  #update(ni: NodeInfo): boolean {
    const old = this.#shares.get(ni);
    const next = this.#share(ni);
    for (let i = 0; i < this.#constraints.length; i++) {
      const was = old?.values[i];
      const now = next?.values[i];
      if (was === now && was !== undefined && old!.counts[i] === next!.counts[i]) continue;
      if (was === undefined && now === undefined) continue;
      if (was !== now) {
        if (was !== undefined && this.#nodes[i]!.get(was) === 1) return false;
        if (now !== undefined && !this.#nodes[i]!.has(now)) return false;
        if (was !== undefined) this.#nodes[i]!.set(was, this.#nodes[i]!.get(was)! - 1);
        if (now !== undefined) this.#nodes[i]!.set(now, this.#nodes[i]!.get(now)! + 1);
      }
      const m = this.counts[i]!;
      if (was !== undefined) m.set(was, m.get(was)! - old!.counts[i]!);
      if (now !== undefined) m.set(now, m.get(now)! + next!.counts[i]!);
      this.version++;
    }
    if (next) this.#shares.set(ni, next);
    else this.#shares.delete(ni);
    return true;
  }

  #share(ni: NodeInfo): Share | undefined {
    const node = ni.node;
    if (!node) return undefined;
    const labels = node.metadata.labels;
    const cs = this.#constraints;
    if (this.#mode !== 'score' && !nodeHasAllKeys(labels, cs)) return undefined;
    const values: (string | undefined)[] = new Array(cs.length);
    const counts: number[] = new Array(cs.length).fill(0);
    let any = false;
    for (let i = 0; i < cs.length; i++) {
      const c = cs[i]!;
      if ((this.#mode !== 'filter' && c.topologyKey === LABEL_HOSTNAME) || !nodeIncluded(c, this.#pod, node, this.#required)) {
        values[i] = undefined;
        continue;
      }
      values[i] = this.#mode === 'filter' ? labels![c.topologyKey]! : (labels?.[c.topologyKey] ?? '');
      counts[i] = countMatching(ni.pods, c.selector, this.#namespace);
      any = true;
    }
    return any ? { values, counts } : undefined;
  }
}

/** What makes two pods' counts the same: mode, namespace, the constraints' keys, selectors and policies, and what the policies read of the pod. */
export function countSignature(pod: PodInfo, constraints: readonly Constraint[], mode: CountMode): string {
  const spec = pod.pod.spec;
  const affinity = constraints.some((c) => c.nodeAffinityPolicy === HONOR) ? [spec?.nodeSelector ?? null, spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? null] : null;
  const tolerations = constraints.some((c) => c.nodeTaintsPolicy === HONOR) ? (spec?.tolerations ?? null) : null;
  return JSON.stringify([mode, pod.namespace, constraints.map((c) => [c.topologyKey, c.selectorKey, c.nodeAffinityPolicy, c.nodeTaintsPolicy]), affinity, tolerations]);
}

/** The DomainCounts of recent signatures, least recently used dropped first. */
export class DomainCountsCache {
  readonly #entries = new Map<string, DomainCounts>();
  readonly #max: number;

  constructor(max = 16) {
    this.#max = max;
  }

  /** The counts for this pod and constraints, synced to `list`. */
  get(pod: PodInfo, constraints: readonly Constraint[], mode: CountMode, list: readonly NodeInfo[], log: ChangeLog<NodeInfo>): DomainCounts {
    const key = countSignature(pod, constraints, mode);
    let dc = this.#entries.get(key);
    if (dc) this.#entries.delete(key);
    else dc = new DomainCounts(pod, constraints, mode);
    this.#entries.set(key, dc);
    if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
    dc.sync(list, log);
    return dc;
  }
}
