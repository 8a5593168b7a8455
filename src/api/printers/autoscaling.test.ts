import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { horizontalPodAutoscalerPrinter } from './autoscaling.ts';
import { columnNames, obj, row } from './test-helpers.ts';

const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };

describe('horizontal pod autoscalers', () => {
  it('has upstream columns', () => {
    assert.deepEqual(columnNames(horizontalPodAutoscalerPrinter), ['Name', 'Reference', 'Targets', 'MinPods', 'MaxPods', 'Replicas', 'Age']);
  });

  it('prints v2 resource metrics with names', () => {
    const r = row(horizontalPodAutoscalerPrinter, obj('autoscaling/v2', 'HorizontalPodAutoscaler', 'web', {
      spec: {
        scaleTargetRef: ref, minReplicas: 2, maxReplicas: 10,
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
          { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' } } },
        ],
      },
      status: {
        currentReplicas: 3,
        currentMetrics: [
          { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 42, averageValue: '210m' } } },
          { type: 'Resource', resource: { name: 'memory', current: { averageValue: '300Mi' } } },
        ],
      },
    }));
    assert.deepEqual(r, {
      Name: 'web', Reference: 'Deployment/web', Targets: 'cpu: 42%/80%, memory: 300Mi/500Mi', MinPods: '2', MaxPods: 10, Replicas: 3, Age: '5m',
    });
  });

  it('prints <unknown> before metrics arrive, other metric types and the overflow count', () => {
    const r = row(horizontalPodAutoscalerPrinter, obj('autoscaling/v2', 'HorizontalPodAutoscaler', 'q', {
      spec: {
        scaleTargetRef: { kind: 'StatefulSet', name: 'workers' }, maxReplicas: 5,
        metrics: [
          { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } },
          { type: 'External', external: { metric: { name: 'queue' }, target: { type: 'Value', value: '30' } } },
          { type: 'Object', object: { metric: { name: 'hits' }, target: { type: 'AverageValue', averageValue: '2k' } } },
        ],
      },
    }));
    assert.deepEqual([r['Reference'], r['Targets'], r['MinPods'], r['Replicas']], ['StatefulSet/workers', '<unknown>/10, <unknown>/30 + 1 more...', '<unset>', 0]);
  });

  it('prints <none> without metrics and converts a v1 CPU target', () => {
    const none = row(horizontalPodAutoscalerPrinter, obj('autoscaling/v2', 'HorizontalPodAutoscaler', 'n', { spec: { scaleTargetRef: ref, maxReplicas: 3 } }));
    assert.equal(none['Targets'], '<none>');
    const v1 = row(horizontalPodAutoscalerPrinter, obj('autoscaling/v1', 'HorizontalPodAutoscaler', 'v1', {
      spec: { scaleTargetRef: ref, minReplicas: 1, maxReplicas: 4, targetCPUUtilizationPercentage: 50 },
      status: { currentReplicas: 1, currentCPUUtilizationPercentage: 12 },
    }));
    assert.deepEqual([v1['Targets'], v1['MinPods'], v1['MaxPods']], ['cpu: 12%/50%', '1', 4]);
  });
});
