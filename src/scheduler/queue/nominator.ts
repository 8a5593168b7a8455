// Nominated pods (upstream nominator): a pod that preempted victims is nominated to their node and
// the space is kept for it — other pods of lower priority count it as present there — until it is
// bound, deleted or nominated elsewhere. Nominations come from preemption (in memory, at once) and
// from status.nominatedNodeName seen by the informer (e.g. after a scheduler restart).

import type { PodNominator } from '../framework/interface.ts';
import type { PodInfo } from '../framework/pod-info.ts';

const NONE: readonly PodInfo[] = Object.freeze([]);

export class Nominator implements PodNominator {
  readonly #byNode = new Map<string, PodInfo[]>();
  readonly #nodeOf = new Map<string, string>();
  /** Whether the pod is still unbound in the informer cache (a bound or deleted pod is not nominated). */
  readonly #stillPending: (pi: PodInfo) => boolean;

  constructor(stillPending: (pi: PodInfo) => boolean = () => true) {
    this.#stillPending = stillPending;
  }

  nominatedPodsForNode(nodeName: string): readonly PodInfo[] {
    return this.#byNode.get(nodeName) ?? NONE;
  }

  nominatedNodeOf(uid: string): string | undefined {
    return this.#nodeOf.get(uid);
  }

  get size(): number {
    return this.#nodeOf.size;
  }

  /** Nominates `pi` to `nodeName`, or (undefined) to its status.nominatedNodeName if it has one; '' clears. */
  add(pi: PodInfo, nodeName?: string): void {
    this.delete(pi.uid);
    const target = nodeName ?? pi.pod.status?.nominatedNodeName ?? '';
    if (!target || !this.#stillPending(pi)) return;
    this.#nodeOf.set(pi.uid, target);
    const list = this.#byNode.get(target) ?? [];
    list.push(pi);
    this.#byNode.set(target, list);
  }

  delete(uid: string): void {
    const node = this.#nodeOf.get(uid);
    if (node === undefined) return;
    this.#nodeOf.delete(uid);
    const list = (this.#byNode.get(node) ?? []).filter((p) => p.uid !== uid);
    if (list.length === 0) this.#byNode.delete(node);
    else this.#byNode.set(node, list);
  }

  /** Refreshes the stored pod; keeps an in-memory nomination the update does not yet show. */
  update(oldInfo: PodInfo, newInfo: PodInfo): void {
    const oldNnn = oldInfo.pod.status?.nominatedNodeName ?? '';
    const newNnn = newInfo.pod.status?.nominatedNodeName ?? '';
    const keep = !oldNnn && !newNnn ? this.#nodeOf.get(oldInfo.uid) : undefined;
    this.delete(oldInfo.uid);
    this.add(newInfo, keep);
  }
}
