// The garbage collector controller (upstream's garbagecollector, component
// garbage-collector-controller). It discovers every resource that can be listed, watched and
// deleted, monitors each with an informer feeding the dependency graph, and runs two pools of
// workers: attempt-to-delete (dangling dependents, foreground deletion) and attempt-to-orphan.
// Discovery is repeated periodically and whenever a CRD changes, so custom kinds join the graph;
// while the monitors of newly found resources sync, the workers pause, so no decision is taken on
// a graph that is missing a kind (a foreground owner must not lose its finalizer early).
//
// It extends Controller so the manager can run it like any other, but replaces run(): its
// informers come and go with discovery and its queues hold uids, not namespace/name keys.

import type { Logger } from 'pino';
import type { KubeObject } from '../../api/types.ts';
import { realClock, sleep, WorkQueue, type Clock, type RestClient, type SharedInformerFactory, type EventRecorder } from '../../client/index.ts';
import { common, type ControllerContext } from '../runtime/context.ts';
import { Controller } from '../runtime/controller.ts';
import { Collector, ConflictError, MappingError, type Outcome } from './collector.ts';
import { restGcApi, type GcApi } from './gc-api.ts';
import { GraphBuilder } from './graph-builder.ts';
import { Monitors, waitForSync } from './monitors.ts';
import { discoverResources, RestMapper } from './rest-mapper.ts';

const CRDS = { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions' } as const;

interface Crd extends KubeObject {
  spec?: { group?: string; names?: { plural?: string } };
}

export interface GarbageCollectorOptions {
  /** Workers per queue (upstream's --concurrent-gc-syncs, 20). */
  workers?: number;
  /** How often resources are re-discovered (30 s); CRD changes trigger it sooner. */
  resyncPeriodMs?: number;
  /** How long workers wait for the monitors of newly discovered resources to sync (30 s). */
  syncTimeoutMs?: number;
  /** Replaces the REST-backed API (tests). */
  api?: GcApi;
}

export class GarbageCollector extends Controller {
  readonly builder: GraphBuilder;
  readonly collector: Collector;
  /** uids waiting for attemptToOrphan; `queue` (inherited) holds those for attemptToDelete. */
  readonly orphanQueue: WorkQueue<string>;
  readonly #client: RestClient;
  readonly #informers: SharedInformerFactory;
  readonly #recorder: EventRecorder;
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;
  readonly #options: GarbageCollectorOptions;
  readonly #monitors: Monitors;
  #mapper = new RestMapper([], new Map());
  #paused: Promise<void> | undefined;
  #kicked = false;
  #wake: (() => void) | undefined;

  constructor(ctx: ControllerContext, options: GarbageCollectorOptions = {}) {
    // The inherited reconciler is never called: run() below drives the queues.
    super({ name: 'garbagecollector', reconciler: { reconcile: async () => undefined }, ...common(ctx) });
    this.#client = ctx.client;
    this.#informers = ctx.informers;
    this.#recorder = ctx.recorder;
    this.#clock = ctx.clock ?? realClock;
    this.#logger = ctx.logger;
    this.#options = options;
    this.orphanQueue = new WorkQueue<string>({ clock: this.#clock });
    this.builder = new GraphBuilder(
      {
        attemptToDelete: (uid, o) => (o?.rateLimited ? this.queue.addRateLimited(uid) : this.queue.add(uid)),
        attemptToOrphan: (uid) => this.orphanQueue.add(uid),
        invalidOwnerNamespace: (dep, message) => {
          const involved: KubeObject = { apiVersion: dep.apiVersion, kind: dep.kind, metadata: { name: dep.name, namespace: dep.namespace, uid: dep.uid } };
          void this.#recorder.event(involved, 'Warning', 'OwnerRefInvalidNamespace', message);
        },
      },
      { namespaced: (apiVersion, kind) => this.#mapper.namespaced(apiVersion, kind) },
    );
    const api = options.api ?? restGcApi(ctx.client, () => this.#mapper);
    this.collector = new Collector({ api, builder: this.builder, enqueueDelete: (uid) => this.queue.add(uid), ...(ctx.logger ? { logger: ctx.logger } : {}) });
    const crds = ctx.informers.informerFor<Crd>(CRDS);
    this.#monitors = new Monitors({
      client: ctx.client,
      informers: ctx.informers,
      builder: this.builder,
      isCustom: (group, resource) => crds.indexer.list().some((c) => c.spec?.group === group && c.spec.names?.plural === resource),
      ...common(ctx),
    });
  }

  /** Monitored resources (for tests and logs). */
  get monitored(): number {
    return this.#monitors.size;
  }

  override async run(signal: AbortSignal): Promise<void> {
    const crds = this.#informers.informerFor<Crd>(CRDS);
    const kick = (): void => this.#kick();
    crds.addEventHandler({ onAdd: kick, onUpdate: kick, onDelete: kick });
    const crdRun = crds.run(signal);
    const stop = (): void => {
      this.queue.shutDown();
      this.orphanQueue.shutDown();
      this.#wake?.();
    };
    signal.addEventListener('abort', stop, { once: true });
    try {
      if (!(await waitForSync([crds], signal))) return;
      if (!(await this.#initialSync(signal))) return;
      this.#logger?.info({ monitors: this.#monitors.size, nodes: this.builder.graph.size }, 'garbage collector: all resource monitors synced; starting workers');
      const workers = Math.max(1, this.#options.workers ?? 20);
      await Promise.all([
        ...Array.from({ length: workers }, () => this.#work(this.queue, (uid) => this.collector.attemptToDelete(uid, signal), signal)),
        ...Array.from({ length: workers }, () => this.#work(this.orphanQueue, (uid) => this.collector.attemptToOrphan(uid, signal), signal)),
        this.#discoveryLoop(signal),
      ]);
    } finally {
      stop();
      signal.removeEventListener('abort', stop);
      await crdRun;
      await this.#monitors.stopped();
    }
  }

  /** Discovers (retrying until it works) and waits for every monitor to sync; false when aborted first. */
  async #initialSync(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      try {
        await this.#resync(signal, false);
        break;
      } catch (err) {
        if (signal.aborted) return false;
        this.#logger?.warn({ err }, 'garbage collector: discovery failed; retrying');
        await sleep(this.#clock, 1000, signal).catch(() => undefined);
      }
    }
    // As upstream, the first sync waits for every monitor: a partial graph could orphan too little.
    while (!signal.aborted) {
      if (await waitForSync(this.#monitors.all().map((m) => m.informer), signal, this.#clock, 30_000)) return true;
      this.#logger?.warn({ unsynced: this.#monitors.unsynced() }, 'garbage collector: waiting for resource monitors to sync');
      // A resource that went away meanwhile (a deleted CRD) must not hold the start up.
      await this.#resync(signal, false).catch((err: unknown) => this.#logger?.warn({ err }, 'garbage collector: re-discovery failed'));
    }
    return false;
  }

  /** Re-discovers resources; new monitors sync while the workers are paused (bounded by syncTimeoutMs). */
  async #resync(signal: AbortSignal, pauseWorkers: boolean): Promise<void> {
    const discovery = await discoverResources(this.#client, signal);
    this.#mapper = discovery.mapper;
    const added = this.#monitors.sync(discovery.mapper, discovery.failedGroups, signal);
    if (added.length === 0 || !pauseWorkers) return;
    this.#logger?.info({ resources: added.map((m) => m.resource.resource) }, 'garbage collector: monitoring newly discovered resources');
    let resume = (): void => {};
    this.#paused = new Promise((resolve) => (resume = resolve));
    try {
      const synced = await waitForSync(added.map((m) => m.informer), signal, this.#clock, this.#options.syncTimeoutMs ?? 30_000);
      if (!synced && !signal.aborted) this.#logger?.warn({ unsynced: this.#monitors.unsynced() }, 'garbage collector: new monitors did not sync in time; resuming');
    } finally {
      this.#paused = undefined;
      resume();
    }
  }

  async #discoveryLoop(signal: AbortSignal): Promise<void> {
    let followUp = false;
    while (!signal.aborted) {
      const kicked = await this.#waitForKick(followUp ? 2000 : (this.#options.resyncPeriodMs ?? 30_000), signal);
      if (signal.aborted) return;
      // A CRD is announced before it is served: look again shortly after a kick.
      followUp = kicked;
      try {
        await this.#resync(signal, true);
      } catch (err) {
        if (!signal.aborted) this.#logger?.warn({ err }, 'garbage collector: re-discovery failed');
      }
    }
  }

  #kick(): void {
    this.#kicked = true;
    this.#wake?.();
  }

  /** Waits `ms` or until a CRD changes; true when woken by a change. */
  #waitForKick(ms: number, signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (): void => {
        timer.cancel();
        this.#wake = undefined;
        const kicked = this.#kicked;
        this.#kicked = false;
        resolve(kicked);
      };
      const timer = this.#clock.setTimeout(done, ms);
      this.#wake = done;
      if (this.#kicked || signal.aborted) done();
    });
  }

  async #work(queue: WorkQueue<string>, attempt: (uid: string) => Promise<Outcome>, signal: AbortSignal): Promise<void> {
    for (;;) {
      const uid = await queue.get();
      if (uid === undefined) return;
      try {
        while (this.#paused) await this.#paused;
        const outcome = await attempt(uid);
        if (outcome === 'requeue') queue.addRateLimited(uid);
        else queue.forget(uid);
      } catch (err) {
        if (!signal.aborted) {
          const expected = err instanceof MappingError || err instanceof ConflictError;
          this.#logger?.[expected ? 'debug' : 'warn']({ err, uid, retries: queue.numRequeues(uid) }, 'garbage collector: processing item failed; requeueing');
          queue.addRateLimited(uid);
        }
      } finally {
        queue.done(uid);
      }
    }
  }
}

/** The garbage collector as the controller manager builds it. */
export function garbageCollector(ctx: ControllerContext, options: GarbageCollectorOptions = {}): GarbageCollector {
  return new GarbageCollector(ctx, options);
}
