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

const hpaV1: Converter = {
  toStorage(h) {
    const spec = (h['spec'] ?? {}) as Obj;
    const status = h['status'] as Obj | undefined;
    const v2Spec: Obj = {};
    pick(v2Spec, 'scaleTargetRef', spec['scaleTargetRef']);
    pick(v2Spec, 'minReplicas', spec['minReplicas']);
    pick(v2Spec, 'maxReplicas', spec['maxReplicas']);
    if (typeof spec['targetCPUUtilizationPercentage'] === 'number') {
      v2Spec['metrics'] = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec['targetCPUUtilizationPercentage'] } } }];
    }
    const out: KubeObject = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: h.metadata, spec: v2Spec };
    if (status) {
      const s: Obj = {};
      pick(s, 'observedGeneration', status['observedGeneration']);
      pick(s, 'lastScaleTime', status['lastScaleTime']);
      pick(s, 'currentReplicas', status['currentReplicas'] ?? 0);
      pick(s, 'desiredReplicas', status['desiredReplicas'] ?? 0);
      if (typeof status['currentCPUUtilizationPercentage'] === 'number') {
        s['currentMetrics'] = [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: status['currentCPUUtilizationPercentage'] } } }];
      }
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
    const cpu = metrics.find((m) => m['type'] === 'Resource' && (m['resource'] as Obj | undefined)?.['name'] === 'cpu');
    const target = ((cpu?.['resource'] as Obj | undefined)?.['target'] as Obj | undefined)?.['averageUtilization'];
    pick(v1Spec, 'targetCPUUtilizationPercentage', target);
    const out: KubeObject = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: h.metadata, spec: v1Spec };
    if (status) {
      const s: Obj = {};
      pick(s, 'observedGeneration', status['observedGeneration']);
      pick(s, 'lastScaleTime', status['lastScaleTime']);
      pick(s, 'currentReplicas', status['currentReplicas'] ?? 0);
      pick(s, 'desiredReplicas', status['desiredReplicas'] ?? 0);
      const current = ((status['currentMetrics'] ?? []) as Obj[]).find((m) => (m['resource'] as Obj | undefined)?.['name'] === 'cpu');
      pick(s, 'currentCPUUtilizationPercentage', ((current?.['resource'] as Obj | undefined)?.['current'] as Obj | undefined)?.['averageUtilization']);
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
