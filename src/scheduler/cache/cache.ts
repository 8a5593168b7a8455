// The scheduler cache (upstream internal/cache): NodeInfos built from the node and pod informers,
// plus assumed pods — pods the scheduler has placed but whose binding the API server has not yet
// confirmed. Assuming a pod charges its node at once so the next cycle sees the space taken while
// the bind call runs in the background; the informer's add confirms it and a failed bind forgets
// it. NodeInfos sit in a most-recently-changed list so a snapshot update copies only the changed.

import type { Logger } from 'pino';
import type { Node } from '../api-types.ts';
import type { PodInfo } from '../framework/pod-info.ts';
import { NO_IMAGES, NodeInfo, type ImageStateSummary } from './node-info.ts';
import { NodeTree, zoneKey } from './node-tree.ts';
import type { Snapshot } from './snapshot.ts';

interface Item {
  info: NodeInfo;
  prev: Item | undefined;
  next: Item | undefined;
}

interface PodState {
  pi: PodInfo;
  bindingFinished: boolean;
}

interface ImageState {
  summary: ImageStateSummary;
  nodes: Set<string>;
}

export class SchedulerCache {
  readonly #nodes = new Map<string, Item>();
  #head: Item | undefined;
  readonly #tree = new NodeTree();
  readonly #pods = new Map<string, PodState>();
  readonly #assumed = new Set<string>();
  readonly #images = new Map<string, ImageState>();
  readonly #logger: Logger | undefined;

  constructor(logger?: Logger) {
    this.#logger = logger;
  }

  get nodeCount(): number {
    return this.#tree.numNodes;
  }

  get podCount(): number {
    return this.#pods.size;
  }

  get assumedCount(): number {
    return this.#assumed.size;
  }

  isAssumed(uid: string): boolean {
    return this.#assumed.has(uid);
  }

  getPod(uid: string): PodInfo | undefined {
    return this.#pods.get(uid)?.pi;
  }

  nodeInfo(name: string): NodeInfo | undefined {
    return this.#nodes.get(name)?.info;
  }

  // ---- pods ----

  /** Charges `pi` (whose spec.nodeName names the chosen node) to its node before the bind is confirmed. */
  assumePod(pi: PodInfo): void {
    if (this.#pods.has(pi.uid)) throw new Error(`pod ${pi.key} (${pi.uid}) is already in the cache, so can't be assumed`);
    this.#addToNode(pi);
    this.#pods.set(pi.uid, { pi, bindingFinished: false });
    this.#assumed.add(pi.uid);
  }

  finishBinding(uid: string): void {
    const s = this.#pods.get(uid);
    if (s && this.#assumed.has(uid)) s.bindingFinished = true;
  }

  /** Undoes assumePod after a failed bind (or Reserve/Permit rejection). */
  forgetPod(pi: PodInfo): void {
    const s = this.#pods.get(pi.uid);
    if (!s || !this.#assumed.has(pi.uid)) return;
    this.#removeFromNode(s.pi);
    this.#pods.delete(pi.uid);
    this.#assumed.delete(pi.uid);
  }

  /** A bound pod seen by the informer: confirms an assumed pod or adds a new one. */
  addPod(pi: PodInfo): void {
    const s = this.#pods.get(pi.uid);
    if (s && this.#assumed.has(pi.uid)) {
      // The informer's copy is the truth, including when it landed elsewhere than assumed.
      this.#removeFromNode(s.pi);
      this.#addToNode(pi);
      this.#assumed.delete(pi.uid);
      this.#pods.set(pi.uid, { pi, bindingFinished: true });
      return;
    }
    if (s) {
      this.updatePod(s.pi, pi);
      return;
    }
    this.#addToNode(pi);
    this.#pods.set(pi.uid, { pi, bindingFinished: true });
  }

  updatePod(_old: PodInfo, next: PodInfo): void {
    const s = this.#pods.get(next.uid);
    if (!s) {
      this.addPod(next);
      return;
    }
    this.#removeFromNode(s.pi);
    this.#addToNode(next);
    this.#assumed.delete(next.uid);
    this.#pods.set(next.uid, { pi: next, bindingFinished: true });
  }

  removePod(pi: PodInfo): void {
    const s = this.#pods.get(pi.uid);
    if (!s) return;
    this.#removeFromNode(s.pi);
    this.#pods.delete(pi.uid);
    this.#assumed.delete(pi.uid);
  }

  #addToNode(pi: PodInfo): void {
    let item = this.#nodes.get(pi.nodeName);
    if (!item) {
      item = { info: new NodeInfo(pi.nodeName), prev: undefined, next: undefined };
      this.#nodes.set(pi.nodeName, item);
    }
    item.info.addPod(pi);
    this.#moveToHead(item);
  }

  #removeFromNode(pi: PodInfo): void {
    const item = this.#nodes.get(pi.nodeName);
    if (!item) return;
    if (!item.info.removePod(pi)) this.#logger?.warn({ pod: pi.key, node: pi.nodeName }, 'scheduler cache: pod was not on its node');
    if (!item.info.node && item.info.pods.length === 0) this.#removeItem(item);
    else this.#moveToHead(item);
  }

  // ---- nodes ----

  addNode(node: Node): void {
    const name = node.metadata.name ?? '';
    let item = this.#nodes.get(name);
    if (!item) {
      item = { info: new NodeInfo(name), prev: undefined, next: undefined };
      this.#nodes.set(name, item);
    } else if (item.info.node) {
      this.#removeImages(item.info.node);
    }
    item.info.setNode(node);
    item.info.imageStates = this.#addImages(node);
    this.#tree.add(node);
    this.#moveToHead(item);
  }

  updateNode(_old: Node, node: Node): void {
    this.addNode(node);
  }

  removeNode(node: Node): void {
    const name = node.metadata.name ?? '';
    const item = this.#nodes.get(name);
    if (!item) return;
    if (item.info.node) this.#removeImages(item.info.node);
    this.#tree.remove(name);
    // Pods may still point at the node until their deletes arrive: keep their NodeInfo, nodeless.
    if (item.info.pods.length > 0) {
      item.info.clearNode();
      this.#moveToHead(item);
    } else {
      this.#removeItem(item);
    }
  }

  #addImages(node: Node): ReadonlyMap<string, ImageStateSummary> {
    if (!node.status?.images?.length) return NO_IMAGES;
    const out = new Map<string, ImageStateSummary>();
    const name = node.metadata.name ?? '';
    for (const image of node.status?.images ?? []) {
      for (const n of image.names ?? []) {
        let s = this.#images.get(n);
        if (!s) this.#images.set(n, (s = { summary: { size: image.sizeBytes ?? 0, numNodes: 0 }, nodes: new Set() }));
        s.nodes.add(name);
        s.summary.numNodes = s.nodes.size;
        out.set(n, s.summary);
      }
    }
    return out;
  }

  #removeImages(node: Node): void {
    const name = node.metadata.name ?? '';
    for (const image of node.status?.images ?? []) {
      for (const n of image.names ?? []) {
        const s = this.#images.get(n);
        if (!s) continue;
        s.nodes.delete(name);
        s.summary.numNodes = s.nodes.size;
        if (s.nodes.size === 0) this.#images.delete(n);
      }
    }
  }

  // ---- recency list ----

  #moveToHead(item: Item): void {
    if (this.#head === item) return;
    this.#unlink(item);
    item.next = this.#head;
    if (this.#head) this.#head.prev = item;
    this.#head = item;
  }

  #unlink(item: Item): void {
    if (item.prev) item.prev.next = item.next;
    if (item.next) item.next.prev = item.prev;
    if (this.#head === item) this.#head = item.next;
    item.prev = item.next = undefined;
  }

  #removeItem(item: Item): void {
    this.#unlink(item);
    this.#nodes.delete(item.info.name);
  }

  // ---- snapshot ----

  /** Brings `snapshot` up to date, copying the NodeInfos that changed since its last update. */
  updateSnapshot(snapshot: Snapshot): void {
    let rebuildList = false;
    let refreshLists = false;
    for (let item = this.#head; item; item = item.next) {
      if (item.info.generation <= snapshot.generation) break;
      const info = item.info;
      if (!info.node) continue;
      const existing = snapshot.nodeInfoMap.get(info.name);
      if (!existing) {
        snapshot.nodeInfoMap.set(info.name, info.clone());
        rebuildList = true;
        continue;
      }
      if (
        existing.podsWithAffinity.length > 0 !== info.podsWithAffinity.length > 0 ||
        existing.podsWithRequiredAntiAffinity.length > 0 !== info.podsWithRequiredAntiAffinity.length > 0 ||
        existing.pvcRefCounts.size !== info.pvcRefCounts.size
      ) {
        refreshLists = true;
      }
      if (existing.node !== info.node && existing.node && info.node && zoneKey(existing.node) !== zoneKey(info.node)) rebuildList = true;
      // Keep the object (nodeInfoList holds it) and its Resource objects.
      existing.copyFrom(info);
    }
    if (this.#head) snapshot.generation = Math.max(snapshot.generation, this.#head.info.generation);
    if (snapshot.nodeInfoMap.size > this.#tree.numNodes) {
      for (const name of [...snapshot.nodeInfoMap.keys()]) {
        if (!this.#nodes.get(name)?.info.node) snapshot.nodeInfoMap.delete(name);
      }
      rebuildList = true;
    }
    if (rebuildList || snapshot.nodeInfoList.length !== this.#tree.numNodes) {
      snapshot.nodeInfoList = this.#tree.list().flatMap((n) => {
        const ni = snapshot.nodeInfoMap.get(n);
        return ni ? [ni] : [];
      });
      snapshot.packHot();
      refreshLists = true;
    }
    if (refreshLists) snapshot.refreshLists();
  }
}
