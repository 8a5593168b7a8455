// The HorizontalPodAutoscaler controller (upstream pkg/controller/podautoscaler/horizontal.go):
// every sync period it reads the target's scale subresource, asks the metrics for a replica count,
// stabilizes and limits it (min/max, rate policies, stabilization windows), writes the new size
// through the scale subresource and reports it in the HPA's status, conditions and Events.
// Each HPA is looked at once per sync period (and at once when it is created or its spec
// changes), as upstream's fixed-interval queue does: reacting to every status write or pod
// change would scale again before the last scale had any effect.

import type { Logger } from 'pino';
import { realClock, splitKey, type Clock, type EventRecorder, type Lister, type RestClient } from '../../client/index.ts';
import { parseLabelSelector } from '../../machinery/labels.ts';
import { isConflict, isNotFound } from '../../machinery/status-error.ts';
import { Controller } from '../runtime/controller.ts';
import { common, type ControllerContext } from '../runtime/context.ts';
import type { Reconciler, Result } from '../runtime/reconciler.ts';
import { metaTime, setCondition, type Condition } from '../util/conditions.ts';
import type { Pod } from '../util/pods.ts';
import { PODS } from '../util/refs.ts';
import { apiMetricsClient, type ResourceMetricsClient } from './metrics-client.ts';
import { computeReplicasForMetrics } from './metric-replicas.ts';
import { limitWithBehavior, limitWithRules, newHistory, recordScale, stabilize, stabilizeWithBehavior, type Limited, type ScaleHistory } from './normalize.ts';
import { ScaleClient } from './scale-client.ts';
import type { HorizontalPodAutoscaler, MetricStatus, Scale, ScalingRules } from './types.ts';

export const HPAS = { group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers' } as const;

export interface HpaOptions {
  /** --horizontal-pod-autoscaler-sync-period (15 s). */
  syncPeriodMs: number;
  /** --horizontal-pod-autoscaler-downscale-stabilization (5 min). */
  downscaleStabilizationMs: number;
  /** --horizontal-pod-autoscaler-tolerance (0.1). */
  tolerance: number;
  /** --horizontal-pod-autoscaler-cpu-initialization-period (5 min). */
  cpuInitializationPeriodMs: number;
  /** --horizontal-pod-autoscaler-initial-readiness-delay (30 s). */
  initialReadinessDelayMs: number;
}

export const DEFAULT_HPA_OPTIONS: HpaOptions = Object.freeze({
  syncPeriodMs: 15_000,
  downscaleStabilizationMs: 300_000,
  tolerance: 0.1,
  cpuInitializationPeriodMs: 300_000,
  initialReadinessDelayMs: 30_000,
});

export interface HpaReconcilerDeps {
  client: RestClient;
  hpas: Lister<HorizontalPodAutoscaler>;
  pods: Lister<Pod>;
  metrics: ResourceMetricsClient;
  recorder?: EventRecorder;
  options: HpaOptions;
  clock?: Clock;
  logger?: Logger;
}

type Status = NonNullable<HorizontalPodAutoscaler['status']>;

export class HpaReconciler implements Reconciler {
  readonly #d: HpaReconcilerDeps;
  readonly #clock: Clock;
  readonly #scales: ScaleClient;
  readonly #history = new Map<string, ScaleHistory>();

  constructor(deps: HpaReconcilerDeps) {
    this.#d = deps;
    this.#clock = deps.clock ?? realClock;
    this.#scales = new ScaleClient(deps.client);
  }

  async reconcile(key: string, signal: AbortSignal): Promise<Result | void> {
    const { namespace, name } = splitKey(key);
    const hpa = this.#d.hpas.get(namespace, name);
    if (!hpa) {
      this.#history.delete(key);
      return;
    }
    let history = this.#history.get(key);
    if (!history) this.#history.set(key, (history = newHistory()));
    try {
      await this.#sync(structuredClone(hpa), history, signal);
    } catch (err) {
      if (isNotFound(err) || signal.aborted) return;
      if (!isConflict(err)) this.#d.logger?.warn({ hpa: key, err: (err as Error).message }, 'failed to reconcile HorizontalPodAutoscaler');
    }
    return { requeueAfter: this.#d.options.syncPeriodMs };
  }

  async #sync(hpa: HorizontalPodAutoscaler, history: ScaleHistory, signal: AbortSignal): Promise<void> {
    const original = JSON.stringify(hpa.status ?? {});
    const spec = hpa.spec!;
    const ns = hpa.metadata.namespace ?? '';
    const ref = spec.scaleTargetRef;
    const reference = `${ref.kind}/${ref.name}`;
    const now = this.#clock.now();
    const status: Status = { ...hpa.status };
    const cond = (type: string, st: Condition['status'], reason: string, message: string): void => {
      status.conditions = setCondition(status.conditions, { type, status: st, reason, message }, now);
    };
    const event = (type: 'Normal' | 'Warning', reason: string, message: string): void => void this.#d.recorder?.event(hpa, type, reason, message);
    const write = async (): Promise<void> => {
      status.observedGeneration = hpa.metadata.generation ?? 0;
      if (JSON.stringify(status) === original) return;
      try {
        await this.#d.client.updateStatus<HorizontalPodAutoscaler>(HPAS, { ...hpa, status }, { signal });
      } catch (err) {
        if (!isConflict(err)) throw err;
        // The cache lagged behind our own last write: this sync's status still stands, on the latest object.
        const latest = await this.#d.client.get<HorizontalPodAutoscaler>({ ...HPAS, namespace: ns, name: hpa.metadata.name ?? '' }, { signal });
        if (latest.metadata.uid !== hpa.metadata.uid) return;
        await this.#d.client.updateStatus<HorizontalPodAutoscaler>(HPAS, { ...latest, status }, { signal });
      }
    };

    let scale: Scale;
    try {
      scale = await this.#scales.get(ns, ref, signal);
    } catch (err) {
      if (signal.aborted) throw err;
      const msg = (err as Error).message;
      cond('AbleToScale', 'False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: ${msg}`);
      event('Warning', 'FailedGetScale', msg);
      await write();
      return;
    }
    cond('AbleToScale', 'True', 'SucceededGetScale', "the HPA controller was able to get the target's current scale");
    const current = scale.spec?.replicas ?? 0;
    // As upstream's recordInitialRecommendation: a controller that just started does not scale
    // down at once, as if the current size had been recommended now.
    if (history.recommendations.length === 0) history.recommendations.push({ replicas: current, at: now });
    const minReplicas = spec.minReplicas ?? 1;
    const maxReplicas = spec.maxReplicas;
    let desired = 0;
    let rescaleReason = '';
    // Out of range (or disabled) no metric is computed, and the status shows none.
    let statuses: MetricStatus[] | undefined;

    if (current === 0 && minReplicas !== 0) {
      // A target scaled to zero by hand is left alone.
      cond('ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero');
    } else if (current > maxReplicas) {
      rescaleReason = 'Current number of replicas above Spec.MaxReplicas';
      desired = maxReplicas;
    } else if (current < minReplicas) {
      rescaleReason = 'Current number of replicas below Spec.MinReplicas';
      desired = minReplicas;
    } else {
      const selector = scale.status?.selector ?? '';
      if (selector === '') {
        event('Warning', 'SelectorRequired', 'selector is required');
        cond('ScalingActive', 'False', 'InvalidSelector', "the HPA target's scale is missing a selector");
        status.currentReplicas = current;
        await write();
        return;
      }
      let parsed;
      try {
        parsed = parseLabelSelector(selector);
      } catch (err) {
        event('Warning', 'InvalidSelector', `couldn't convert selector into a corresponding internal selector object: ${(err as Error).message}`);
        cond('ScalingActive', 'False', 'InvalidSelector', 'the HPA target\'s scale has an invalid selector');
        await write();
        return;
      }
      const pods = this.#d.pods.list(ns).filter((p) => parsed.matches(p.metadata.labels));
      const outcome = await computeReplicasForMetrics(spec.metrics ?? [], {
        namespace: ns,
        selector,
        pods,
        specReplicas: current,
        metrics: this.#d.metrics,
        calc: { tolerance: this.#d.options.tolerance, cpuInitializationPeriodMs: this.#d.options.cpuInitializationPeriodMs, initialReadinessDelayMs: this.#d.options.initialReadinessDelayMs, now },
        signal,
      });
      for (const [reason, message] of outcome.events) event('Warning', reason, message);
      statuses = outcome.statuses;
      if (outcome.replicas === -1) {
        if (outcome.condition) cond('ScalingActive', 'False', outcome.condition.reason, outcome.condition.message);
        status.currentReplicas = current;
        status.currentMetrics = statuses;
        event('Warning', 'FailedComputeMetricsReplicas', outcome.error ?? 'failed to compute metrics');
        await write();
        return;
      }
      cond('ScalingActive', 'True', 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${outcome.metricName}`);
      let rescaleMetric = '';
      if (outcome.replicas > desired) {
        desired = outcome.replicas;
        rescaleMetric = outcome.metricName;
      }
      if (desired > current) rescaleReason = `${rescaleMetric} above target`;
      if (desired < current) rescaleReason = 'All metrics below target';
      const limited = this.#normalize(hpa, history, current, desired, minReplicas, now);
      cond('AbleToScale', 'True', limited.stabilized.reason, limited.stabilized.message);
      cond('ScalingLimited', limited.limited.replicas === limited.stabilized.replicas ? 'False' : 'True', limited.limited.reason, limited.limited.message);
      desired = limited.limited.replicas;
    }

    const rescale = desired !== current;
    if (rescale) {
      try {
        await this.#scales.update(ns, ref, scale, desired, signal);
      } catch (err) {
        if (signal.aborted) throw err;
        const msg = (err as Error).message;
        event('Warning', 'FailedRescale', `New size: ${desired}; reason: ${rescaleReason}; error: ${msg}`);
        cond('AbleToScale', 'False', 'FailedUpdateScale', `the HPA controller was unable to update the target scale: ${msg}`);
        status.currentReplicas = current;
        if (statuses) status.currentMetrics = statuses;
        await write();
        return;
      }
      cond('AbleToScale', 'True', 'SucceededRescale', `the HPA controller was able to update the target scale to ${desired}`);
      event('Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${rescaleReason}`);
      if (spec.behavior) recordScale(history, this.#rules(hpa).up, this.#rules(hpa).down, current, desired, now);
      this.#d.logger?.info({ hpa: `${ns}/${hpa.metadata.name ?? ''}`, reference, from: current, to: desired, reason: rescaleReason }, 'rescaled');
      status.lastScaleTime = metaTime(now);
    } else {
      desired = current;
    }
    status.currentReplicas = current;
    status.desiredReplicas = desired;
    if (statuses) status.currentMetrics = statuses;
    else delete status.currentMetrics;
    await write();
  }

  /** The behavior's rules, with the controller's downscale window where scaleDown sets none. */
  #rules(hpa: HorizontalPodAutoscaler): { up: ScalingRules; down: ScalingRules } {
    const b = hpa.spec?.behavior ?? {};
    const down = { ...b.scaleDown };
    down.stabilizationWindowSeconds ??= Math.round(this.#d.options.downscaleStabilizationMs / 1000);
    return { up: { stabilizationWindowSeconds: 0, ...b.scaleUp }, down };
  }

  #normalize(hpa: HorizontalPodAutoscaler, h: ScaleHistory, current: number, desired: number, min: number, now: number): { stabilized: Limited; limited: Limited } {
    const max = hpa.spec!.maxReplicas;
    if (!hpa.spec?.behavior) {
      const stabilized = stabilize(h, desired, this.#d.options.downscaleStabilizationMs, now);
      return { stabilized, limited: limitWithRules(current, stabilized.replicas, min, max) };
    }
    const { up, down } = this.#rules(hpa);
    const stabilized = stabilizeWithBehavior(h, current, desired, up, down, now);
    return { stabilized, limited: limitWithBehavior(h, current, stabilized.replicas, min, max, up, down, now) };
  }
}

/** The HPA controller over the term's shared informers. */
export function hpaController(ctx: ControllerContext, options: Partial<HpaOptions> & { metrics?: ResourceMetricsClient } = {}): Controller {
  const hpas = ctx.informers.informerFor<HorizontalPodAutoscaler>(HPAS);
  const pods = ctx.informers.informerFor<Pod>(PODS);
  const { metrics, ...rest } = options;
  const reconciler = new HpaReconciler({
    client: ctx.client,
    hpas: hpas.lister,
    pods: pods.lister,
    metrics: metrics ?? apiMetricsClient(ctx.client),
    recorder: ctx.recorder,
    options: { ...DEFAULT_HPA_OPTIONS, ...rest },
    ...common(ctx),
  });
  const controller = new Controller({ name: 'horizontalpodautoscaling', reconciler, workers: 2, ...common(ctx) })
    .watch(pods, () => undefined)
    .watch(hpas, () => undefined);
  // New HPAs and spec changes are looked at now; after that each HPA requeues itself every sync period.
  hpas.addEventHandler({
    onAdd: (hpa) => controller.queue.add(`${hpa.metadata.namespace ?? ''}/${hpa.metadata.name ?? ''}`),
    onUpdate: (old, hpa) => {
      if (old.metadata.generation !== hpa.metadata.generation) controller.queue.add(`${hpa.metadata.namespace ?? ''}/${hpa.metadata.name ?? ''}`);
    },
  });
  return controller;
}

