// Plays the kubelet for every simulated node from ONE pod informer (bound pods only, indexed by
// node): events for pods on live simulated nodes enqueue the pod's key, workers hand the pod to
// its node's SimKubelet and apply what it returns — a merge patch of the status, a final delete
// with grace 0 and a uid precondition, an Event — through the WritePacer. Timed transitions
// (readiness, exits, back-off, graceful stops) wait in one DueQueue, not a timer per pod. Pods on
// other nodes, and on failed simulated nodes, are left alone.

import type { Logger } from 'pino';
import { EventRecorder, ItemExponentialRateLimiter, objectKey, WorkQueue, type Clock, type EventSink, type Informer, type RestClient } from '../../../client/index.ts';
import { isConflict, isInvalid, isNotFound } from '../../../machinery/index.ts';
import { DueQueue } from './due-queue.ts';
import { FIELD_MANAGER } from './node-api.ts';
import type { SimNode } from './sim-node.ts';
import { PODS, type Pod } from './types.ts';
import { PRIORITY, type WritePacer } from './write-pacer.ts';

export const NODE_NAME_INDEX = 'spec.nodeName';
const RETRY_BASE_MS = 200;
const RETRY_MAX_MS = 10_000;

/** The informer index of pods by the node they are bound to. */
export const podsByNode = (pod: Pod): string[] => (pod.spec?.nodeName ? [pod.spec.nodeName] : []);

export interface PodControllerDeps {
  client: RestClient;
  informer: Informer<Pod>;
  /** The simulated nodes by name (registered or not yet). */
  nodes: ReadonlyMap<string, SimNode>;
  pacer: WritePacer;
  clock: Clock;
  logger?: Logger | undefined;
  workers: number;
}

export interface PodControllerStats {
  syncs: number;
  statusWrites: number;
  deletes: number;
  rejections: number;
  errors: number;
  /** Pod keys waiting for a worker, and being synced now (a stall shows as these stuck). */
  queued: number;
  syncing: number;
}

export class PodController {
  readonly #deps: PodControllerDeps;
  readonly #queue: WorkQueue<string>;
  readonly #wakes: DueQueue<string>;
  /** Which node each synced pod belongs to, so its record can be dropped once it is gone. */
  readonly #owners = new Map<string, SimNode>();
  readonly #recorders = new Map<string, EventRecorder>();
  readonly #stats: PodControllerStats = { syncs: 0, statusWrites: 0, deletes: 0, rejections: 0, errors: 0, queued: 0, syncing: 0 };

  constructor(deps: PodControllerDeps) {
    this.#deps = deps;
    // Per-pod back-off only, as the kubelet's pod workers retry: client-go's default limiter adds
    // a global 10/s bucket, which after a burst of failed writes (a server shedding load) would
    // push thousands of pods' retries minutes out. The WritePacer already bounds the write rate.
    this.#queue = new WorkQueue<string>({ clock: deps.clock, rateLimiter: new ItemExponentialRateLimiter<string>(RETRY_BASE_MS, RETRY_MAX_MS) });
    this.#wakes = new DueQueue<string>(deps.clock, (key) => this.#queue.add(key));
    const onPod = (pod: Pod): void => {
      const node = this.#live(pod.spec?.nodeName);
      if (node || this.#owners.has(objectKey(pod))) this.#queue.add(objectKey(pod));
    };
    deps.informer.addEventHandler({ onAdd: onPod, onUpdate: (_old, pod) => onPod(pod), onDelete: onPod });
  }

  get stats(): Readonly<PodControllerStats> {
    return { ...this.#stats, queued: this.#queue.length };
  }

  /** Runs the workers until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const stop = (): void => {
      this.#queue.shutDown();
      this.#wakes.close();
    };
    if (signal.aborted) stop();
    signal.addEventListener('abort', stop, { once: true });
    await Promise.all(Array.from({ length: this.#deps.workers }, () => this.#worker(signal)));
  }

  /** Syncs every pod bound to the node (it just registered or recovered). */
  enqueueNode(node: SimNode): void {
    for (const pod of this.#deps.informer.indexer.byIndex(NODE_NAME_INDEX, node.name)) this.#queue.add(objectKey(pod));
  }

  /** Drops what the node's kubelet tracked, writing nothing (the node left the simulation). */
  async forgetNode(node: SimNode): Promise<void> {
    for (const key of node.kubelet?.podKeys() ?? []) {
      this.#owners.delete(key);
      this.#wakes.cancel(key);
      await node.kubelet?.forget(key);
    }
  }

  #live(name: string | undefined): SimNode | undefined {
    const node = name ? this.#deps.nodes.get(name) : undefined;
    return node?.registered && !node.failed && node.kubelet ? node : undefined;
  }

  async #worker(signal: AbortSignal): Promise<void> {
    for (;;) {
      const key = await this.#queue.get();
      if (key === undefined) return;
      this.#stats.syncing++;
      try {
        await this.#reconcile(key);
        this.#queue.forget(key);
      } catch (err) {
        if (!signal.aborted) {
          this.#stats.errors++;
          this.#deps.logger?.warn({ err, pod: key }, 'pod sync failed; retrying');
          this.#queue.addRateLimited(key);
        }
      } finally {
        this.#stats.syncing--;
        this.#queue.done(key);
      }
    }
  }

  async #reconcile(key: string): Promise<void> {
    const pod = this.#deps.informer.indexer.get(key);
    const owner = this.#owners.get(key);
    if (!pod || (owner && owner.name !== pod.spec?.nodeName)) {
      // Gone from the API: the sandbox goes, the node's resources are free again.
      this.#owners.delete(key);
      this.#wakes.cancel(key);
      await owner?.kubelet?.forget(key);
      if (!pod) return;
    }
    const node = this.#live(pod.spec?.nodeName);
    if (!node) return;
    this.#owners.set(key, node);
    this.#stats.syncs++;
    const result = await node.kubelet!.sync(pod);
    if (result.event) {
      if (result.event.reason.startsWith('OutOf')) this.#stats.rejections++;
      void this.#recorder(node).event(pod, result.event.type, result.event.reason, result.event.message);
    }
    const ref = { ...PODS, namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '' };
    const uid = pod.metadata.uid ?? '';
    try {
      if (result.status) {
        await this.#deps.pacer.run(PRIORITY.pod, () => this.#deps.client.patch(ref, 'merge', { metadata: { uid }, status: result.status }, { fieldManager: FIELD_MANAGER, subresource: 'status' }));
        this.#stats.statusWrites++;
      }
      if (result.delete) {
        await this.#deps.pacer.run(PRIORITY.pod, () => this.#deps.client.delete(ref, { gracePeriodSeconds: 0, preconditions: { uid } }));
        this.#stats.deletes++;
      }
    } catch (err) {
      // Gone, or replaced by a pod of the same name: its own events bring it back here.
      if (isNotFound(err) || isConflict(err)) return;
      if (isInvalid(err)) {
        this.#stats.errors++;
        this.#deps.logger?.warn({ err, pod: key }, 'pod status rejected by the server');
        return;
      }
      throw err;
    }
    if (result.wakeAt !== undefined) this.#wakes.schedule(key, result.wakeAt);
  }

  #recorder(node: SimNode): EventRecorder {
    let recorder = this.#recorders.get(node.name);
    if (!recorder) {
      const { client, pacer } = this.#deps;
      const sink = {
        create: (ref, obj, opts) => pacer.run(PRIORITY.pod, () => client.create(ref, obj, opts)),
        patch: (ref, type, patch, opts) => pacer.run(PRIORITY.pod, () => client.patch(ref, type, patch, opts)),
      } as EventSink;
      recorder = new EventRecorder(sink, { source: { component: 'kubelet', host: node.name }, reportingInstance: node.name, clock: this.#deps.clock, ...(this.#deps.logger ? { logger: this.#deps.logger } : {}) });
      this.#recorders.set(node.name, recorder);
    }
    return recorder;
  }
}
