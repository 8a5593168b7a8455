// Conversion between a served version and the storage version for resources that share storage:
// events.k8s.io/v1 Event is stored as core/v1 Event; autoscaling/v1 HPA is stored as v2.

import type { KubeObject } from './types.ts';

export interface Converter {
  toStorage(obj: KubeObject): KubeObject;
  fromStorage(obj: KubeObject): KubeObject;
}

type Obj = Record<string, unknown>;

function pick(target: Obj, key: string, value: unknown): void {
  if (value !== undefined && value !== null) target[key] = value;
}

const eventsV1: Converter = {
  toStorage(e) {
    const out: KubeObject = { apiVersion: 'v1', kind: 'Event', metadata: e.metadata };
    pick(out, 'involvedObject', e['regarding'] ?? {});
    pick(out, 'related', e['related']);
    pick(out, 'message', e['note']);
    pick(out, 'reason', e['reason']);
    pick(out, 'type', e['type']);
    pick(out, 'eventTime', e['eventTime']);
    pick(out, 'series', e['series']);
    pick(out, 'action', e['action']);
    pick(out, 'reportingComponent', e['reportingController']);
    pick(out, 'reportingInstance', e['reportingInstance']);
    pick(out, 'source', e['deprecatedSource']);
    pick(out, 'firstTimestamp', e['deprecatedFirstTimestamp']);
    pick(out, 'lastTimestamp', e['deprecatedLastTimestamp']);
    pick(out, 'count', e['deprecatedCount']);
    return out;
  },
  fromStorage(e) {
    const out: KubeObject = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: e.metadata };
    pick(out, 'eventTime', e['eventTime'] ?? null);
    pick(out, 'regarding', e['involvedObject']);
    pick(out, 'related', e['related']);
    pick(out, 'note', e['message']);
    pick(out, 'reason', e['reason']);
    pick(out, 'type', e['type']);
    pick(out, 'series', e['series']);
    pick(out, 'action', e['action']);
    pick(out, 'reportingController', e['reportingComponent']);
    pick(out, 'reportingInstance', e['reportingInstance']);
    pick(out, 'deprecatedSource', e['source']);
    pick(out, 'deprecatedFirstTimestamp', e['firstTimestamp']);
    pick(out, 'deprecatedLastTimestamp', e['lastTimestamp']);
    pick(out, 'deprecatedCount', e['count']);
    if (!('eventTime' in out)) out['eventTime'] = null;
    return out;
  },
};

// What autoscaling/v1 cannot express (other metrics, behavior, conditions, every current metric)
// travels in annotations, in v1's own metric format, as upstream does: a v1 client's
// read-modify-write then keeps the v2 fields, and the annotations never reach storage.
const METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/metrics';
const CURRENT_METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/current-metrics';
const BEHAVIOR_ANNOTATION = 'autoscaling.alpha.kubernetes.io/behavior';
const CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions';

/** Per metric type: its field, and [v1 path, v2 path] pairs for the spec and the status form. */
const METRIC_FIELDS: Record<string, { field: string; spec: [string, string][]; status: [string, string][] }> = {
  Resource: {
    field: 'resource',
    spec: [['name', 'name'], ['targetAverageUtilization', 'target.averageUtilization'], ['targetAverageValue', 'target.averageValue']],
    status: [['name', 'name'], ['currentAverageUtilization', 'current.averageUtilization'], ['currentAverageValue', 'current.averageValue']],
  },
  ContainerResource: {
    field: 'containerResource',
    spec: [['name', 'name'], ['container', 'container'], ['targetAverageUtilization', 'target.averageUtilization'], ['targetAverageValue', 'target.averageValue']],
    status: [['name', 'name'], ['container', 'container'], ['currentAverageUtilization', 'current.averageUtilization'], ['currentAverageValue', 'current.averageValue']],
  },
  Pods: {
    field: 'pods',
    spec: [['metricName', 'metric.name'], ['selector', 'metric.selector'], ['targetAverageValue', 'target.averageValue']],
    status: [['metricName', 'metric.name'], ['selector', 'metric.selector'], ['currentAverageValue', 'current.averageValue']],
  },
  Object: {
    field: 'object',
    spec: [['target', 'describedObject'], ['metricName', 'metric.name'], ['selector', 'metric.selector'], ['targetValue', 'target.value'], ['averageValue', 'target.averageValue']],
    status: [['target', 'describedObject'], ['metricName', 'metric.name'], ['selector', 'metric.selector'], ['currentValue', 'current.value'], ['averageValue', 'current.averageValue']],
  },
  External: {
    field: 'external',
    spec: [['metricName', 'metric.name'], ['metricSelector', 'metric.selector'], ['targetValue', 'target.value'], ['targetAverageValue', 'target.averageValue']],
    status: [['metricName', 'metric.name'], ['metricSelector', 'metric.selector'], ['currentValue', 'current.value'], ['currentAverageValue', 'current.averageValue']],
  },
};

function getPath(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const part of path.split('.')) cur = cur !== null && typeof cur === 'object' ? (cur as Obj)[part] : undefined;
  return cur;
}

function setPath(obj: Obj, path: string, value: unknown): void {
  if (value === undefined || value === null) return;
  const parts = path.split('.');
  let cur = obj;
  for (const part of parts.slice(0, -1)) cur = (cur[part] ??= {}) as Obj;
  cur[parts[parts.length - 1] as string] = value;
}

/** The v2 target type a v1 metric spec implies (upstream's v1 -> v2 conversion). */
function targetType(type: string, target: Obj): string {
  if (type === 'Resource' || type === 'ContainerResource') return target['averageUtilization'] != null ? 'Utilization' : 'AverageValue';
  if (type === 'Object') return target['averageValue'] != null ? 'AverageValue' : 'Value';
  if (type === 'External') return target['value'] != null ? 'Value' : 'AverageValue';
  return 'AverageValue';
}

function fieldsOf(m: Obj): (typeof METRIC_FIELDS)[string] | undefined {
  const type = m['type'];
  return typeof type === 'string' && Object.hasOwn(METRIC_FIELDS, type) ? METRIC_FIELDS[type] : undefined;
}

function metricToV1(m: Obj, form: 'spec' | 'status'): Obj {
  const fields = fieldsOf(m);
  if (!fields) return m;
  const out: Obj = {};
  for (const [v1, v2] of fields[form]) setPath(out, v1, getPath(m[fields.field], v2));
  return { type: m['type'], [fields.field]: out };
}

function metricFromV1(m: Obj, form: 'spec' | 'status'): Obj {
  const type = m['type'] as string;
  const fields = fieldsOf(m);
  if (!fields) return m;
  const out: Obj = {};
  for (const [v1, v2] of fields[form]) setPath(out, v2, getPath(m[fields.field], v1));
  if (form === 'spec') {
    const target = (out['target'] ??= {}) as Obj;
    target['type'] = targetType(type, target);
  }
  return { type, [fields.field]: out };
}

function isCpuUtilization(m: Obj): boolean {
  return m['type'] === 'Resource' && getPath(m, 'resource.name') === 'cpu' && getPath(m, 'resource.target.averageUtilization') != null;
}

/** The objects of a carried array (anything else in a hand-edited annotation is dropped). */
function objects(value: unknown): Obj[] {
  return Array.isArray(value) ? value.filter((v): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v)) : [];
}

function parseAnnotation(raw: string | undefined): unknown {
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined; // like upstream: a damaged annotation is ignored, not an error
  }
}

const hpaV1: Converter = {
  toStorage(h) {
    const spec = (h['spec'] ?? {}) as Obj;
    const status = h['status'] as Obj | undefined;
    let metadata = h.metadata;
    const annotations = { ...(metadata.annotations ?? {}) };
    const carried = [METRICS_ANNOTATION, CURRENT_METRICS_ANNOTATION, BEHAVIOR_ANNOTATION, CONDITIONS_ANNOTATION].map((key) => {
      const value = parseAnnotation(annotations[key]);
      delete annotations[key];
      return value;
    });
    const [otherMetrics, currentMetrics, behavior, conditions] = carried;
    if (Object.keys(annotations).length !== Object.keys(metadata.annotations ?? {}).length) {
      metadata = { ...metadata, annotations };
      if (Object.keys(annotations).length === 0) delete metadata.annotations;
    }
    const v2Spec: Obj = {};
    pick(v2Spec, 'scaleTargetRef', spec['scaleTargetRef']);
    pick(v2Spec, 'minReplicas', spec['minReplicas']);
    pick(v2Spec, 'maxReplicas', spec['maxReplicas']);
    // Upstream order: the carried metrics, then the CPU target.
    const metrics = objects(otherMetrics).map((m) => metricFromV1(m, 'spec'));
    if (typeof spec['targetCPUUtilizationPercentage'] === 'number') {
      metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec['targetCPUUtilizationPercentage'] } } });
    }
    if (metrics.length) v2Spec['metrics'] = metrics;
    if (behavior !== null && typeof behavior === 'object' && Object.keys(behavior).length) v2Spec['behavior'] = behavior;
    const out: KubeObject = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata, spec: v2Spec };
    if (status || Array.isArray(currentMetrics) || Array.isArray(conditions)) {
      const from = status ?? {};
      const s: Obj = {};
      pick(s, 'observedGeneration', from['observedGeneration']);
      pick(s, 'lastScaleTime', from['lastScaleTime']);
      pick(s, 'currentReplicas', from['currentReplicas'] ?? 0);
      pick(s, 'desiredReplicas', from['desiredReplicas'] ?? 0);
      if (Array.isArray(currentMetrics)) s['currentMetrics'] = objects(currentMetrics).map((m) => metricFromV1(m, 'status'));
      else if (typeof from['currentCPUUtilizationPercentage'] === 'number') {
        s['currentMetrics'] = [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: from['currentCPUUtilizationPercentage'] } } }];
      }
      if (Array.isArray(conditions)) s['conditions'] = conditions;
      out['status'] = s;
    }
    return out;
  },
  fromStorage(h) {
    const spec = (h['spec'] ?? {}) as Obj;
    const status = h['status'] as Obj | undefined;
    const v1Spec: Obj = {};
    pick(v1Spec, 'scaleTargetRef', spec['scaleTargetRef']);
    pick(v1Spec, 'minReplicas', spec['minReplicas']);
    pick(v1Spec, 'maxReplicas', spec['maxReplicas']);
    const metrics = (spec['metrics'] ?? []) as Obj[];
    const cpu = metrics.find(isCpuUtilization);
    pick(v1Spec, 'targetCPUUtilizationPercentage', getPath(cpu, 'resource.target.averageUtilization'));
    const carried: Record<string, string> = {};
    const others = metrics.filter((m) => !isCpuUtilization(m));
    if (others.length) carried[METRICS_ANNOTATION] = JSON.stringify(others.map((m) => metricToV1(m, 'spec')));
    if (spec['behavior'] != null) carried[BEHAVIOR_ANNOTATION] = JSON.stringify(spec['behavior']);
    const currentMetrics = (status?.['currentMetrics'] ?? []) as Obj[];
    if (currentMetrics.length) carried[CURRENT_METRICS_ANNOTATION] = JSON.stringify(currentMetrics.map((m) => metricToV1(m, 'status')));
    const conditions = (status?.['conditions'] ?? []) as unknown[];
    if (conditions.length) carried[CONDITIONS_ANNOTATION] = JSON.stringify(conditions);
    // A new metadata object: the stored one may be a frozen cache entry.
    const metadata = Object.keys(carried).length ? { ...h.metadata, annotations: { ...h.metadata.annotations, ...carried } } : h.metadata;
    const out: KubeObject = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata, spec: v1Spec };
    if (status) {
      const s: Obj = {};
      pick(s, 'observedGeneration', status['observedGeneration']);
      pick(s, 'lastScaleTime', status['lastScaleTime']);
      pick(s, 'currentReplicas', status['currentReplicas'] ?? 0);
      pick(s, 'desiredReplicas', status['desiredReplicas'] ?? 0);
      const current = currentMetrics.find((m) => getPath(m, 'resource.name') === 'cpu');
      pick(s, 'currentCPUUtilizationPercentage', getPath(current, 'resource.current.averageUtilization'));
      out['status'] = s;
    }
    return out;
  },
};

const CONVERTERS: Record<string, Converter> = {
  'events.k8s.io/v1/Event': eventsV1,
  'autoscaling/v1/HorizontalPodAutoscaler': hpaV1,
};

/** The converter for a served group/version/kind whose storage differs, or undefined. */
export function converterFor(group: string, version: string, kind: string): Converter | undefined {
  return CONVERTERS[`${group}/${version}/${kind}`];
}
