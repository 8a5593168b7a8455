// NodeInfo: one node with the aggregate state of the pods on it (upstream framework.NodeInfo):
// requested and non-zero-requested resources, used host ports, image states, PVC references and
// the pods that carry (anti-)affinity. Every mutation takes a new generation so the snapshot can
// copy only what changed since its last update.

import type { Node, Taint } from '../api-types.ts';
import type { HostPort, PodInfo } from '../framework/pod-info.ts';
import { Resource } from '../framework/resources.ts';
import type { ChangeLog } from './change-log.ts';

let generation = 0;
export const nextGeneration = (): number => ++generation;

export interface ImageStateSummary {
  size: number;
  /** How many nodes have the image (shared with the cache, so it follows node changes). */
  numNodes: number;
}

/** Host ports in use: ip -> "protocol/port". */
export type HostPortInfo = Map<string, Set<string>>;

const ANY_IP = '0.0.0.0';

/** Shared by every node without taints or images: Filter and Score touch these for each node, and one hot object beats thousands of empty ones. */
const NO_TAINTS: readonly Taint[] = Object.freeze([]);
export const NO_IMAGES: ReadonlyMap<string, ImageStateSummary> = new Map();

/**
 * Layout of NodeInfo.hot: the amounts NodeResourcesFit and NodeResourcesBalancedAllocation read
 * on hundreds of nodes per pod, as doubles in one row. In Resource objects memory sizes are boxed
 * numbers (too big for small integers), each a pointer away; the snapshot packs the rows of all
 * its nodes in one array in list order, so a cycle's walk over consecutive nodes reads
 * consecutive memory. The Resource objects and pods stay the source of truth: every change to
 * them goes through NodeInfo, which rewrites the row.
 */
export const HOT_PODS = 0;
export const HOT_ALLOC_PODS = 1;
export const HOT_ALLOC_CPU = 2;
export const HOT_ALLOC_MEMORY = 3;
export const HOT_REQ_CPU = 4;
export const HOT_REQ_MEMORY = 5;
export const HOT_NONZERO_CPU = 6;
export const HOT_NONZERO_MEMORY = 7;
export const HOT_SIZE = 8;

export function portsConflict(used: HostPortInfo, p: HostPort): boolean {
  if (p.port <= 0) return false;
  const key = `${p.protocol}/${p.port}`;
  if (p.ip === ANY_IP) {
    for (const set of used.values()) if (set.has(key)) return true;
    return false;
  }
  return !!used.get(ANY_IP)?.has(key) || !!used.get(p.ip)?.has(key);
}

export class NodeInfo {
  node: Node | undefined;
  name: string;
  pods: PodInfo[] = [];
  podsWithAffinity: PodInfo[] = [];
  podsWithRequiredAntiAffinity: PodInfo[] = [];
  usedPorts: HostPortInfo = new Map();
  requested = new Resource();
  nonZeroRequested = new Resource();
  allocatable = new Resource();
  imageStates: ReadonlyMap<string, ImageStateSummary> = NO_IMAGES;
  pvcRefCounts: Map<string, number> = new Map();
  taints: readonly Taint[] = NO_TAINTS;
  /** spec.unschedulable of the node (read by NodeUnschedulable on every node of every cycle). */
  unschedulable = false;
  /** The node's labels (node.metadata.labels, one hop instead of three for the plugins that read them per node). */
  labels: Readonly<Record<string, string>> | undefined;
  generation = nextGeneration();
  /** This node's row of hot amounts (HOT_*) starts at hot[hotAt]; own array until a snapshot packs it into its table. */
  hot: Float64Array = new Float64Array(HOT_SIZE);
  hotAt = 0;
  /** The change log of the snapshot holding this NodeInfo (set by Snapshot.packHot); every mutation is appended to it. */
  log: ChangeLog<NodeInfo> | undefined;

  constructor(name: string, node?: Node) {
    this.name = name;
    if (node) this.setNode(node);
  }


  setNode(node: Node): void {
    this.node = node;
    this.labels = node.metadata.labels;
    this.allocatable = Resource.fromList(node.status?.allocatable ?? node.status?.capacity);
    this.taints = node.spec?.taints?.length ? node.spec.taints : NO_TAINTS;
    this.unschedulable = !!node.spec?.unschedulable;
    this.generation = nextGeneration();
    this.#changed();
  }

  /** Forgets the node (its pods may still be here until their deletes arrive). */
  clearNode(): void {
    this.node = undefined;
    this.labels = undefined;
    this.imageStates = NO_IMAGES;
    this.taints = NO_TAINTS;
    this.unschedulable = false;
    this.generation = nextGeneration();
    this.#changed();
  }

  addPod(pi: PodInfo): void {
    this.pods.push(pi);
    if (pi.hasAffinity) this.podsWithAffinity.push(pi);
    if (pi.hasRequiredAntiAffinity) this.podsWithRequiredAntiAffinity.push(pi);
    this.#account(pi, 1);
  }

  /** Moves this node's row of hot amounts to `table` at `at` (the snapshot packs its nodes' rows). */
  placeHot(table: Float64Array, at: number): void {
    table.set(this.hot.subarray(this.hotAt, this.hotAt + HOT_SIZE), at);
    this.hot = table;
    this.hotAt = at;
  }

  /** After every mutation: rewrites the row of hot amounts and tells the snapshot's change log. */
  #changed(): void {
    this.log?.push(this);
    const h = this.hot;
    const o = this.hotAt;
    h[o + HOT_PODS] = this.pods.length;
    h[o + HOT_ALLOC_PODS] = this.allocatable.allowedPodNumber;
    h[o + HOT_ALLOC_CPU] = this.allocatable.milliCPU;
    h[o + HOT_ALLOC_MEMORY] = this.allocatable.memory;
    h[o + HOT_REQ_CPU] = this.requested.milliCPU;
    h[o + HOT_REQ_MEMORY] = this.requested.memory;
    h[o + HOT_NONZERO_CPU] = this.nonZeroRequested.milliCPU;
    h[o + HOT_NONZERO_MEMORY] = this.nonZeroRequested.memory;
  }

  /** Removes the pod with the UID of `pi`; returns false when it is not here. */
  removePod(pi: PodInfo): boolean {
    const i = this.pods.findIndex((p) => p.uid === pi.uid);
    if (i < 0) return false;
    const stored = this.pods[i]!;
    this.pods[i] = this.pods[this.pods.length - 1]!;
    this.pods.pop();
    removeByUid(this.podsWithAffinity, pi.uid);
    removeByUid(this.podsWithRequiredAntiAffinity, pi.uid);
    this.#account(stored, -1);
    return true;
  }

  #account(pi: PodInfo, sign: 1 | -1): void {
    this.requested.addResource(pi.requests, sign);
    this.nonZeroRequested.milliCPU += sign * pi.nonZeroMilliCPU;
    this.nonZeroRequested.memory += sign * pi.nonZeroMemory;
    for (const p of pi.hostPorts) {
      const key = `${p.protocol}/${p.port}`;
      if (sign > 0) {
        let set = this.usedPorts.get(p.ip);
        if (!set) this.usedPorts.set(p.ip, (set = new Set()));
        set.add(key);
      } else {
        const set = this.usedPorts.get(p.ip);
        set?.delete(key);
        if (set?.size === 0) this.usedPorts.delete(p.ip);
      }
    }
    for (const k of pi.pvcKeys) {
      const n = (this.pvcRefCounts.get(k) ?? 0) + sign;
      if (n <= 0) this.pvcRefCounts.delete(k);
      else this.pvcRefCounts.set(k, n);
    }
    this.generation = nextGeneration();
    this.#changed();
  }

  /** A copy that can be changed without touching this one (pod lists, resources and ports are copied). */
  clone(): NodeInfo {
    const c = new NodeInfo(this.name);
    c.copyFrom(this);
    return c;
  }

  /**
   * Makes this NodeInfo a copy of `other` (as clone() would) in place: the snapshot refreshes its
   * NodeInfos this way, so their Resource objects (allocatable included) stay the ones allocated
   * with them, next to them in memory, instead of a fresh set per change. Filter and Score read
   * them on hundreds of nodes per pod: scattered objects cost a cache miss each.
   */
  copyFrom(other: NodeInfo): void {
    this.name = other.name;
    this.node = other.node;
    this.labels = other.labels;
    this.pods = other.pods.slice();
    this.podsWithAffinity = other.podsWithAffinity.length > 0 ? other.podsWithAffinity.slice() : [];
    this.podsWithRequiredAntiAffinity = other.podsWithRequiredAntiAffinity.length > 0 ? other.podsWithRequiredAntiAffinity.slice() : [];
    this.usedPorts = new Map();
    for (const [ip, set] of other.usedPorts) this.usedPorts.set(ip, new Set(set));
    this.requested.copyFrom(other.requested);
    this.nonZeroRequested.copyFrom(other.nonZeroRequested);
    this.allocatable.copyFrom(other.allocatable);
    this.imageStates = other.imageStates;
    this.pvcRefCounts = other.pvcRefCounts.size > 0 ? new Map(other.pvcRefCounts) : new Map();
    this.taints = other.taints;
    this.unschedulable = other.unschedulable;
    this.generation = other.generation;
    this.#changed();
  }
}

function removeByUid(list: PodInfo[], uid: string): void {
  const i = list.findIndex((p) => p.uid === uid);
  if (i >= 0) list.splice(i, 1);
}
