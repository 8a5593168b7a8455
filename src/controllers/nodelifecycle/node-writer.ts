// The node lifecycle controller's writes: swapping its taints on a node (read-modify-write with the
// resourceVersion as precondition, re-read on conflict, like upstream's SwapNodeControllerTaint),
// writing Unknown conditions, marking a lost node's pods not Ready, and the taint eviction's
// DisruptionTarget-then-delete of a pod.

import type { Clock, EventRecorder, RestClient } from '../../client/index.ts';
import { isConflict, isNotFound } from '../../machinery/status-error.ts';
import { metaTime } from '../util/conditions.ts';
import { podCondition, type Pod, type PodCondition } from '../util/pods.ts';
import { NODES, PODS } from '../util/refs.ts';
import { sameTaint, type Node, type NodeCondition, type Taint } from './taints.ts';

export type NodeClient = Pick<RestClient, 'get' | 'update' | 'updateStatus' | 'delete'>;

const SWAP_ATTEMPTS = 5;

/** Sets a pod condition (upstream UpdatePodCondition): the transition time moves only with the status. Returns false when nothing changes. */
function setPodCondition(pod: Pod, next: PodCondition, nowMs: number): boolean {
  const conditions = [...(pod.status?.conditions ?? [])];
  const i = conditions.findIndex((c) => c.type === next.type);
  const old = i >= 0 ? conditions[i] : undefined;
  if (old && old.status === next.status && old.reason === next.reason && old.message === next.message) return false;
  const merged = { lastProbeTime: null, ...next, lastTransitionTime: old && old.status === next.status ? (old.lastTransitionTime ?? metaTime(nowMs)) : metaTime(nowMs) } as PodCondition;
  if (i >= 0) conditions[i] = merged;
  else conditions.push(merged);
  pod.status = { ...pod.status, conditions };
  return true;
}

export class NodeWriter {
  readonly #client: NodeClient;
  readonly #clock: Clock;
  readonly #recorder: EventRecorder | undefined;

  constructor(client: NodeClient, clock: Clock, recorder?: EventRecorder) {
    this.#client = client;
    this.#clock = clock;
    this.#recorder = recorder;
  }

  /**
   * Adds `add` (stamped with timeAdded; a taint already there keeps its own) and removes
   * `remove` on the node. Starts from `cached` and re-reads on conflict. False when the node is gone.
   */
  async swapTaints(cached: Node, add: readonly Taint[], remove: readonly Taint[], signal?: AbortSignal): Promise<boolean> {
    let node = cached;
    for (let attempt = 0; ; attempt++) {
      const taints = (node.spec?.taints ?? []).filter((t) => !remove.some((r) => sameTaint(r, t)));
      const now = metaTime(this.#clock.now());
      for (const t of add) if (!taints.some((x) => sameTaint(x, t))) taints.push({ ...t, timeAdded: now });
      if (JSON.stringify(taints) === JSON.stringify(node.spec?.taints ?? [])) return true;
      const { taints: _old, ...rest } = node.spec ?? {};
      const spec = taints.length > 0 ? { ...rest, taints } : rest;
      try {
        await this.#client.update<Node>(NODES, { ...node, spec }, signal ? { signal } : {});
        return true;
      } catch (err) {
        if (isNotFound(err)) return false;
        if (!isConflict(err) || attempt + 1 >= SWAP_ATTEMPTS) throw err;
      }
      try {
        node = await this.#client.get<Node>({ ...NODES, name: cached.metadata.name ?? '' }, signal ? { signal } : {});
      } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
      }
    }
  }

  /** Writes the node's conditions (a conflict is the caller's to resolve: the kubelet may just have posted). Undefined when the node is gone. */
  async writeConditions(node: Node, conditions: NodeCondition[], signal?: AbortSignal): Promise<Node | undefined> {
    try {
      return await this.#client.updateStatus<Node>(NODES, { ...node, status: { ...node.status, conditions } }, signal ? { signal } : {});
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Upstream MarkPodsNotReady: Ready=False on each of the node's pods, with a NodeNotReady event. */
  async markPodsNotReady(pods: readonly Pod[], nodeName: string, signal?: AbortSignal): Promise<void> {
    const errors: unknown[] = [];
    for (const p of pods) {
      if (p.spec?.nodeName !== nodeName || !podCondition(p, 'Ready')) continue;
      const pod: Pod = structuredClone(p);
      if (!setPodCondition(pod, { ...podCondition(p, 'Ready')!, type: 'Ready', status: 'False' }, this.#clock.now())) continue;
      try {
        await this.#client.updateStatus<Pod>(PODS, pod, signal ? { signal } : {});
        void this.#recorder?.event(p, 'Warning', 'NodeNotReady', 'Node is not ready');
      } catch (err) {
        if (!isNotFound(err)) errors.push(err);
      }
    }
    if (errors.length > 0) throw errors[0];
  }

  /** The taint eviction's delete: DisruptionTarget (DeletionByTaintManager) first, then a delete pinned to the pod's uid. */
  async deletePod(p: Pod, signal?: AbortSignal): Promise<void> {
    const pod: Pod = structuredClone(p);
    try {
      const marked = setPodCondition(pod, { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint' }, this.#clock.now());
      if (marked) await this.#client.updateStatus<Pod>(PODS, pod, signal ? { signal } : {});
      await this.#client.delete({ ...PODS, namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '' }, { preconditions: { uid: pod.metadata.uid ?? '' }, ...(signal ? { signal } : {}) });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
