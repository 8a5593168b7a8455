// computeReplicasForMetrics: each metric of an HPA proposes a replica count; the largest wins.
// A metric that cannot be computed makes ScalingActive False (with upstream's reasons) when every
// metric failed, or when the others would scale down (a blind scale-down is not safe).

import type { Pod } from '../util/pods.ts';
import type { ResourceMetricsClient } from './metrics-client.ts';
import { rawResourceReplicas, resourceReplicas, type CalculatorOptions } from './replica-calculator.ts';
import { quantityToMilli } from '../../machinery/quantity.ts';
import type { MetricSpec, MetricStatus, MetricValueStatus } from './types.ts';

export interface FailedCondition {
  reason: string;
  message: string;
}

export interface MetricsOutcome {
  /** -1 when the metrics do not allow a decision. */
  replicas: number;
  metricName: string;
  statuses: MetricStatus[];
  timestamp: number;
  /** Set when some metric failed; `condition` is what ScalingActive should say then. */
  error?: string;
  condition?: FailedCondition;
  /** Warning events to record (reason, message). */
  events: [string, string][];
}

export interface MetricInputs {
  namespace: string;
  selector: string;
  pods: readonly Pod[];
  specReplicas: number;
  metrics: ResourceMetricsClient;
  calc: CalculatorOptions;
  signal?: AbortSignal;
}

const milliQuantity = (milli: number): string => (milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`);

export async function computeReplicasForMetrics(specs: readonly MetricSpec[], inp: MetricInputs): Promise<MetricsOutcome> {
  const out: MetricsOutcome = { replicas: 0, metricName: '', statuses: [], timestamp: 0, events: [] };
  let invalid = 0;
  let firstError: string | undefined;
  for (const spec of specs) {
    try {
      const p = await computeOne(spec, inp);
      out.statuses.push(p.status);
      if (out.replicas === 0 || p.replicas > out.replicas) {
        out.replicas = p.replicas;
        out.metricName = p.name;
        out.timestamp = p.timestamp;
      }
    } catch (err) {
      const failed = err as MetricError;
      out.statuses.push({ type: spec.type });
      out.events.push([failed.reason ?? 'FailedGetResourceMetric', failed.message]);
      if (invalid === 0) {
        firstError = failed.message;
        out.condition = { reason: failed.reason ?? 'FailedGetResourceMetric', message: `the HPA was unable to compute the replica count: ${failed.message}` };
      }
      invalid++;
    }
  }
  if (firstError !== undefined) out.error = `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${firstError}`;
  if (invalid >= specs.length || (invalid > 0 && out.replicas < inp.specReplicas)) out.replicas = -1;
  return out;
}

class MetricError extends Error {
  readonly reason: string;
  constructor(reason: string, message: string) {
    super(message);
    this.reason = reason;
  }
}

async function computeOne(spec: MetricSpec, inp: MetricInputs): Promise<{ replicas: number; name: string; timestamp: number; status: MetricStatus }> {
  const container = spec.type === 'ContainerResource' ? spec.containerResource?.container : undefined;
  const source = spec.type === 'Resource' ? spec.resource : spec.type === 'ContainerResource' ? spec.containerResource : undefined;
  if (!source) {
    const reason = { Pods: 'FailedGetPodsMetric', Object: 'FailedGetObjectMetric', External: 'FailedGetExternalMetric' }[spec.type as 'Pods'] ?? 'InvalidMetricSourceType';
    const name = (spec.pods ?? spec.object ?? spec.external)?.metric.name ?? '';
    if (reason === 'InvalidMetricSourceType') throw new MetricError(reason, `unknown metric source type "${spec.type}"`);
    throw new MetricError(reason, `unable to get metric ${name}: no custom or external metrics API (custom.metrics.k8s.io, external.metrics.k8s.io) is served`);
  }
  const failReason = spec.type === 'ContainerResource' ? 'FailedGetContainerResourceMetric' : 'FailedGetResourceMetric';
  const resource = source.name;
  const target = source.target;
  const wrap = (e: unknown, what: string): MetricError => new MetricError(failReason, `failed to get ${resource} ${what}: ${(e as Error).message}`);
  const sample = async (what: string): Promise<Awaited<ReturnType<ResourceMetricsClient['podResourceMetrics']>>> => {
    try {
      return await inp.metrics.podResourceMetrics(resource, inp.namespace, inp.selector, container, inp.signal);
    } catch (e) {
      throw wrap(new Error(`unable to get metrics for resource ${resource}: ${(e as Error).message}`), what);
    }
  };
  const statusOf = (current: MetricValueStatus): MetricStatus =>
    spec.type === 'ContainerResource'
      ? { type: spec.type, containerResource: { name: resource, container: container ?? '', current } }
      : { type: 'Resource', resource: { name: resource, current } };
  if (target.averageValue !== undefined && target.averageValue !== null) {
    const { metrics, timestamp } = await sample('usage');
    try {
      const r = rawResourceReplicas(inp.specReplicas, Number(quantityToMilli(target.averageValue)), resource, inp.pods, metrics, inp.calc);
      return { replicas: r.replicas, name: `${resource} resource`, timestamp, status: statusOf({ averageValue: milliQuantity(r.usage) }) };
    } catch (e) {
      throw wrap(e, 'usage');
    }
  }
  if (target.averageUtilization === undefined) throw new MetricError(failReason, 'invalid resource metric source: neither an average utilization target nor an average value (usage) target was set');
  const { metrics, timestamp } = await sample('utilization');
  try {
    const r = resourceReplicas(inp.specReplicas, target.averageUtilization, resource, inp.pods, metrics, inp.calc, container);
    const name = spec.type === 'ContainerResource' ? `${resource} container resource utilization (percentage of request)` : `${resource} resource utilization (percentage of request)`;
    return { replicas: r.replicas, name, timestamp, status: statusOf({ averageUtilization: r.utilization, averageValue: milliQuantity(r.rawAverage) }) };
  } catch (e) {
    throw wrap(e, 'utilization');
  }
}
