// The scheduling queue (upstream PriorityQueue): activeQ ordered by the QueueSort plugin, a
// backoffQ ordered by backoff expiry (1 s doubling per attempt up to 10 s), and the unschedulable
// pool. A pod rejected by plugins waits in the pool until a cluster event that one of its rejecting
// plugins registered arrives and that plugin's queueing hint says Queue — or until it has waited
// five minutes (the leftover flush). Events that arrive while a pod is being scheduled are
// remembered, so a pod that fails just after the event that would have helped is not stranded.

import type { Logger } from 'pino';
import { realClock, type Clock, type TimerHandle } from '../../client/index.ts';
import { eventMatches, podUpdateActions, QueueingHint, UNSCHEDULABLE_TIMEOUT, FORCE_ACTIVATE, type ClusterEvent } from '../framework/events.ts';
import type { RegisteredHint } from '../framework/framework.ts';
import type { QueuedPodInfo } from '../framework/interface.ts';
import type { PodInfo } from '../framework/pod-info.ts';
import { SUCCESS, type Status } from '../framework/status.ts';
import { KeyedHeap } from './heap.ts';
import { Nominator } from './nominator.ts';

export interface SchedulingQueueOptions {
  /** QueueSort order (the same plugin for every profile). */
  less: (a: QueuedPodInfo, b: QueuedPodInfo) => boolean;
  /** PreEnqueue plugins of the pod's profile. */
  preEnqueue?: (pod: PodInfo) => Status;
  /** Registered events and hints of a profile. */
  hints?: (schedulerName: string) => readonly RegisteredHint[];
  /** Whether any profile registered an event like this one (others are dropped at once). */
  interested?: (event: ClusterEvent) => boolean;
  nominator?: Nominator;
  clock?: Clock;
  logger?: Logger;
  podInitialBackoffMs?: number;
  podMaxBackoffMs?: number;
  podMaxInUnschedulablePodsDurationMs?: number;
  /** How often the unschedulable pool is checked for pods that waited too long. */
  unschedulableFlushIntervalMs?: number;
}

type Strategy = 'skip' | 'backoff' | 'active';
type Queue = 'active' | 'backoff' | 'unschedulable';

interface InFlightEvent {
  seq: number;
  event: ClusterEvent;
  oldObj: unknown;
  newObj: unknown;
}

export class SchedulingQueue {
  readonly nominator: Nominator;
  readonly #o: Required<Omit<SchedulingQueueOptions, 'logger' | 'nominator'>> & { logger: Logger | undefined };
  readonly #active: KeyedHeap<QueuedPodInfo>;
  readonly #backoff: KeyedHeap<QueuedPodInfo>;
  readonly #unschedulable = new Map<string, QueuedPodInfo>();
  readonly #inFlight = new Map<string, number>();
  #events: InFlightEvent[] = [];
  #seq = 0;
  #waiters: (() => void)[] = [];
  #backoffTimer: { at: number; handle: TimerHandle } | undefined;
  #flushTimer: TimerHandle | undefined;
  #closed = false;

  constructor(options: SchedulingQueueOptions) {
    this.#o = {
      preEnqueue: () => SUCCESS,
      hints: () => [],
      interested: () => true,
      clock: realClock,
      podInitialBackoffMs: 1000,
      podMaxBackoffMs: 10_000,
      podMaxInUnschedulablePodsDurationMs: 5 * 60_000,
      unschedulableFlushIntervalMs: 30_000,
      ...options,
      logger: options.logger,
    };
    this.nominator = options.nominator ?? new Nominator();
    this.#active = new KeyedHeap((q) => q.podInfo.uid, this.#o.less);
    this.#backoff = new KeyedHeap((q) => q.podInfo.uid, (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
  }

  /** Starts the periodic flush of pods that waited too long in the unschedulable pool. */
  run(): void {
    const tick = (): void => {
      if (this.#closed) return;
      this.flushUnschedulableLeftover();
      this.#flushTimer = this.#o.clock.setTimeout(tick, this.#o.unschedulableFlushIntervalMs);
    };
    this.#flushTimer = this.#o.clock.setTimeout(tick, this.#o.unschedulableFlushIntervalMs);
  }

  close(): void {
    this.#closed = true;
    this.#flushTimer?.cancel();
    this.#backoffTimer?.handle.cancel();
    for (const w of [...this.#waiters]) w();
  }

  get counts(): { active: number; backoff: number; unschedulable: number; inFlight: number } {
    return { active: this.#active.size, backoff: this.#backoff.size, unschedulable: this.#unschedulable.size, inFlight: this.#inFlight.size };
  }

  /** Which queue holds the pod (tests, debugging). */
  where(uid: string): Queue | undefined {
    if (this.#active.has(uid)) return 'active';
    if (this.#backoff.has(uid)) return 'backoff';
    if (this.#unschedulable.has(uid)) return 'unschedulable';
    return undefined;
  }

  // ---- backoff ----

  backoffDuration(q: QueuedPodInfo): number {
    if (q.attempts === 0) return 0;
    let d = this.#o.podInitialBackoffMs;
    for (let i = 1; i < q.attempts; i++) {
      if (d > this.#o.podMaxBackoffMs - d) return this.#o.podMaxBackoffMs;
      d += d;
    }
    return Math.min(d, this.#o.podMaxBackoffMs);
  }

  backoffExpiry(q: QueuedPodInfo): number {
    return q.timestamp + this.backoffDuration(q);
  }

  #isBackingOff(q: QueuedPodInfo): boolean {
    if (q.gatingPlugin) return false;
    return this.backoffExpiry(q) > this.#o.clock.now();
  }

  #scheduleBackoffFlush(): void {
    const next = this.#backoff.peek();
    if (!next) return;
    const at = this.backoffExpiry(next);
    if (this.#backoffTimer && this.#backoffTimer.at <= at) return;
    this.#backoffTimer?.handle.cancel();
    const handle = this.#o.clock.setTimeout(() => {
      this.#backoffTimer = undefined;
      this.flushBackoffCompleted();
    }, at - this.#o.clock.now());
    this.#backoffTimer = { at, handle };
  }

  /** Moves pods whose backoff has expired to the active queue. */
  flushBackoffCompleted(): void {
    const now = this.#o.clock.now();
    for (let q = this.#backoff.peek(); q && this.backoffExpiry(q) <= now; q = this.#backoff.peek()) {
      this.#backoff.pop();
      this.#moveToActive(q);
    }
    this.#scheduleBackoffFlush();
  }

  /** Moves pods that waited longer than podMaxInUnschedulablePodsDuration (upstream's 5-minute flush). */
  flushUnschedulableLeftover(): void {
    const now = this.#o.clock.now();
    const stale = [...this.#unschedulable.values()].filter((q) => now - q.timestamp > this.#o.podMaxInUnschedulablePodsDurationMs);
    for (const q of stale) this.#requeue(q, 'backoff', UNSCHEDULABLE_TIMEOUT);
  }

  // ---- adding and popping ----

  #newQueued(pi: PodInfo): QueuedPodInfo {
    const now = this.#o.clock.now();
    return { podInfo: pi, timestamp: now, initialAttemptTimestamp: now, attempts: 0, unschedulablePlugins: new Set(), pendingPlugins: new Set(), gatingPlugin: '', failedWithError: false };
  }

  /** A new unscheduled pod from the informer. */
  add(pi: PodInfo): void {
    const q = this.#unschedulable.get(pi.uid) ?? this.#backoff.get(pi.uid) ?? this.#active.get(pi.uid) ?? this.#newQueued(pi);
    q.podInfo = pi;
    this.#unschedulable.delete(pi.uid);
    this.#backoff.delete(pi.uid);
    this.#moveToActive(q);
    this.nominator.add(pi);
  }

  /** Runs PreEnqueue; a gated pod waits in the unschedulable pool instead. */
  #moveToActive(q: QueuedPodInfo): boolean {
    const s = this.#o.preEnqueue(q.podInfo);
    if (!s.isSuccess) {
      q.gatingPlugin = s.plugin || 'PreEnqueue';
      q.unschedulablePlugins = new Set([q.gatingPlugin]);
      q.pendingPlugins = new Set();
      this.#unschedulable.set(q.podInfo.uid, q);
      return false;
    }
    q.gatingPlugin = '';
    this.#active.addOrUpdate(q);
    this.#wake();
    return true;
  }

  #wake(): void {
    this.#waiters[0]?.();
  }

  /** Waits for the next pod by QueueSort order; undefined once closed or aborted. */
  async pop(signal?: AbortSignal): Promise<QueuedPodInfo | undefined> {
    while (!this.#closed && !signal?.aborted) {
      const q = this.#active.pop();
      if (q) {
        q.attempts++;
        this.#inFlight.set(q.podInfo.uid, this.#seq);
        return q;
      }
      await new Promise<void>((resolve) => {
        const done = (): void => {
          signal?.removeEventListener('abort', done);
          const i = this.#waiters.indexOf(done);
          if (i >= 0) this.#waiters.splice(i, 1);
          resolve();
        };
        this.#waiters.push(done);
        signal?.addEventListener('abort', done, { once: true });
      });
    }
    return undefined;
  }

  /** Ends the in-flight tracking of a pod (after it was bound, re-queued or dropped). */
  done(uid: string): void {
    if (!this.#inFlight.delete(uid)) return;
    if (this.#inFlight.size === 0) {
      this.#events = [];
      return;
    }
    // Pops insert in sequence order and a Map iterates in insertion order: the first is the oldest.
    const oldest = this.#inFlight.values().next().value!;
    let drop = 0;
    while (drop < this.#events.length && this.#events[drop]!.seq <= oldest) drop++;
    if (drop > 0) this.#events.splice(0, drop);
  }

  /**
   * Puts back a pod whose attempt failed: to backoff after an error or when an event during its
   * attempt may have helped, otherwise to the unschedulable pool.
   */
  addUnschedulable(q: QueuedPodInfo): void {
    const uid = q.podInfo.uid;
    if (this.#active.has(uid) || this.#backoff.has(uid) || this.#unschedulable.has(uid)) {
      this.done(uid);
      return;
    }
    q.timestamp = this.#o.clock.now();
    const since = this.#inFlight.get(uid) ?? this.#seq;
    let strategy: Strategy = 'skip';
    if (q.failedWithError || (q.unschedulablePlugins.size === 0 && q.pendingPlugins.size === 0)) strategy = 'backoff';
    else {
      for (const e of this.#events) {
        if (e.seq <= since) continue;
        const s = this.#worthRequeuing(q, e.event, e.oldObj, e.newObj);
        if (s === 'active') {
          strategy = s;
          break;
        }
        if (s === 'backoff') strategy = s;
      }
    }
    this.done(uid);
    if (strategy === 'skip') this.#unschedulable.set(uid, q);
    else this.#requeueNow(q, strategy);
  }

  #requeueNow(q: QueuedPodInfo, strategy: Strategy): Queue {
    if (strategy === 'backoff' && this.#isBackingOff(q)) {
      this.#backoff.addOrUpdate(q);
      this.#scheduleBackoffFlush();
      return 'backoff';
    }
    return this.#moveToActive(q) ? 'active' : 'unschedulable';
  }

  #requeue(q: QueuedPodInfo, strategy: Strategy, event: ClusterEvent): void {
    if (strategy === 'skip') return;
    this.#unschedulable.delete(q.podInfo.uid);
    const where = this.#requeueNow(q, strategy);
    this.#o.logger?.trace({ pod: q.podInfo.key, event: event.label, queue: where }, 'pod moved');
  }

  /** Upstream isPodWorthRequeuing: does an event registered by a plugin that rejected the pod say Queue? */
  #worthRequeuing(q: QueuedPodInfo, event: ClusterEvent, oldObj: unknown, newObj: unknown): Strategy {
    const rejectors = new Set([...q.unschedulablePlugins, ...q.pendingPlugins]);
    if (rejectors.size === 0 || event.resource === '*') return 'backoff';
    let strategy: Strategy = 'skip';
    for (const h of this.#o.hints(q.podInfo.pod.spec?.schedulerName ?? '')) {
      if (!rejectors.has(h.plugin) || !eventMatches(h.event, event)) continue;
      let hint: QueueingHint = QueueingHint.Queue;
      if (h.hint) {
        try {
          hint = h.hint(q.podInfo, oldObj, newObj);
        } catch (err) {
          this.#o.logger?.warn({ err, plugin: h.plugin }, 'queueing hint failed; requeueing');
        }
      }
      if (hint === QueueingHint.Skip) continue;
      if (q.pendingPlugins.has(h.plugin)) return 'active';
      if (q.pendingPlugins.size === 0) return 'backoff';
      strategy = 'backoff';
    }
    return strategy;
  }

  /** Moves the unschedulable pods this event may help (upstream MoveAllToActiveOrBackoffQueue). */
  moveOnEvent(event: ClusterEvent, oldObj: unknown, newObj: unknown): void {
    if (!this.#o.interested(event)) return;
    if (this.#inFlight.size > 0) this.#events.push({ seq: ++this.#seq, event, oldObj, newObj });
    if (this.#unschedulable.size === 0) return;
    for (const q of [...this.#unschedulable.values()]) {
      this.#requeue(q, this.#worthRequeuing(q, event, oldObj, newObj), event);
    }
  }

  /** Sends pods straight to the active queue (upstream Activate). */
  activate(pods: readonly PodInfo[]): void {
    for (const pi of pods) {
      const q = this.#unschedulable.get(pi.uid) ?? this.#backoff.get(pi.uid);
      if (!q) continue;
      this.#unschedulable.delete(pi.uid);
      this.#backoff.delete(pi.uid);
      this.#moveToActive(q);
    }
    if (this.#inFlight.size > 0) this.#events.push({ seq: ++this.#seq, event: FORCE_ACTIVATE, oldObj: undefined, newObj: undefined });
  }

  /** Re-runs PreEnqueue for gated pods (not for pods that plugins rejected in a cycle). */
  ungate(pods: readonly PodInfo[]): void {
    for (const pi of pods) {
      const q = this.#unschedulable.get(pi.uid);
      if (!q || !q.gatingPlugin) continue;
      this.#unschedulable.delete(pi.uid);
      this.#moveToActive(q);
    }
  }

  /** An unscheduled pod changed: refresh it where it waits; an unschedulable one may now fit. */
  update(oldInfo: PodInfo, newInfo: PodInfo): void {
    const uid = newInfo.uid;
    this.nominator.update(oldInfo, newInfo);
    const event: ClusterEvent = { resource: 'UnscheduledPod', actionType: podUpdateActions(oldInfo, newInfo), label: 'UnscheduledPodUpdate' };
    if (this.#inFlight.has(uid)) {
      if (event.actionType !== 0) this.#events.push({ seq: ++this.#seq, event, oldObj: oldInfo.pod, newObj: newInfo.pod });
      return;
    }
    for (const heap of [this.#active, this.#backoff]) {
      const q = heap.get(uid);
      if (q) {
        q.podInfo = newInfo;
        heap.addOrUpdate(q);
        return;
      }
    }
    const q = this.#unschedulable.get(uid);
    if (q) {
      q.podInfo = newInfo;
      if (event.actionType !== 0) this.#requeue(q, this.#worthRequeuing(q, event, oldInfo.pod, newInfo.pod), event);
      return;
    }
    this.add(newInfo);
  }

  delete(pi: PodInfo): void {
    this.#active.delete(pi.uid);
    this.#backoff.delete(pi.uid);
    this.#unschedulable.delete(pi.uid);
    this.nominator.delete(pi.uid);
  }

  /** Every pod the queue holds (not in flight). */
  pendingPods(): PodInfo[] {
    return [...this.#active.list(), ...this.#backoff.list(), ...this.#unschedulable.values()].map((q) => q.podInfo);
  }
}
