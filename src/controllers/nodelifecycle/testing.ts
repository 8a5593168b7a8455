// A deterministic stand-in for the API server, the informers and the workqueue, for the node
// lifecycle controller's unit tests: objects live in Indexers, writes bump resourceVersions (a
// stale one is a 409) and wake the keys the real informer handlers would, and a tiny queue runs
// the reconciler's keys on a FakeClock, requeues included, so a test can say "advance 45 s" and
// look at the result.

import type { KubeObject } from '../../api/types.ts';
import { EventRecorder, FakeClock, Indexer, Lister, objectKey, type ResourceRef } from '../../client/index.ts';
import { conflict, notFound } from '../../machinery/status-error.ts';
import { metaTime } from '../util/conditions.ts';
import type { Pod } from '../util/pods.ts';
import { NodeLifecycleReconciler, podNodeIndex, POD_NODE_INDEX, MONITOR_KEY } from './node-lifecycle-controller.ts';
import type { Lease } from './node-health.ts';
import type { NodeClient } from './node-writer.ts';
import type { NodeLifecycleOptions } from './options.ts';
import type { Node, Taint, Toleration } from './taints.ts';

export const T0 = Date.parse('2025-06-01T00:00:00Z');
const signal = new AbortController().signal;

export interface RecordedEvent {
  reason: string;
  message: string;
  object: string;
}

export class FakeNodeCluster {
  readonly clock = new FakeClock(T0);
  readonly nodes = new Indexer<Node>();
  readonly pods = new Indexer<Pod>({ [POD_NODE_INDEX]: podNodeIndex });
  readonly leases = new Indexer<Lease>();
  readonly events: RecordedEvent[] = [];
  /** Every pod status written, in order (to see a DisruptionTarget set before a delete). */
  readonly podStatusWrites: Pod[] = [];
  readonly reconciler: NodeLifecycleReconciler;
  #rv = 1;
  readonly #queue = new Set<string>();
  #timers: { key: string; at: number }[] = [];
  /** Called at every step of advance() (kubelets renewing Leases). */
  onStep: (() => void) | undefined;

  constructor(options: NodeLifecycleOptions = {}) {
    const sink = {
      create: async (_r: ResourceRef, e: KubeObject) => {
        const io = e['involvedObject'] as { namespace?: string; name?: string };
        this.events.push({ reason: e['reason'] as string, message: e['message'] as string, object: io.namespace ? `${io.namespace}/${io.name ?? ''}` : (io.name ?? '') });
        return e as never;
      },
      patch: async () => ({}) as never,
    };
    this.reconciler = new NodeLifecycleReconciler({
      client: this.#client(),
      nodes: new Lister(this.nodes),
      pods: new Lister(this.pods),
      leases: new Lister(this.leases),
      enqueue: (key, afterMs) => this.enqueue(key, afterMs),
      recorder: new EventRecorder(sink, { source: { component: 'node-controller' }, clock: this.clock, aggregationWindowMs: 0 }),
      clock: this.clock,
      options,
    });
  }

  get now(): number {
    return this.clock.now();
  }

  enqueue(key: string, afterMs = 0): void {
    if (afterMs <= 0) this.#queue.add(key);
    else this.#timers.push({ key, at: this.clock.now() + afterMs });
  }

  /** Starts the controller: the first health pass. */
  async start(): Promise<void> {
    for (const n of this.nodes.list()) this.enqueue(NodeLifecycleReconciler.keyForNode(n));
    for (const p of this.pods.list()) for (const k of NodeLifecycleReconciler.keysForPod(undefined, p)) this.enqueue(k);
    this.enqueue(MONITOR_KEY);
    await this.run();
  }

  /** Runs queued and due keys until none is left. */
  async run(): Promise<void> {
    for (let i = 0; i < 10_000; i++) {
      const now = this.clock.now();
      for (const t of this.#timers.filter((x) => x.at <= now)) this.#queue.add(t.key);
      this.#timers = this.#timers.filter((x) => x.at > now);
      const key = this.#queue.values().next().value;
      if (key === undefined) {
        await new Promise((r) => setImmediate(r));
        return;
      }
      this.#queue.delete(key);
      const result = await this.reconciler.reconcile(key, signal);
      if (result?.requeueAfter !== undefined) this.enqueue(key, Math.max(1, result.requeueAfter));
    }
    throw new Error('the controller did not settle');
  }

  /** Moves time forward in steps, running whatever falls due. */
  async advance(ms: number, stepMs = 500): Promise<void> {
    const end = this.clock.now() + ms;
    while (this.clock.now() < end) {
      await this.clock.advance(Math.min(stepMs, end - this.clock.now()));
      this.onStep?.();
      await this.run();
    }
  }

  // ---- the objects, as kubelets and users would write them ----

  /** A registered node; `ready` null: its kubelet never posted a Ready condition. */
  addNode(name: string, labels: Record<string, string> = {}, ready: string | null = 'True'): void {
    const now = metaTime(this.clock.now());
    this.#put(this.nodes, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, uid: `uid-${name}`, labels, creationTimestamp: now },
      spec: {},
      status: ready === null ? {} : { conditions: [{ type: 'Ready', status: ready, reason: 'KubeletReady', lastHeartbeatTime: now, lastTransitionTime: now }] },
    });
  }

  /** The kubelet posting its status: Ready `status` with a fresh heartbeat. */
  postStatus(name: string, status = 'True'): void {
    const node = this.node(name);
    const now = metaTime(this.clock.now());
    const old = node.status?.conditions?.find((c) => c.type === 'Ready');
    const ready = { type: 'Ready', status, reason: 'KubeletReady', lastHeartbeatTime: now, lastTransitionTime: old?.status === status ? (old.lastTransitionTime ?? now) : now };
    this.#put(this.nodes, { ...node, status: { ...node.status, conditions: [ready, ...(node.status?.conditions ?? []).filter((c) => c.type !== 'Ready')] } });
  }

  renewLease(name: string): void {
    const lease: Lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' }, spec: { holderIdentity: name, renewTime: new Date(this.clock.now()).toISOString() } };
    this.#put(this.leases, lease);
  }

  setSpec(name: string, spec: Partial<NonNullable<Node['spec']>>): void {
    const node = this.node(name);
    this.#put(this.nodes, { ...node, spec: { ...node.spec, ...spec } });
  }

  addPod(name: string, nodeName: string, tolerations: Toleration[] = []): void {
    this.#put(this.pods, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'ns', uid: `uid-${name}` },
      spec: { nodeName, tolerations },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: metaTime(T0) }] },
    });
  }

  node(name: string): Node {
    const n = this.nodes.get(name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  }

  pod(name: string): Pod | undefined {
    return this.pods.get(`ns/${name}`);
  }

  taints(name: string): Taint[] {
    return this.node(name).spec?.taints ?? [];
  }

  readyStatus(name: string): string | undefined {
    return this.node(name).status?.conditions?.find((c) => c.type === 'Ready')?.status;
  }

  // ---- the API ----

  #put<T extends KubeObject>(indexer: Indexer<T>, obj: T): T {
    const old = indexer.get(objectKey(obj));
    const stored = { ...structuredClone(obj), metadata: { ...obj.metadata, resourceVersion: String(++this.#rv) } } as T;
    indexer.upsert(stored);
    // What the informer handlers would wake.
    if (stored.kind === 'Node') this.enqueue(NodeLifecycleReconciler.keyForNode(stored as Node));
    if (stored.kind === 'Pod') for (const k of NodeLifecycleReconciler.keysForPod(old as Pod | undefined, stored as Pod)) this.enqueue(k);
    return stored;
  }

  #client(): NodeClient {
    const indexerOf = (ref: ResourceRef): Indexer<KubeObject> => (ref.resource === 'nodes' ? this.nodes : this.pods) as unknown as Indexer<KubeObject>;
    const current = (ref: ResourceRef, obj?: KubeObject): KubeObject => {
      const name = ref.name ?? obj?.metadata.name ?? '';
      const ns = ref.namespace ?? obj?.metadata.namespace;
      const found = indexerOf(ref).get(ns ? `${ns}/${name}` : name);
      if (!found) throw notFound({ group: '', resource: ref.resource }, name);
      if (obj && obj.metadata.resourceVersion && obj.metadata.resourceVersion !== found.metadata.resourceVersion) {
        throw conflict({ group: '', resource: ref.resource }, name, 'the object has been modified; please apply your changes to the latest version and try again');
      }
      return found;
    };
    const client = {
      get: async (ref: ResourceRef) => structuredClone(current(ref)),
      update: async (ref: ResourceRef, obj: KubeObject) => this.#put(indexerOf(ref), { ...obj, status: current(ref, obj)['status'] }),
      updateStatus: async (ref: ResourceRef, obj: KubeObject) => {
        const stored = this.#put(indexerOf(ref), { ...current(ref, obj), status: obj['status'] });
        if (ref.resource === 'pods') this.podStatusWrites.push(structuredClone(stored as Pod));
        return stored;
      },
      delete: async (ref: ResourceRef, opts: { preconditions?: { uid?: string } } = {}) => {
        const obj = current(ref);
        if (opts.preconditions?.uid && opts.preconditions.uid !== obj.metadata.uid) throw conflict({ group: '', resource: ref.resource }, obj.metadata.name ?? '', 'uid precondition');
        indexerOf(ref).remove(objectKey(obj));
        if (obj.kind === 'Pod') this.enqueue(NodeLifecycleReconciler.keyForPod(obj as Pod));
        return obj;
      },
    };
    return client as unknown as NodeClient;
  }
}
