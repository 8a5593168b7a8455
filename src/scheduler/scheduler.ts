// The scheduler (upstream scheduler.go / schedule_one.go): pops pods by priority, runs the
// synchronous scheduling cycle of the pod's profile (Filter, Score, PostFilter preemption, assume,
// Reserve, Permit) and starts the asynchronous binding cycle (wait on Permit, PreBind, Bind,
// PostBind) without waiting for it, so the next pod is scheduled while the bind call is in flight.
// Failures put the pod back in the queue and are reported on the pod (event and condition).

import type { Logger } from 'pino';
import { realClock, type Clock, type EventRecorder, type RestClient } from '../client/index.ts';
import type { Pod, PriorityClass } from './api-types.ts';
import { SchedulerCache } from './cache/cache.ts';
import { Snapshot } from './cache/snapshot.ts';
import { CycleState } from './framework/cycle-state.ts';
import { FitError } from './framework/fit-error.ts';
import { Framework, type Registry } from './framework/framework.ts';
import type { QueuedPodInfo } from './framework/interface.ts';
import { staticListers, type ClusterListers } from './framework/listers.ts';
import { PodInfo } from './framework/pod-info.ts';
import { Code, Status } from './framework/status.ts';
import { ActionType, eventMatches, type ClusterEvent } from './framework/events.ts';
import { recordFailedScheduling, recordScheduled, updatePodScheduledCondition, type StatusWriterDeps } from './pod-status.ts';
import { inTreeRegistry } from './plugins/registry.ts';
import { defaultConfig } from './profile/config.ts';
import type { SchedulerConfig } from './profile/types.ts';
import { Nominator } from './queue/nominator.ts';
import { SchedulingQueue } from './queue/scheduling-queue.ts';
import { Algorithm, type PhaseTimes } from './schedule-pod.ts';

export interface SchedulerOptions {
  client?: RestClient | undefined;
  config?: SchedulerConfig;
  registry?: Registry;
  listers?: ClusterListers;
  /** Event recorders by scheduler name (the Events' source component). */
  recorders?: (schedulerName: string) => EventRecorder | undefined;
  clock?: Clock;
  logger?: Logger;
  random?: () => number;
}

/** Counters a benchmark or a metrics endpoint can read. Times are totals in µs. */
export interface SchedulerMetrics extends PhaseTimes {
  attempts: number;
  scheduled: number;
  unschedulable: number;
  errors: number;
  bindings: number;
  bindFailures: number;
  preemptionAttempts: number;
  /** Scheduling-cycle time (pop to assume), µs. */
  cycleMicros: number;
}

export class Scheduler {
  readonly cache: SchedulerCache;
  readonly queue: SchedulingQueue;
  readonly snapshot = new Snapshot();
  readonly frameworks = new Map<string, Framework>();
  readonly listers: ClusterListers;
  readonly algorithm: Algorithm;
  readonly metrics: SchedulerMetrics = {
    attempts: 0, scheduled: 0, unschedulable: 0, errors: 0, bindings: 0, bindFailures: 0, preemptionAttempts: 0, filterMicros: 0, scoreMicros: 0, cycleMicros: 0,
  };
  readonly #bindings = new Set<Promise<void>>();
  readonly #client: RestClient | undefined;
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;
  readonly #abort = new AbortController();
  readonly #deps: (fw: Framework) => StatusWriterDeps;
  readonly #hints = new Map<string, ReturnType<Framework['queueingHints']>>();
  readonly #interest = new Map<string, boolean>();

  constructor(options: SchedulerOptions = {}) {
    const config = options.config ?? defaultConfig();
    this.#client = options.client;
    this.#clock = options.clock ?? realClock;
    this.#logger = options.logger;
    this.listers = options.listers ?? staticListers();
    this.cache = new SchedulerCache(options.logger);
    this.algorithm = new Algorithm(config.percentageOfNodesToScore, options.random);
    const nominator = new Nominator((pi) => {
      const current = this.listers.pod(pi.namespace, pi.pod.metadata.name ?? '');
      return !current || !current.spec?.nodeName;
    });
    const registry = options.registry ?? inTreeRegistry();
    for (const profile of config.profiles) {
      const fw = new Framework(profile, {
        registry,
        snapshot: () => this.snapshot,
        listers: this.listers,
        nominator,
        clock: this.#clock,
        client: options.client,
        recorder: options.recorders?.(profile.schedulerName),
        logger: options.logger?.child({ profile: profile.schedulerName }),
        activate: (pods) => this.queue.activate(pods),
        ungate: (pods) => this.queue.ungate(pods),
      });
      this.frameworks.set(profile.schedulerName, fw);
    }
    const first = this.frameworks.values().next().value as Framework;
    this.queue = new SchedulingQueue({
      less: (a, b) => first.queueSort.less(a, b),
      preEnqueue: (pi) => this.frameworkFor(pi.pod)?.runPreEnqueuePlugins(pi) ?? Status.skip(),
      hints: (name) => this.#hints.get(name) ?? [],
      interested: (event) => this.#interested(event),
      nominator,
      clock: this.#clock,
      podInitialBackoffMs: config.podInitialBackoffMs,
      podMaxBackoffMs: config.podMaxBackoffMs,
      ...(options.logger ? { logger: options.logger } : {}),
    });
    this.#deps = (fw) => ({ client: this.#client, recorder: fw.recorder, clock: this.#clock, logger: this.#logger });
    for (const [name, fw] of this.frameworks) this.#hints.set(name, fw.queueingHints());
  }

  /** Does any profile's plugin register an event of this resource and action (memoised)? */
  #interested(event: ClusterEvent): boolean {
    if (event.resource === '*') return true;
    const key = `${event.resource}/${event.actionType}`;
    let v = this.#interest.get(key);
    if (v === undefined) {
      v = [...this.#hints.values()].some((hints) => hints.some((h) => eventMatches(h.event, event)));
      this.#interest.set(key, v);
    }
    return v;
  }

  /** The framework of the pod's schedulerName; undefined for pods another scheduler owns. */
  frameworkFor(pod: Pod): Framework | undefined {
    return this.frameworks.get(pod.spec?.schedulerName || 'default-scheduler');
  }

  /** A PodInfo with the pod's priority resolved (spec.priority, else its PriorityClass, else the global default). */
  podInfo(pod: Pod): PodInfo {
    let priority = pod.spec?.priority;
    if (priority === undefined) {
      const className = pod.spec?.priorityClassName;
      let pc: PriorityClass | undefined;
      if (className) pc = this.listers.priorityClass(className);
      else pc = this.listers.priorityClasses().find((c) => c.globalDefault);
      priority = pc?.value ?? 0;
    }
    return new PodInfo(pod, priority);
  }

  /** Starts the queue's periodic work; call before popping (run() does). */
  start(): void {
    this.queue.run();
  }

  /** Schedules pods until `signal` aborts; settles after in-flight bindings finish. */
  async loop(signal: AbortSignal): Promise<void> {
    const stop = (): void => this.#abort.abort();
    signal.addEventListener('abort', stop, { once: true });
    let lastYield = performance.now();
    try {
      while (!signal.aborted) {
        const q = await this.queue.pop(signal);
        if (!q) break;
        this.scheduleOne(q);
        // Let I/O (informer events, bind responses) in between cycles.
        if (performance.now() - lastYield > 5) {
          await new Promise((r) => setImmediate(r));
          lastYield = performance.now();
        }
      }
    } finally {
      signal.removeEventListener('abort', stop);
      this.queue.close();
      for (const fw of this.frameworks.values()) fw.waitingPods.rejectAll('scheduler is stopping');
      await this.idle();
    }
  }

  /** Settles when every started binding cycle has finished. */
  async idle(): Promise<void> {
    while (this.#bindings.size > 0) await Promise.allSettled([...this.#bindings]);
  }

  /** One scheduling cycle for a popped pod; the binding cycle continues in the background. */
  scheduleOne(q: QueuedPodInfo): void {
    const pi = q.podInfo;
    const fw = this.frameworkFor(pi.pod);
    if (!fw || pi.terminating || this.cache.isAssumed(pi.uid)) {
      this.queue.done(pi.uid);
      return;
    }
    const start = performance.now();
    this.metrics.attempts++;
    const state = new CycleState();
    this.cache.updateSnapshot(this.snapshot);
    const result = this.algorithm.schedulePod(fw, state, pi, this.snapshot, this.metrics);
    if (result instanceof FitError) {
      let nominated: string | undefined;
      if (fw.hasPostFilterPlugins) {
        this.metrics.preemptionAttempts++;
        const post = fw.runPostFilterPlugins(state, pi, result.diagnosis.nodeToStatus);
        result.diagnosis.postFilterMsg = post.status.message;
        if (post.status.code === Code.Error) this.#logger?.error({ pod: pi.key, status: post.status.toString() }, 'PostFilter failed');
        nominated = post.result?.nominatedNodeName;
      }
      this.metrics.cycleMicros += (performance.now() - start) * 1000;
      this.#failure(fw, q, new Status(Code.Unschedulable, [result.message]), result, nominated);
      return;
    }
    if (result instanceof Status) {
      this.metrics.cycleMicros += (performance.now() - start) * 1000;
      this.#failure(fw, q, result, undefined, '');
      return;
    }
    const host = result.suggestedHost;
    const assumed = new PodInfo({ ...pi.pod, spec: { ...pi.pod.spec, nodeName: host } }, pi.priority);
    try {
      this.cache.assumePod(assumed);
    } catch (err) {
      this.#failure(fw, q, Status.error('', err), undefined, '');
      return;
    }
    const reserve = fw.runReservePluginsReserve(state, assumed, host);
    const permit = reserve.isSuccess ? fw.runPermitPlugins(state, assumed, host) : reserve;
    if (!permit.isSuccess && permit.code !== Code.Wait) {
      fw.runReservePluginsUnreserve(state, assumed, host);
      this.cache.forgetPod(assumed);
      this.#failure(fw, q, permit, undefined, '');
      return;
    }
    this.queue.nominator.delete(pi.uid);
    this.metrics.cycleMicros += (performance.now() - start) * 1000;
    const binding = this.#bindingCycle(fw, state, q, assumed, host).finally(() => this.#bindings.delete(binding));
    this.#bindings.add(binding);
  }

  async #bindingCycle(fw: Framework, state: CycleState, q: QueuedPodInfo, assumed: PodInfo, host: string): Promise<void> {
    const signal = this.#abort.signal;
    let status = await fw.waitOnPermit(assumed);
    if (status.isSuccess) status = await fw.runPreBindPlugins(state, assumed, host, signal);
    if (status.isSuccess) status = await fw.runBindPlugins(state, assumed, host, signal);
    if (status.isSuccess) {
      this.cache.finishBinding(assumed.uid);
      this.metrics.scheduled++;
      this.metrics.bindings++;
      void recordScheduled(this.#deps(fw), q.podInfo.pod, host);
      fw.runPostBindPlugins(state, assumed, host);
      this.queue.done(assumed.uid);
      return;
    }
    this.metrics.bindFailures++;
    fw.runReservePluginsUnreserve(state, assumed, host);
    this.cache.forgetPod(assumed);
    // The space the assumed pod held is free again: that is an assigned-pod delete for the others.
    this.queue.moveOnEvent({ resource: 'AssignedPod', actionType: ActionType.Delete, label: 'AssignedPodDelete' }, assumed.pod, undefined);
    this.#failure(fw, q, status, undefined, '');
  }

  /** Upstream handleSchedulingFailure: requeue (unless gone or bound), nominate, report. */
  #failure(fw: Framework, q: QueuedPodInfo, status: Status, fit: FitError | undefined, nominated: string | undefined): void {
    const pi = q.podInfo;
    const rejected = status.isRejected;
    if (rejected) this.metrics.unschedulable++;
    else this.metrics.errors++;
    q.unschedulablePlugins = fit ? new Set(fit.diagnosis.unschedulablePlugins) : new Set();
    q.pendingPlugins = fit ? new Set(fit.diagnosis.pendingPlugins) : new Set();
    q.failedWithError = !rejected;
    const message = fit ? fit.message : status.message;
    if (rejected) this.#logger?.debug({ pod: pi.key, reason: message }, 'unable to schedule pod; waiting');
    else this.#logger?.warn({ pod: pi.key, err: status.toString() }, 'error scheduling pod; retrying');
    const latest = this.listers.pod(pi.namespace, pi.pod.metadata.name ?? '');
    let current = pi;
    if (!latest || latest.metadata.uid !== pi.pod.metadata.uid || latest.spec?.nodeName) {
      this.queue.done(pi.uid);
    } else {
      current = latest === pi.pod ? pi : this.podInfo(latest);
      q.podInfo = current;
      this.queue.addUnschedulable(q);
    }
    if (nominated !== undefined) this.queue.nominator.add(current, nominated);
    else this.queue.nominator.add(current);
    if (!latest) return;
    const deps = this.#deps(fw);
    void recordFailedScheduling(deps, latest, message);
    void updatePodScheduledCondition(deps, latest, { reason: rejected ? 'Unschedulable' : 'SchedulerError', message }, nominated);
  }
}
