// The agent's eviction manager (upstream pkg/kubelet/eviction, in small): every monitoring
// interval it reads the stats summary, compares memory.available and nodefs.available with the
// hard thresholds, and while one is crossed evicts one pod per cycle — ranked by
// rankForEviction — by failing it (phase Failed, reason Evicted, the kubelet's message, a
// DisruptionTarget condition) and recording an Evicted event; the pod worker, seeing the
// terminal phase, stops its containers. It also keeps the node's memory-pressure and
// disk-pressure NoSchedule taints in step with what it observes (upstream the node lifecycle
// controller derives those from the conditions; here the agent that sees the pressure sets them,
// so new pods stay away at once).

import type { Logger } from 'pino';
import { TAINT_NODE_DISK_PRESSURE, TAINT_NODE_MEMORY_PRESSURE } from '../../api/scheduling/taints.ts';
import type { KubeObject } from '../../api/types.ts';
import { realClock, sleep, type Clock, type EventRecorder, type RestClient } from '../../client/index.ts';
import { isConflict, isNotFound } from '../../machinery/status-error.ts';
import type { PodStats, SummarySource } from '../stats/index.ts';
import { evictionMessage } from './message.ts';
import { rankForEviction, type EvictablePod, type Resource } from './ranking.ts';
import { thresholdBytes, type Signal, type Threshold } from './thresholds.ts';

export const DEFAULT_MONITORING_INTERVAL_MS = 10_000;
/** --eviction-pressure-transition-period: how long a pressure taint outlives the pressure. */
export const DEFAULT_PRESSURE_TRANSITION_PERIOD_MS = 5 * 60_000;
/** How long an evicted pod is not a candidate again while it is being stopped (upstream podCleanupTimeout). */
const POD_CLEANUP_TIMEOUT_MS = 30_000;

const PODS = { group: '', version: 'v1', resource: 'pods' } as const;
const NODES = { group: '', version: 'v1', resource: 'nodes' } as const;

const RESOURCE_OF: Record<Signal, Resource> = { 'memory.available': 'memory', 'nodefs.available': 'ephemeral-storage' };
const TAINT_OF: Record<Signal, string> = { 'memory.available': TAINT_NODE_MEMORY_PRESSURE, 'nodefs.available': TAINT_NODE_DISK_PRESSURE };

export interface EvictionManagerOptions {
  nodeName: string;
  client: RestClient;
  stats: SummarySource;
  thresholds: readonly Threshold[];
  recorder?: EventRecorder;
  clock?: Clock;
  logger?: Logger;
  intervalMs?: number;
  /** How long a pressure taint stays after the threshold is no longer met, so it does not flap (5 min). */
  pressureTransitionPeriodMs?: number;
  /**
   * Hands the eviction to the pod's worker (which owns the pod's status and stops its containers);
   * false when no worker runs the pod. Without it the manager writes the Failed status itself.
   */
  evictPod?: (uid: string, message: string, condition: EvictionCondition) => boolean;
}

/** The DisruptionTarget condition an eviction by the node sets. */
export interface EvictionCondition {
  type: 'DisruptionTarget';
  status: 'True';
  reason: 'TerminationByKubelet';
  message: string;
  lastTransitionTime: string;
}

export interface Observation {
  signal: Signal;
  available: number;
  threshold: number;
  met: boolean;
}

export interface EvictionOutcome {
  observations: Observation[];
  /** `namespace/name` of the pod evicted this cycle. */
  evicted?: string;
  message?: string;
}

type ApiPod = EvictablePod & KubeObject & { status?: { phase?: string; conditions?: Record<string, unknown>[] } };

export class EvictionManager {
  readonly #o: EvictionManagerOptions;
  readonly #clock: Clock;
  /** Pods evicted recently (uid → when), still stopping: the next cycle picks another. */
  readonly #recent = new Map<string, number>();
  /** When each signal was last seen crossing its threshold. */
  readonly #lastMet = new Map<Signal, number>();
  #observations: Observation[] = [];

  constructor(options: EvictionManagerOptions) {
    this.#o = options;
    this.#clock = options.clock ?? realClock;
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.synchronize(signal);
      } catch (err) {
        if (signal.aborted) return;
        this.#o.logger?.warn({ err: (err as Error).message }, 'eviction manager cycle failed');
      }
      try {
        await sleep(this.#clock, this.#o.intervalMs ?? DEFAULT_MONITORING_INTERVAL_MS, signal);
      } catch {
        return;
      }
    }
  }

  /** What the last cycle observed (the Node's pressure conditions follow the same numbers). */
  observations(): readonly Observation[] {
    return this.#observations;
  }

  /** One monitoring cycle: observe, keep the taints in step, evict at most one pod. */
  async synchronize(signal?: AbortSignal): Promise<EvictionOutcome> {
    const summary = await this.#o.stats.summary();
    const observations: Observation[] = [];
    for (const t of this.#o.thresholds) {
      const obs = t.signal === 'memory.available'
        ? { available: summary.node.memory?.availableBytes, capacity: (summary.node.memory?.availableBytes ?? 0) + (summary.node.memory?.workingSetBytes ?? 0) }
        : { available: summary.node.fs?.availableBytes, capacity: summary.node.fs?.capacityBytes ?? 0 };
      if (obs.available === undefined) continue;
      const threshold = thresholdBytes(t, obs.capacity);
      observations.push({ signal: t.signal, available: obs.available, threshold, met: obs.available < threshold });
    }
    this.#observations = observations;
    const observedAt = this.#clock.now();
    for (const o of observations) if (o.met) this.#lastMet.set(o.signal, observedAt);
    const transition = this.#o.pressureTransitionPeriodMs ?? DEFAULT_PRESSURE_TRANSITION_PERIOD_MS;
    const pressured = new Set(observations.filter((o) => observedAt - (this.#lastMet.get(o.signal) ?? -Infinity) <= transition).map((o) => o.signal));
    await this.#syncTaints(observations.map((o) => ({ ...o, met: pressured.has(o.signal) })), signal);
    // Memory first, as upstream orders the signals.
    const met = observations.filter((o) => o.met).sort((a, b) => (a.signal === 'memory.available' ? -1 : 0) - (b.signal === 'memory.available' ? -1 : 0))[0];
    if (!met) return { observations };
    const resource = RESOURCE_OF[met.signal];
    const now = this.#clock.now();
    for (const [uid, at] of this.#recent) if (now - at > POD_CLEANUP_TIMEOUT_MS) this.#recent.delete(uid);
    const pods = (await this.#o.client.list<ApiPod>(PODS, { fieldSelector: `spec.nodeName=${this.#o.nodeName}`, ...(signal ? { signal } : {}) })).items.filter(
      (p) => !p.metadata.deletionTimestamp && !this.#recent.has(p.metadata.uid ?? ''),
    );
    const stats = new Map<string, PodStats>(summary.pods.map((p) => [p.podRef.uid, p]));
    const victim = rankForEviction(pods, stats, resource)[0];
    if (!victim) {
      this.#o.logger?.warn({ signal: met.signal }, 'eviction threshold met but no pod can be evicted');
      return { observations };
    }
    const { message } = evictionMessage(resource, victim, stats.get(victim.metadata.uid ?? ''), met.threshold, met.available);
    await this.#fail(victim, message, signal);
    this.#recent.set(victim.metadata.uid ?? '', now);
    const key = `${victim.metadata.namespace ?? ''}/${victim.metadata.name ?? ''}`;
    this.#o.logger?.info({ pod: key, signal: met.signal, available: met.available, threshold: met.threshold }, 'evicted pod');
    return { observations, evicted: key, message };
  }

  async #fail(pod: ApiPod, message: string, signal?: AbortSignal): Promise<void> {
    const now = new Date(this.#clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const condition: EvictionCondition = { type: 'DisruptionTarget', status: 'True', reason: 'TerminationByKubelet', message, lastTransitionTime: now };
    if (this.#o.evictPod?.(pod.metadata.uid ?? '', message, condition)) {
      await this.#o.recorder?.event({ ...pod, apiVersion: 'v1', kind: 'Pod' }, 'Warning', 'Evicted', message);
      return;
    }
    const conditions = (pod.status?.conditions ?? []).filter((c) => c['type'] !== 'DisruptionTarget');
    conditions.push({ ...condition });
    try {
      await this.#o.client.patch(
        { ...PODS, namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '' },
        'merge',
        { status: { phase: 'Failed', reason: 'Evicted', message, conditions } },
        { subresource: 'status', ...(signal ? { signal } : {}) },
      );
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    await this.#o.recorder?.event({ ...pod, apiVersion: 'v1', kind: 'Pod' }, 'Warning', 'Evicted', message);
  }

  /** Adds or removes the pressure taints (NoSchedule) so that they match the observations. */
  async #syncTaints(observations: readonly Observation[], signal?: AbortSignal): Promise<void> {
    const ref = { ...NODES, name: this.#o.nodeName };
    for (let attempt = 0; attempt < 3; attempt++) {
      let node: KubeObject & { spec?: { taints?: { key: string; effect: string; value?: string; timeAdded?: string }[] } };
      try {
        node = await this.#o.client.get(ref, signal ? { signal } : {});
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
      const taints = [...(node.spec?.taints ?? [])];
      let changed = false;
      for (const o of observations) {
        const key = TAINT_OF[o.signal];
        const has = taints.findIndex((t) => t.key === key && t.effect === 'NoSchedule');
        if (o.met && has < 0) {
          taints.push({ key, effect: 'NoSchedule' });
          changed = true;
        } else if (!o.met && has >= 0) {
          taints.splice(has, 1);
          changed = true;
        }
      }
      if (!changed) return;
      try {
        await this.#o.client.update(NODES, { ...node, spec: { ...node.spec, taints } }, signal ? { signal } : {});
        return;
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
    }
  }
}
