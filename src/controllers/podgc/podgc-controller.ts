// The pod garbage collector (upstream's pod-garbage-collector), run every 20 s:
//  - terminated pods (Succeeded/Failed) beyond --terminated-pod-gc-threshold (12500) are deleted,
//    oldest first;
//  - terminating pods on a NotReady node tainted node.kubernetes.io/out-of-service are
//    force-deleted (the node will never finish them);
//  - pods bound to a Node that no longer exists — still missing after a 40 s quarantine and a
//    fresh read — are marked Failed with a DisruptionTarget condition, then force-deleted;
//  - terminating pods that were never scheduled are force-deleted.
// "Force-deleted" is upstream's markFailedAndDeletePod: phase Failed first unless already
// terminal (no kubelet will ever write it), then a delete with grace period 0.

import type { Logger } from 'pino';
import { realClock, type Clock, type Informer, type RestClient } from '../../client/index.ts';
import { isNotFound } from '../../machinery/status-error.ts';
import { common, type ControllerContext } from '../runtime/context.ts';
import { Controller } from '../runtime/controller.ts';
import type { Reconciler, Result } from '../runtime/reconciler.ts';
import { metaTime } from '../util/conditions.ts';
import { podCondition, podPhase, type Pod, type PodCondition } from '../util/pods.ts';
import { NODES, PODS } from '../util/refs.ts';
import type { KubeObject } from '../../api/types.ts';

export const DEFAULT_TERMINATED_POD_THRESHOLD = 12_500;
export const GC_PERIOD_MS = 20_000;
export const QUARANTINE_MS = 40_000;
export const OUT_OF_SERVICE_TAINT = 'node.kubernetes.io/out-of-service';
const GC_KEY = 'gc';

export interface PodGcOptions {
  /** Terminated pods kept before the oldest are deleted; 0 or less turns that part off. */
  terminatedPodThreshold?: number;
  gcPeriodMs?: number;
  /** How long a node must stay missing before its pods count as orphaned. */
  quarantineMs?: number;
}

interface Node extends KubeObject {
  spec?: { taints?: { key: string; effect?: string }[] };
  status?: { conditions?: { type: string; status: string }[] };
}

const isTerminated = (pod: Pod): boolean => podPhase(pod) === 'Succeeded' || podPhase(pod) === 'Failed';

/** Evicted pods go first, then the oldest. */
function byEvictionAndAge(a: Pod, b: Pod): number {
  const evicted = (p: Pod): number => (p.status?.['reason'] === 'Evicted' ? 0 : 1);
  if (evicted(a) !== evicted(b)) return evicted(a) - evicted(b);
  const age = (p: Pod): number => Date.parse(p.metadata.creationTimestamp ?? '') || 0;
  return age(a) - age(b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

export class PodGcReconciler implements Reconciler {
  readonly #client: RestClient;
  readonly #pods: Informer<Pod>;
  readonly #nodes: Informer<Node>;
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;
  readonly #threshold: number;
  readonly #periodMs: number;
  readonly #quarantineMs: number;
  /** Node names seen missing, and since when. */
  readonly #missingSince = new Map<string, number>();

  constructor(deps: { client: RestClient; pods: Informer<Pod>; nodes: Informer<Node>; clock: Clock; logger?: Logger | undefined }, options: PodGcOptions = {}) {
    this.#client = deps.client;
    this.#pods = deps.pods;
    this.#nodes = deps.nodes;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#threshold = options.terminatedPodThreshold ?? DEFAULT_TERMINATED_POD_THRESHOLD;
    this.#periodMs = options.gcPeriodMs ?? GC_PERIOD_MS;
    this.#quarantineMs = options.quarantineMs ?? QUARANTINE_MS;
  }

  async reconcile(_key: string, signal: AbortSignal): Promise<Result> {
    const pods = this.#pods.lister.list();
    const nodes = this.#nodes.lister.list();
    const results = await Promise.allSettled([
      this.#threshold > 0 ? this.#gcTerminated(pods, signal) : Promise.resolve(),
      this.#gcOutOfService(pods, nodes, signal),
      this.#gcUnscheduledTerminating(pods, signal),
    ]);
    const wait = await this.#gcOrphaned(pods, nodes, signal);
    for (const r of results) if (r.status === 'rejected') this.#logger?.warn({ err: r.reason }, 'pod gc pass failed');
    return { requeueAfter: Math.min(this.#periodMs, wait ?? this.#periodMs) };
  }

  async #gcTerminated(pods: readonly Pod[], signal: AbortSignal): Promise<void> {
    const terminated = pods.filter(isTerminated);
    const excess = terminated.length - this.#threshold;
    if (excess <= 0) return;
    this.#logger?.info({ count: excess, threshold: this.#threshold }, 'garbage collecting terminated pods');
    await Promise.all(terminated.sort(byEvictionAndAge).slice(0, excess).map((p) => this.#forceDelete(p, undefined, signal)));
  }

  async #gcOutOfService(pods: readonly Pod[], nodes: readonly Node[], signal: AbortSignal): Promise<void> {
    const outOfService = new Set(
      nodes
        .filter((n) => n.status?.conditions?.find((c) => c.type === 'Ready')?.status !== 'True' && n.spec?.taints?.some((t) => t.key === OUT_OF_SERVICE_TAINT))
        .map((n) => n.metadata.name ?? ''),
    );
    if (outOfService.size === 0) return;
    const stuck = pods.filter((p) => p.metadata.deletionTimestamp && p.spec?.nodeName && outOfService.has(p.spec.nodeName));
    await Promise.all(stuck.map((p) => this.#forceDelete(p, undefined, signal)));
  }

  /** Deletes the pods of nodes missing for the whole quarantine; returns when to look again for the others. */
  async #gcOrphaned(pods: readonly Pod[], nodes: readonly Node[], signal: AbortSignal): Promise<number | undefined> {
    const existing = new Set(nodes.map((n) => n.metadata.name ?? ''));
    const now = this.#clock.now();
    const referenced = new Set<string>();
    for (const p of pods) {
      const node = p.spec?.nodeName;
      if (!node || existing.has(node)) continue;
      referenced.add(node);
      if (!this.#missingSince.has(node)) this.#missingSince.set(node, now);
    }
    for (const node of [...this.#missingSince.keys()]) if (!referenced.has(node)) this.#missingSince.delete(node);
    const deleted = new Set<string>();
    let wait: number | undefined;
    for (const [node, since] of this.#missingSince) {
      const left = since + this.#quarantineMs - now;
      if (left > 0) {
        wait = Math.min(wait ?? left, left);
        continue;
      }
      // The cache may lag behind a node that came back: ask the server.
      try {
        await this.#client.get({ ...NODES, name: node }, { signal });
        this.#missingSince.delete(node);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        deleted.add(node);
      }
    }
    const condition: PodCondition = { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' };
    const orphans = pods.filter((p) => deleted.has(p.spec?.nodeName ?? ''));
    if (orphans.length > 0) this.#logger?.info({ count: orphans.length, nodes: [...deleted] }, 'deleting pods of deleted nodes');
    await Promise.all(orphans.map((p) => this.#forceDelete(p, condition, signal)));
    for (const node of deleted) this.#missingSince.delete(node);
    return wait;
  }

  async #gcUnscheduledTerminating(pods: readonly Pod[], signal: AbortSignal): Promise<void> {
    const stuck = pods.filter((p) => p.metadata.deletionTimestamp && !p.spec?.nodeName);
    await Promise.all(stuck.map((p) => this.#forceDelete(p, undefined, signal)));
  }

  /** Upstream's markFailedAndDeletePod: Failed (with `condition`) unless terminal, then delete with grace 0. */
  async #forceDelete(pod: Pod, condition: PodCondition | undefined, signal: AbortSignal): Promise<void> {
    const ref = { ...PODS, namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '' };
    try {
      if (!isTerminated(pod)) {
        const now = metaTime(this.#clock.now());
        const conditions = condition ? [{ ...condition, lastTransitionTime: podCondition(pod, condition.type)?.status === condition.status ? (podCondition(pod, condition.type)?.lastTransitionTime ?? now) : now }] : undefined;
        await this.#client.patch(ref, 'strategic', { status: { phase: 'Failed', ...(conditions ? { conditions } : {}) } }, { subresource: 'status', fieldManager: 'PodGC', signal });
      }
      await this.#client.delete(ref, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid ?? '' }, signal });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

export function podGcController(ctx: ControllerContext, options: PodGcOptions = {}): Controller {
  const pods = ctx.informers.informerFor<Pod>(PODS);
  const nodes = ctx.informers.informerFor<Node>(NODES);
  const reconciler = new PodGcReconciler({ client: ctx.client, pods, nodes, clock: ctx.clock ?? realClock, logger: ctx.logger }, options);
  const controller = new Controller({ name: 'podgc', reconciler, ...common(ctx) })
    .watch(pods, () => undefined)
    // A node going away starts its pods' quarantine without waiting for the next period.
    .watch(nodes, () => undefined);
  nodes.addEventHandler({ onDelete: () => controller.queue.add(GC_KEY) });
  controller.queue.add(GC_KEY);
  return controller;
}
