// HorizontalPodAutoscaler table for autoscaling/v2 and v1. A v1 object's CPU target is read as
// the single Resource metric the v1→v2 conversion produces, so both versions print alike.

import { int, isInt, isRec, quantity, rec, recs, str, type Rec } from './access.ts';
import { age } from './format.ts';
import { AGE_COLUMN, NAME_COLUMN, column, nameOf, printer, type TablePrinter } from './types.ts';

export const horizontalPodAutoscalerPrinter: TablePrinter = printer(
  [
    NAME_COLUMN,
    column('Reference', 'string', 'The scale target.'),
    column('Targets', 'string', 'Current and target values of each metric.'),
    column('MinPods', 'string', 'Lower limit of replicas.'),
    column('MaxPods', 'string', 'Upper limit of replicas.'),
    column('Replicas', 'string', 'Current number of replicas.'),
    AGE_COLUMN,
  ],
  (hpa, nowMs) => {
    const spec = rec(hpa['spec']);
    const status = rec(hpa['status']);
    const ref = rec(spec['scaleTargetRef']);
    return [
      nameOf(hpa),
      `${str(ref['kind'])}/${str(ref['name'])}`,
      formatMetrics(metricSpecs(spec), metricStatuses(status)),
      isInt(spec['minReplicas']) ? String(int(spec['minReplicas'])) : '<unset>',
      int(spec['maxReplicas']),
      int(status['currentReplicas']),
      age(hpa, nowMs),
    ];
  },
);

function metricSpecs(spec: Rec): Rec[] {
  if (spec['metrics'] === undefined && isInt(spec['targetCPUUtilizationPercentage'])) {
    return [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec['targetCPUUtilizationPercentage'] } } }];
  }
  return recs(spec['metrics']);
}

function metricStatuses(status: Rec): Rec[] {
  if (status['currentMetrics'] === undefined && isInt(status['currentCPUUtilizationPercentage'])) {
    return [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: status['currentCPUUtilizationPercentage'] } } }];
  }
  return recs(status['currentMetrics']);
}

const MAX_METRICS = 2;
const UNKNOWN = '<unknown>';
const NIL = '<nil>';

/** formatHPAMetrics: "cpu: 40%/80%, 2/5 + 1 more...", "<none>" without metrics. */
export function formatMetrics(specs: Rec[], statuses: Rec[]): string {
  if (specs.length === 0) return '<none>';
  const list = specs.map((spec, i) => formatMetric(spec, statuses[i]));
  const shown = list.slice(0, MAX_METRICS).join(', ');
  return list.length > MAX_METRICS ? `${shown} + ${list.length - MAX_METRICS} more...` : shown;
}

/** The status entry's source of the given field, when the entry has one (a non-nil pointer upstream). */
function statusSource(status: Rec | undefined, field: string): Rec | undefined {
  const src = status?.[field];
  return isRec(src) ? src : undefined;
}

function formatMetric(spec: Rec, status: Rec | undefined): string {
  switch (str(spec['type'])) {
    case 'External':
    case 'Object': {
      const field = str(spec['type']) === 'External' ? 'external' : 'object';
      const target = rec(rec(spec[field])['target']);
      const current = statusSource(status, field);
      if (target['averageValue'] !== undefined && target['averageValue'] !== null) {
        const avg = current !== undefined ? rec(current['current'])['averageValue'] : undefined;
        const cur = avg !== undefined && avg !== null ? quantity(avg, NIL) : UNKNOWN;
        return `${cur}/${quantity(target['averageValue'], NIL)} (avg)`;
      }
      const cur = current !== undefined ? quantity(rec(current['current'])['value'], NIL) : UNKNOWN;
      return `${cur}/${quantity(target['value'], NIL)}`;
    }
    case 'Pods': {
      const current = statusSource(status, 'pods');
      const cur = current !== undefined ? quantity(rec(current['current'])['averageValue'], NIL) : UNKNOWN;
      return `${cur}/${quantity(rec(rec(spec['pods'])['target'])['averageValue'], NIL)}`;
    }
    case 'Resource':
      return formatResourceMetric(rec(spec['resource']), statusSource(status, 'resource'));
    case 'ContainerResource':
      return formatResourceMetric(rec(spec['containerResource']), statusSource(status, 'containerResource'));
    default:
      return '<unknown type>';
  }
}

/** "cpu: 250m/500m" for average values, "memory: 40%/80%" (or "<auto>") for utilization. */
function formatResourceMetric(source: Rec, current: Rec | undefined): string {
  const name = str(source['name']);
  const target = rec(source['target']);
  const cur = rec(current?.['current']);
  if (target['averageValue'] !== undefined && target['averageValue'] !== null) {
    const value = current !== undefined ? quantity(cur['averageValue'], NIL) : UNKNOWN;
    return `${name}: ${value}/${quantity(target['averageValue'], NIL)}`;
  }
  const value = current !== undefined && isInt(cur['averageUtilization']) ? `${int(cur['averageUtilization'])}%` : UNKNOWN;
  const goal = isInt(target['averageUtilization']) ? `${int(target['averageUtilization'])}%` : '<auto>';
  return `${name}: ${value}/${goal}`;
}

/** autoscaling/v1 Scale, as `kubectl get <workload> --subresource=scale` shows it. */
export const scalePrinter: TablePrinter = printer(
  [
    NAME_COLUMN,
    column('Desired', 'integer', 'Desired number of replicas (spec.replicas).'),
    column('Available', 'integer', 'Actual number of observed replicas (status.replicas).'),
  ],
  (scale) => [nameOf(scale), int(rec(scale['spec'])['replicas']), int(rec(scale['status'])['replicas'])],
);
