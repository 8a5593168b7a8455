// NodeInfo: one node with the aggregate state of the pods on it (upstream framework.NodeInfo):
// requested and non-zero-requested resources, used host ports, image states, PVC references and
// the pods that carry (anti-)affinity. Every mutation takes a new generation so the snapshot can
// copy only what changed since its last update.

import type { Node, Taint } from '../api-types.ts';
import type { HostPort, PodInfo } from '../framework/pod-info.ts';
import { Resource } from '../framework/resources.ts';

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
  imageStates: Map<string, ImageStateSummary> = new Map();
  pvcRefCounts: Map<string, number> = new Map();
  taints: readonly Taint[] = [];
  generation = nextGeneration();

  constructor(name: string, node?: Node) {
    this.name = name;
    if (node) this.setNode(node);
  }

  get labels(): Readonly<Record<string, string>> | undefined {
    return this.node?.metadata.labels;
  }

  setNode(node: Node): void {
    this.node = node;
    this.allocatable = Resource.fromList(node.status?.allocatable ?? node.status?.capacity);
    this.taints = node.spec?.taints ?? [];
    this.generation = nextGeneration();
  }

  addPod(pi: PodInfo): void {
    this.pods.push(pi);
    if (pi.hasAffinity) this.podsWithAffinity.push(pi);
    if (pi.hasRequiredAntiAffinity) this.podsWithRequiredAntiAffinity.push(pi);
    this.#account(pi, 1);
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
  }

  /** A copy that can be changed without touching this one (pod lists, resources and ports are copied). */
  clone(): NodeInfo {
    const c = new NodeInfo(this.name);
    c.node = this.node;
    c.pods = this.pods.slice();
    c.podsWithAffinity = this.podsWithAffinity.slice();
    c.podsWithRequiredAntiAffinity = this.podsWithRequiredAntiAffinity.slice();
    c.usedPorts = new Map();
    for (const [ip, set] of this.usedPorts) c.usedPorts.set(ip, new Set(set));
    c.requested = this.requested.clone();
    c.nonZeroRequested = this.nonZeroRequested.clone();
    c.allocatable = this.allocatable;
    c.imageStates = this.imageStates;
    c.pvcRefCounts = new Map(this.pvcRefCounts);
    c.taints = this.taints;
    c.generation = this.generation;
    return c;
  }
}

function removeByUid(list: PodInfo[], uid: string): void {
  const i = list.findIndex((p) => p.uid === uid);
  if (i >= 0) list.splice(i, 1);
}
