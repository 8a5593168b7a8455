// The node lifecycle controller (upstream's nodelifecycle controller with its taint eviction
// controller folded in). One workqueue carries five kinds of keys:
//   monitor         the periodic health pass over every node (monitor.ts), every monitor period
//   taint-pass      gives queued nodes their NoExecute taint at the zones' rates (zones.ts)
//   node:NAME       keeps the condition NoSchedule taints (TaintNodesByCondition) and the
//                   unschedulable taint in line with the node, and wakes its pods when its
//                   NoExecute taints change
//   pod:NS/NAME     taint eviction: deletes a pod whose node has a NoExecute taint it does not
//                   tolerate, or waits until its tolerationSeconds run out (taint-eviction.ts)
//   bound:NS/NAME   a pod just bound to a node that is not Ready is marked not Ready

import type { Logger } from 'pino';
import type { Clock, EventRecorder, Lister } from '../../client/index.ts';
import { objectKey, realClock, splitKey } from '../../client/index.ts';
import { Controller } from '../runtime/controller.ts';
import { common, type ControllerContext } from '../runtime/context.ts';
import type { Reconciler, Result } from '../runtime/reconciler.ts';
import type { Pod } from '../util/pods.ts';
import { LEASES, NODES, PODS } from '../util/refs.ts';
import { NodeMonitor, NODE_LEASE_NAMESPACE } from './monitor.ts';
import type { Lease } from './node-health.ts';
import { NodeWriter, type NodeClient } from './node-writer.ts';
import { resolveOptions, type NodeLifecycleOptions, type ResolvedNodeLifecycleOptions } from './options.ts';
import { evictionDecision } from './taint-eviction.ts';
import { conditionTaints, managedNoScheduleTaints, nodeCondition, nodeTaints, taintsMissing, type Node, type Toleration } from './taints.ts';

export const MONITOR_KEY = 'monitor';
export const TAINT_PASS_KEY = 'taint-pass';
const NODE = 'node:';
const POD = 'pod:';
const BOUND = 'bound:';

/** Pod cache index of pods by spec.nodeName. */
export const POD_NODE_INDEX = 'nodelifecycle-node-name';
export const podNodeIndex = (pod: Pod): string[] => (pod.spec?.nodeName ? [pod.spec.nodeName] : []);

const tolerationsOf = (pod: Pod): Toleration[] => (pod.spec?.['tolerations'] as Toleration[] | undefined) ?? [];
const noExecuteTaints = (node: Node) => nodeTaints(node).filter((t) => t.effect === 'NoExecute');

export interface NodeLifecycleDeps {
  client: NodeClient;
  nodes: Lister<Node>;
  /** Must carry the POD_NODE_INDEX index. */
  pods: Lister<Pod>;
  leases: Lister<Lease>;
  /** Adds a key to the controller's queue, after `afterMs` when given. */
  enqueue(key: string, afterMs?: number): void;
  recorder?: EventRecorder;
  clock?: Clock;
  logger?: Logger;
  options?: NodeLifecycleOptions;
}

export class NodeLifecycleReconciler implements Reconciler {
  readonly monitor: NodeMonitor;
  readonly options: ResolvedNodeLifecycleOptions;
  readonly #d: NodeLifecycleDeps;
  readonly #clock: Clock;
  readonly #writer: NodeWriter;
  /** When a pod was first found under a timed eviction (stands in for a taint's missing timeAdded). */
  readonly #firstSeen = new Map<string, number>();
  /** Pods with a timed eviction pending, so that a cancellation is reported. */
  readonly #scheduled = new Set<string>();
  /** The NoExecute taints each node's pods were last judged against. */
  readonly #judged = new Map<string, string>();

  constructor(deps: NodeLifecycleDeps) {
    this.#d = deps;
    this.#clock = deps.clock ?? realClock;
    this.options = resolveOptions(deps.options);
    this.#writer = new NodeWriter(deps.client, this.#clock, deps.recorder);
    this.monitor = new NodeMonitor({
      client: deps.client,
      nodes: deps.nodes,
      leases: deps.leases,
      podsOnNode: (name) => this.#podsOn(name),
      writer: this.#writer,
      recorder: deps.recorder,
      clock: this.#clock,
      options: this.options,
      logger: deps.logger,
    });
  }

  /** Keys a pod event wakes: `bound:` when it just landed on a node, `pod:` when its node or tolerations changed. */
  static keysForPod(old: Pod | undefined, pod: Pod): string[] {
    const key = objectKey(pod);
    const moved = old?.spec?.nodeName !== pod.spec?.nodeName;
    const keys: string[] = [];
    if (moved && pod.spec?.nodeName) keys.push(BOUND + key);
    if (moved || JSON.stringify(old?.spec?.['tolerations'] ?? []) !== JSON.stringify(pod.spec?.['tolerations'] ?? [])) keys.push(POD + key);
    return keys;
  }

  static keyForNode(node: Node): string {
    return NODE + (node.metadata.name ?? '');
  }

  static keyForPod(pod: Pod): string {
    return POD + objectKey(pod);
  }

  async reconcile(key: string, signal: AbortSignal): Promise<Result | void> {
    if (key === MONITOR_KEY) {
      await this.monitor.pass(signal);
      if (this.monitor.tainting) this.#d.enqueue(TAINT_PASS_KEY);
      return { requeueAfter: this.options.nodeMonitorPeriodMs };
    }
    if (key === TAINT_PASS_KEY) {
      const wait = await this.monitor.taintPass(signal);
      return wait === undefined ? undefined : { requeueAfter: wait };
    }
    if (key.startsWith(NODE)) return this.#syncNode(key.slice(NODE.length), signal);
    if (key.startsWith(POD)) return this.#syncPodEviction(key.slice(POD.length), signal);
    if (key.startsWith(BOUND)) return this.#syncBoundPod(key.slice(BOUND.length), signal);
  }

  #podsOn(nodeName: string): Pod[] {
    return this.#d.pods.byIndex(POD_NODE_INDEX, nodeName);
  }

  /** TaintNodesByCondition for one node, and a fresh judgement of its pods when its NoExecute taints moved. */
  async #syncNode(name: string, signal: AbortSignal): Promise<void> {
    const node = this.#d.nodes.get(undefined, name);
    if (!node) {
      this.#judged.delete(name);
      return;
    }
    const wanted = conditionTaints(node);
    const present = managedNoScheduleTaints(node);
    const add = taintsMissing(wanted, present);
    const remove = taintsMissing(present, wanted);
    if (add.length > 0 || remove.length > 0) await this.#writer.swapTaints(node, add, remove, signal);
    const noExecute = JSON.stringify(noExecuteTaints(node));
    if (this.#judged.get(name) === noExecute) return;
    this.#judged.set(name, noExecute);
    for (const pod of this.#podsOn(name)) this.#d.enqueue(POD + objectKey(pod));
  }

  /** Taint eviction of one pod: now, later (requeued for then), or not at all (a pending one is cancelled). */
  async #syncPodEviction(key: string, signal: AbortSignal): Promise<Result | void> {
    const { namespace, name } = splitKey(key);
    const pod = this.#d.pods.get(namespace, name);
    if (!pod || pod.metadata.deletionTimestamp) {
      this.#firstSeen.delete(key);
      this.#scheduled.delete(key);
      return;
    }
    const node = pod.spec?.nodeName ? this.#d.nodes.get(undefined, pod.spec.nodeName) : undefined;
    const now = this.#clock.now();
    const first = this.#firstSeen.get(key) ?? now;
    const decision = evictionDecision(tolerationsOf(pod), node ? noExecuteTaints(node) : [], now, first);
    switch (decision.kind) {
      case 'keep':
        this.#firstSeen.delete(key);
        if (this.#scheduled.delete(key)) void this.#d.recorder?.event(pod, 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
        return;
      case 'at':
        this.#firstSeen.set(key, first);
        this.#scheduled.add(key);
        return { requeueAfter: decision.at - now };
      case 'now':
        void this.#d.recorder?.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
        await this.#writer.deletePod(pod, signal);
        this.#firstSeen.delete(key);
        this.#scheduled.delete(key);
    }
  }

  /** Upstream processPod: a pod bound to a node the controller knows is not Ready is not Ready either. */
  async #syncBoundPod(key: string, signal: AbortSignal): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pod = this.#d.pods.get(namespace, name);
    const nodeName = pod?.spec?.nodeName;
    if (!pod || !nodeName || !this.monitor.health.has(nodeName)) return;
    const node = this.#d.nodes.get(undefined, nodeName);
    const ready = node && nodeCondition(node, 'Ready');
    if (ready && ready.status !== 'True') await this.#writer.markPodsNotReady([pod], nodeName, signal);
  }
}

/** The node lifecycle controller over the term's shared informers. */
export function nodeLifecycleController(ctx: ControllerContext, options: NodeLifecycleOptions = {}): Controller {
  const nodes = ctx.informers.informerFor<Node>(NODES);
  const pods = ctx.informers.informerFor<Pod>(PODS, { indexers: { [POD_NODE_INDEX]: podNodeIndex } });
  const leases = ctx.informers.informerFor<Lease>(LEASES, { fieldSelector: `metadata.namespace=${NODE_LEASE_NAMESPACE}` });
  let controller: Controller | undefined;
  const reconciler = new NodeLifecycleReconciler({
    client: ctx.client,
    nodes: nodes.lister,
    pods: pods.lister,
    leases: leases.lister,
    enqueue: (key, afterMs) => controller?.queue.addAfter(key, afterMs ?? 0),
    recorder: ctx.recorder,
    options,
    ...common(ctx),
  });
  const c = new Controller({ name: 'nodelifecycle', reconciler, workers: reconciler.options.workers, ...common(ctx) })
    .watch(nodes, (node) => NodeLifecycleReconciler.keyForNode(node))
    .watch(pods, () => undefined)
    .watch(leases, () => undefined);
  controller = c;
  pods.addEventHandler({
    onAdd: (pod) => NodeLifecycleReconciler.keysForPod(undefined, pod).forEach((k) => c.queue.add(k)),
    onUpdate: (old, pod) => NodeLifecycleReconciler.keysForPod(old, pod).forEach((k) => c.queue.add(k)),
    onDelete: (pod) => c.queue.add(NodeLifecycleReconciler.keyForPod(pod)),
  });
  // The health pass runs from the start (once the caches have synced) and then every monitor period.
  c.queue.add(MONITOR_KEY);
  return c;
}
