// Upstream's replica_calculator.go: from per-pod usage and the pods a target selects, the replica
// count that brings the average to the target. Pods being deleted or Failed are ignored; Pending
// pods and (for CPU) pods still starting are "unready"; pods without a sample are "missing". When
// the ready pods alone say scale up, unready pods count as using nothing and missing ones too;
// when they say scale down, missing pods count as using their full request (or the target) — so
// that pods without data never push the decision further than the data supports. A change within
// the tolerance (default 10%) is no change.

import { quantityToMilli } from '../../machinery/quantity.ts';
import { podCondition, type Pod } from '../util/pods.ts';

/** One pod's usage sample, in milli-units (millicores, millibytes) as upstream's MilliValue. */
export interface PodMetric {
  timestamp: number;
  windowMs: number;
  value: number;
}

export type PodMetrics = Map<string, PodMetric>;

export interface CalculatorOptions {
  tolerance: number;
  /** --horizontal-pod-autoscaler-cpu-initialization-period (5 min). */
  cpuInitializationPeriodMs: number;
  /** --horizontal-pod-autoscaler-initial-readiness-delay (30 s). */
  initialReadinessDelayMs: number;
  now: number;
}

export interface PodGroups {
  readyPodCount: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

/** Sorts pods as upstream's groupPods. */
export function groupPods(pods: readonly Pod[], metrics: PodMetrics, resource: string, o: CalculatorOptions): PodGroups {
  const g: PodGroups = { readyPodCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  for (const pod of pods) {
    const name = pod.metadata.name ?? '';
    const phase = pod.status?.phase ?? 'Pending';
    if (pod.metadata.deletionTimestamp || phase === 'Failed') {
      g.ignored.add(name);
      continue;
    }
    if (phase === 'Pending') {
      g.unready.add(name);
      continue;
    }
    const metric = metrics.get(name);
    if (!metric) {
      g.missing.add(name);
      continue;
    }
    if (resource === 'cpu' && cpuUnready(pod, metric, o)) {
      g.unready.add(name);
      continue;
    }
    g.readyPodCount++;
  }
  return g;
}

function cpuUnready(pod: Pod, metric: PodMetric, o: CalculatorOptions): boolean {
  const ready = podCondition(pod, 'Ready');
  const start = Date.parse(pod.status?.startTime ?? '');
  if (!ready || !Number.isFinite(start)) return true;
  const transition = Date.parse(ready.lastTransitionTime ?? '') || 0;
  if (start + o.cpuInitializationPeriodMs > o.now) {
    // Still starting: ignore an unready pod, or a sample whose window began before it became ready.
    return ready.status === 'False' || metric.timestamp < transition + metric.windowMs;
  }
  // Past initialization: ignore only a pod that is unready and has never been ready.
  return ready.status === 'False' && start + o.initialReadinessDelayMs > transition;
}

/** Each pod's summed request for the resource (milli), or the reason one is missing. */
export function podRequests(pods: readonly Pod[], resource: string, container?: string): Map<string, number> | string {
  const out = new Map<string, number>();
  for (const pod of pods) {
    let sum = 0;
    const containers = ((pod.spec?.['containers'] ?? []) as { name: string; resources?: { requests?: Record<string, string | number> } }[]).filter((c) => !container || c.name === container);
    for (const c of containers) {
      const req = c.resources?.requests?.[resource];
      if (req === undefined) return `missing request for ${resource} in container ${c.name} of Pod ${pod.metadata.name ?? ''}`;
      sum += Number(quantityToMilli(req));
    }
    out.set(pod.metadata.name ?? '', sum);
  }
  return out;
}

/** Usage over requests of the pods that have both, as a ratio to the target and a percentage. */
export function utilizationRatio(metrics: PodMetrics, requests: ReadonlyMap<string, number>, targetUtilization: number): { ratio: number; utilization: number; rawAverage: number } | string {
  let used = 0;
  let requested = 0;
  let n = 0;
  for (const [name, m] of metrics) {
    const r = requests.get(name);
    if (r === undefined) continue;
    used += m.value;
    requested += r;
    n++;
  }
  if (requested === 0) return 'no metrics returned matched known pods';
  const utilization = Math.trunc((used * 100) / requested);
  return { ratio: utilization / targetUtilization, utilization, rawAverage: Math.trunc(used / n) };
}

export interface UtilizationResult {
  replicas: number;
  utilization: number;
  /** Average usage per pod, milli. */
  rawAverage: number;
}

/** GetResourceReplicas: the replicas for a Utilization target (percent of request). */
export function resourceReplicas(
  currentReplicas: number,
  targetUtilization: number,
  resource: string,
  pods: readonly Pod[],
  sampled: PodMetrics,
  o: CalculatorOptions,
  container?: string,
): UtilizationResult {
  if (pods.length === 0) throw new Error('no pods returned by selector while calculating replica count');
  const metrics = new Map(sampled);
  const g = groupPods(pods, metrics, resource, o);
  for (const name of [...g.ignored, ...g.unready]) metrics.delete(name);
  if (metrics.size === 0) throw new Error('did not receive metrics for targeted pods (pods might be unready)');
  const requests = podRequests(pods, resource, container);
  if (typeof requests === 'string') throw new Error(requests);
  const first = utilizationRatio(metrics, requests, targetUtilization);
  if (typeof first === 'string') throw new Error(first);
  const { ratio, utilization, rawAverage } = first;
  const scaleUpWithUnready = g.unready.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (Math.abs(1 - ratio) <= o.tolerance) return { replicas: currentReplicas, utilization, rawAverage };
    return { replicas: Math.ceil(ratio * g.readyPodCount), utilization, rawAverage };
  }
  if (g.missing.size > 0) {
    const fallback = Math.max(100, targetUtilization);
    for (const name of g.missing) {
      if (ratio < 1) metrics.set(name, { timestamp: 0, windowMs: 0, value: Math.trunc(((requests.get(name) ?? 0) * fallback) / 100) });
      else if (ratio > 1) metrics.set(name, { timestamp: 0, windowMs: 0, value: 0 });
    }
  }
  if (scaleUpWithUnready) for (const name of g.unready) metrics.set(name, { timestamp: 0, windowMs: 0, value: 0 });
  const second = utilizationRatio(metrics, requests, targetUtilization);
  if (typeof second === 'string') throw new Error(second);
  return { replicas: rebalanced(currentReplicas, ratio, second.ratio, metrics.size, o.tolerance), utilization, rawAverage };
}

export interface AverageValueResult {
  replicas: number;
  /** Average usage per pod, milli. */
  usage: number;
}

/** GetRawResourceReplicas: the replicas for an AverageValue target (milli per pod). */
export function rawResourceReplicas(currentReplicas: number, targetMilli: number, resource: string, pods: readonly Pod[], sampled: PodMetrics, o: CalculatorOptions): AverageValueResult {
  if (pods.length === 0) throw new Error('no pods returned by selector while calculating replica count');
  const metrics = new Map(sampled);
  const g = groupPods(pods, metrics, resource, o);
  for (const name of [...g.ignored, ...g.unready]) metrics.delete(name);
  if (metrics.size === 0) throw new Error('did not receive metrics for targeted pods (pods might be unready)');
  const average = (m: PodMetrics): number => [...m.values()].reduce((a, p) => a + p.value, 0) / m.size;
  const usage = Math.trunc(average(metrics));
  const ratio = average(metrics) / targetMilli;
  const scaleUpWithUnready = g.unready.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (Math.abs(1 - ratio) <= o.tolerance) return { replicas: currentReplicas, usage };
    return { replicas: Math.ceil(ratio * g.readyPodCount), usage };
  }
  for (const name of g.missing) {
    if (ratio < 1) metrics.set(name, { timestamp: 0, windowMs: 0, value: targetMilli });
    else metrics.set(name, { timestamp: 0, windowMs: 0, value: 0 });
  }
  if (scaleUpWithUnready) for (const name of g.unready) metrics.set(name, { timestamp: 0, windowMs: 0, value: 0 });
  return { replicas: rebalanced(currentReplicas, ratio, average(metrics) / targetMilli, metrics.size, o.tolerance), usage };
}

/** The second pass: no change when it is within tolerance or would reverse the first pass's direction. */
function rebalanced(current: number, ratio: number, newRatio: number, count: number, tolerance: number): number {
  if (Math.abs(1 - newRatio) <= tolerance || (ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1)) return current;
  const replicas = Math.ceil(newRatio * count);
  if ((newRatio < 1 && replicas > current) || (newRatio > 1 && replicas < current)) return current;
  return replicas;
}
