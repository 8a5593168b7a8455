// SimCluster: many simulated nodes in one process against a real control plane, KWOK-style. It
// registers Nodes with their Leases, keeps them alive from one heartbeat scheduler, and plays the
// kubelet for pods bound to them from one pod informer; one node informer notices nodes deleted
// behind its back. All writes go through one WritePacer. failNodes() makes nodes go silent
// exactly as an outage does (Lease and status stop, pods stay as they were); recoverNodes()
// brings them back. The programmatic face of `strata sim`, for tests and benchmarks.

import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { Informer, listWatchFor, realClock, sleep, type Clock, type RestClient } from '../../../client/index.ts';
import { allocatableFrom, type Allocatable } from '../../agent/resource-admission.ts';
import { slimNode, transformed, withoutManagedFields } from './cache-transform.ts';
import { Heartbeats } from './heartbeats.ts';
import { NodeApi } from './node-api.ts';
import { nodeIdentity } from './node-object.ts';
import { nodeName, resolveSimConfig, type SimConfig, type SimOptions } from './options.ts';
import { AddressPlan, internalIpOf } from './address-plan.ts';
import { NODE_NAME_INDEX, PodController, podsByNode, type PodControllerStats } from './pod-controller.ts';
import { SimKubelet, type PodBehaviour } from './sim-kubelet.ts';
import { SimNode } from './sim-node.ts';
import { NODES, PODS, type Node, type Pod } from './types.ts';
import { PRIORITY, WritePacer } from './write-pacer.ts';

export interface SimClusterDeps {
  client: RestClient;
  clock?: Clock;
  logger?: Logger;
}

export interface SimStats {
  nodes: number;
  registered: number;
  failed: number;
  leaseRenewals: number;
  heartbeatErrors: number;
  writes: number;
  /** Writes started and not yet settled, and writes waiting for a token or a slot. */
  writesInFlight: number;
  writesQueued: number;
  /** Bound pods in the informer's cache. */
  podsCached: number;
  pods: Readonly<PodControllerStats>;
}

const REGISTER_RETRY_MS = [500, 1000, 2000, 4000, 8000] as const;

export class SimCluster {
  readonly config: SimConfig;
  /** Resolves once start() has registered the initial nodes. */
  readonly ready: Promise<void>;
  readonly #client: RestClient;
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;
  readonly #nodes = new Map<string, SimNode>();
  readonly #ac = new AbortController();
  readonly #pacer: WritePacer;
  readonly #api: NodeApi;
  readonly #heartbeats: Heartbeats<SimNode>;
  readonly #nodeInformer: Informer<Node>;
  readonly #podInformer: Informer<Pod>;
  readonly #pods: PodController;
  readonly #behaviour: PodBehaviour;
  readonly #allocatable: Allocatable;
  #markReady!: () => void;
  #failReady!: (err: unknown) => void;
  #running: Promise<unknown> | undefined;
  #nextIndex = 0;
  #addresses: AddressPlan | undefined;
  #stopped = false;

  constructor(options: SimOptions, deps: SimClusterDeps) {
    this.config = resolveSimConfig(options);
    this.#client = deps.client;
    this.#clock = deps.clock ?? realClock;
    this.#logger = deps.logger?.child({ component: 'sim' });
    this.ready = new Promise((resolve, reject) => {
      this.#markReady = resolve;
      this.#failReady = reject;
    });
    this.ready.catch(() => undefined);
    const c = this.config;
    this.#pacer = new WritePacer(this.#clock, { qps: c.qps, burst: c.burst, maxInFlight: c.maxInFlight });
    const informerOptions = { clock: this.#clock, ...(this.#logger ? { logger: this.#logger } : {}) };
    this.#nodeInformer = new Informer<Node>(transformed(listWatchFor<Node>(this.#client, NODES), slimNode), informerOptions);
    const boundPods = listWatchFor<Pod>(this.#client, PODS, { fieldSelector: 'spec.nodeName!=' });
    this.#podInformer = new Informer<Pod>(transformed(boundPods, withoutManagedFields), { ...informerOptions, indexers: { [NODE_NAME_INDEX]: podsByNode } });
    this.#api = new NodeApi(this.#client, c, this.#clock, (name) => this.#nodeInformer.indexer.get(name));
    this.#heartbeats = new Heartbeats<SimNode>({ clock: this.#clock, pacer: this.#pacer, api: this.#api, logger: this.#logger }, c);
    this.#pods = new PodController({ client: this.#client, informer: this.#podInformer, nodes: this.#nodes, pacer: this.#pacer, clock: this.#clock, logger: this.#logger, workers: c.podWorkers });
    this.#nodeInformer.addEventHandler({ onDelete: (node) => void this.#nodeDeleted(node.metadata.name ?? '') });
    this.#behaviour = { readyDelayMs: c.readyDelayMs, terminationDelayMs: c.terminationDelayMs, defaultRunMs: c.podRunDurationMs, exitAfterMs: c.exitAfterMs };
    this.#allocatable = allocatableFrom(c.capacity);
  }

  /** Starts watching, then registers config.nodes nodes; settles with `ready`. Aborting `signal` stops the cluster. */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.#running) throw new Error('sim cluster already started');
    signal?.addEventListener('abort', () => void this.stop(), { once: true });
    const s = this.#ac.signal;
    this.#running = Promise.all([this.#nodeInformer.run(s), this.#podInformer.run(s), this.#pods.run(s)]);
    try {
      await Promise.race([
        Promise.all([this.#nodeInformer.hasSynced, this.#podInformer.hasSynced]),
        new Promise((_, reject) => s.addEventListener('abort', () => reject(new Error('sim cluster stopped before it started')), { once: true })),
      ]);
      await this.addNodes(this.config.nodes);
      this.#logger?.info({ nodes: this.#nodes.size, prefix: this.config.prefix }, 'simulated nodes registered');
      this.#markReady();
    } catch (err) {
      this.#failReady(err);
      throw err;
    }
  }

  /** Registers `count` more nodes; resolves with their names once each has its Node and Lease. */
  async addNodes(count: number): Promise<string[]> {
    const added: SimNode[] = [];
    const plan = (this.#addresses ??= this.#planAddresses());
    for (let i = 0; i < count; i++) {
      const index = this.#nextIndex++;
      // A Node of ours that exists already (a restarted simulator) keeps its addresses.
      const existing = this.#nodeInformer.indexer.get(nodeName(this.config, index));
      const ip = existing && internalIpOf(existing);
      const addresses = existing?.spec?.podCIDR && ip ? { podCIDR: existing.spec.podCIDR, internalIP: ip } : plan.next();
      const node = new SimNode(nodeIdentity(this.config, index, addresses), randomUUID());
      this.#nodes.set(node.name, node);
      added.push(node);
    }
    const leaseRate = (this.#nodes.size * 1000) / this.config.leaseRenewIntervalMs;
    if (leaseRate > this.config.qps * 0.8) this.#logger?.warn({ leaseRate, qps: this.config.qps }, 'Lease renewals alone need most of the write budget; raise --qps');
    await Promise.all(added.map((node) => this.#register(node)));
    return added.map((n) => n.name);
  }

  /** Stops the heartbeats of the named nodes (all when omitted): Lease and status go stale, pods stay as they are. */
  failNodes(names?: readonly string[]): string[] {
    const hit: string[] = [];
    for (const node of this.#select(names)) {
      if (node.failed) continue;
      node.failed = true;
      this.#heartbeats.stop(node);
      hit.push(node.name);
    }
    if (hit.length > 0) this.#logger?.info({ nodes: hit.length }, 'simulated nodes failed');
    return hit;
  }

  /** Brings failed nodes back: Lease and status at once, then pods are synced again. */
  recoverNodes(names?: readonly string[]): string[] {
    const hit: string[] = [];
    for (const node of this.#select(names)) {
      if (!node.failed) continue;
      node.failed = false;
      if (node.registered) {
        this.#heartbeats.resume(node);
        this.#pods.enqueueNode(node);
      }
      hit.push(node.name);
    }
    if (hit.length > 0) this.#logger?.info({ nodes: hit.length }, 'simulated nodes recovered');
    return hit;
  }

  /** Names of the simulated nodes, in index order. */
  nodeNames(): string[] {
    return [...this.#nodes.keys()];
  }

  /** The node's kubelet view (for tests): its pods' usage. */
  node(name: string): { failed: boolean; registered: boolean; podCIDR: string; usage: SimKubelet['usage'] | undefined } | undefined {
    const node = this.#nodes.get(name);
    return node && { failed: node.failed, registered: node.registered, podCIDR: node.podCIDR, usage: node.kubelet?.usage };
  }

  get stats(): SimStats {
    const nodes = [...this.#nodes.values()];
    const hb = this.#heartbeats.stats;
    return {
      nodes: nodes.length,
      registered: nodes.filter((n) => n.registered).length,
      failed: nodes.filter((n) => n.failed).length,
      leaseRenewals: hb.renewals,
      heartbeatErrors: hb.errors,
      writes: this.#pacer.started,
      writesInFlight: this.#pacer.inFlight,
      writesQueued: this.#pacer.queued,
      podsCached: this.#podInformer.indexer.size,
      pods: this.#pods.stats,
    };
  }

  /** Stops everything it started (not the client); with deleteNodes, removes its Nodes and Leases first. */
  async stop(options: { deleteNodes?: boolean } = {}): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#heartbeats.close();
    this.#ac.abort();
    await this.#running?.catch(() => undefined);
    if (options.deleteNodes) {
      const results = await Promise.allSettled([...this.#nodes.values()].filter((n) => n.registered).map((n) => this.#pacer.run(PRIORITY.node, () => this.#api.deleteNode(n))));
      const failed = results.filter((r) => r.status === 'rejected').length;
      if (failed > 0) this.#logger?.warn({ failed }, 'some simulated nodes could not be deleted');
    }
    this.#pacer.close(new Error('sim cluster stopped'));
    this.#failReady(new Error('sim cluster stopped'));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  *#select(names: readonly string[] | undefined): Iterable<SimNode> {
    if (!names) return yield* this.#nodes.values();
    for (const name of names) {
      const node = this.#nodes.get(name);
      if (!node) throw new Error(`"${name}" is not a node of this simulator`);
      yield node;
    }
  }

  /** Every address a Node in the API holds is taken (the informer has synced by now). */
  #planAddresses(): AddressPlan {
    const plan = new AddressPlan(this.config);
    for (const node of this.#nodeInformer.indexer.list()) plan.reserve(node);
    return plan;
  }

  async #register(node: SimNode): Promise<void> {
    const signal = this.#ac.signal;
    for (let attempt = 0; ; attempt++) {
      try {
        const podCidr = await this.#pacer.run(PRIORITY.node, () => this.#api.registerNode(node));
        node.podCIDR = podCidr;
        node.kubelet = new SimKubelet({ name: node.name, hostIP: node.identity.internalIP, podCidr }, this.#allocatable, this.#behaviour, this.#clock);
        await this.#pacer.run(PRIORITY.lease, () => this.#api.renewLease(node));
        break;
      } catch (err) {
        if (signal.aborted) throw new Error('sim cluster stopped while registering nodes', { cause: err });
        const wait = REGISTER_RETRY_MS[Math.min(attempt, REGISTER_RETRY_MS.length - 1)]!;
        this.#logger?.warn({ err, node: node.name, retryMs: wait }, 'node registration failed; retrying');
        await sleep(this.#clock, wait, signal).catch(() => undefined);
      }
    }
    node.registered = true;
    if (node.failed) return;
    this.#heartbeats.add(node);
    this.#pods.enqueueNode(node);
  }

  async #nodeDeleted(name: string): Promise<void> {
    const node = this.#nodes.get(name);
    if (!node?.registered || this.#stopped) return;
    // As a kubelet whose Node was deleted: it does not come back on its own. Pods bound to it stay.
    this.#logger?.warn({ node: name }, 'simulated node was deleted from the API; it leaves the simulation');
    this.#heartbeats.stop(node);
    this.#nodes.delete(name);
    await this.#pods.forgetNode(node);
  }
}
