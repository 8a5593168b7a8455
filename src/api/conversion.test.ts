import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { converterFor } from './conversion.ts';
import type { KubeObject } from './types.ts';

const clone = <T>(v: T): T => structuredClone(v);

function converter(group: string, version: string, kind: string) {
  const c = converterFor(group, version, kind);
  assert.ok(c, `${group}/${version} ${kind} converts`);
  return c;
}

describe('converterFor', () => {
  it('exists only for served versions whose storage differs', () => {
    assert.ok(converterFor('events.k8s.io', 'v1', 'Event'));
    assert.ok(converterFor('autoscaling', 'v1', 'HorizontalPodAutoscaler'));
    assert.equal(converterFor('', 'v1', 'Event'), undefined);
    assert.equal(converterFor('autoscaling', 'v2', 'HorizontalPodAutoscaler'), undefined);
    assert.equal(converterFor('apps', 'v1', 'Deployment'), undefined);
  });
});

describe('events.k8s.io/v1 Event <-> core/v1 Event', () => {
  const events = converter('events.k8s.io', 'v1', 'Event');
  const metadata = { name: 'web.17a', namespace: 'default', uid: 'u-1', resourceVersion: '42' };
  const regarding = { kind: 'Pod', namespace: 'default', name: 'web', uid: 'p-1', apiVersion: 'v1', fieldPath: 'spec.containers{app}' };
  const v1Event: KubeObject = {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata,
    eventTime: '2026-01-02T03:04:05.000000Z',
    series: { count: 3, lastObservedTime: '2026-01-02T03:05:00.000000Z' },
    reportingController: 'strata.io/kubelet',
    reportingInstance: 'node-1',
    action: 'Pulling',
    reason: 'Pulling',
    regarding,
    related: { kind: 'Node', name: 'node-1', apiVersion: 'v1' },
    note: 'Pulling image "nginx"',
    type: 'Normal',
    deprecatedSource: { component: 'kubelet', host: 'node-1' },
    deprecatedFirstTimestamp: '2026-01-02T03:00:00Z',
    deprecatedLastTimestamp: '2026-01-02T03:05:00Z',
    deprecatedCount: 3,
  };
  const coreEvent: KubeObject = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata,
    involvedObject: regarding,
    related: { kind: 'Node', name: 'node-1', apiVersion: 'v1' },
    message: 'Pulling image "nginx"',
    reason: 'Pulling',
    type: 'Normal',
    eventTime: '2026-01-02T03:04:05.000000Z',
    series: { count: 3, lastObservedTime: '2026-01-02T03:05:00.000000Z' },
    action: 'Pulling',
    reportingComponent: 'strata.io/kubelet',
    reportingInstance: 'node-1',
    source: { component: 'kubelet', host: 'node-1' },
    firstTimestamp: '2026-01-02T03:00:00Z',
    lastTimestamp: '2026-01-02T03:05:00Z',
    count: 3,
  };

  it('renames every field to its core name for storage', () => {
    assert.deepEqual(events.toStorage(clone(v1Event)), coreEvent);
  });

  it('renames every field back when serving', () => {
    assert.deepEqual(events.fromStorage(clone(coreEvent)), v1Event);
  });

  it('round-trips both ways without loss', () => {
    assert.deepEqual(events.fromStorage(events.toStorage(clone(v1Event))), v1Event);
    assert.deepEqual(events.toStorage(events.fromStorage(clone(coreEvent))), coreEvent);
  });

  it('serves a core Event without eventTime with eventTime null, as upstream does', () => {
    const legacy: KubeObject = { apiVersion: 'v1', kind: 'Event', metadata, involvedObject: regarding, reason: 'Killing', message: 'Stopping container app', type: 'Normal', count: 1 };
    const served = events.fromStorage(clone(legacy));
    assert.equal(served['eventTime'], null);
    assert.equal(served['note'], 'Stopping container app');
    assert.equal(served['deprecatedCount'], 1);
    assert.equal('message' in served || 'involvedObject' in served || 'count' in served, false, 'no core field names leak');
    assert.deepEqual(events.toStorage(served), legacy);
  });
});

describe('autoscaling/v1 HorizontalPodAutoscaler <-> autoscaling/v2', () => {
  const hpa = converter('autoscaling', 'v1', 'HorizontalPodAutoscaler');
  const metadata = { name: 'web', namespace: 'default', uid: 'h-1', resourceVersion: '7' };
  const scaleTargetRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };
  const v1: KubeObject = {
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    metadata,
    spec: { scaleTargetRef, minReplicas: 2, maxReplicas: 10, targetCPUUtilizationPercentage: 75 },
    status: { observedGeneration: 3, lastScaleTime: '2026-01-02T03:04:05Z', currentReplicas: 4, desiredReplicas: 5, currentCPUUtilizationPercentage: 90 },
  };
  const v2: KubeObject = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata,
    spec: {
      scaleTargetRef,
      minReplicas: 2,
      maxReplicas: 10,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 75 } } }],
    },
    status: {
      observedGeneration: 3,
      lastScaleTime: '2026-01-02T03:04:05Z',
      currentReplicas: 4,
      desiredReplicas: 5,
      currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 90 } } }],
    },
  };

  it('stores the CPU target as a v2 Resource metric', () => {
    assert.deepEqual(hpa.toStorage(clone(v1)), v2);
  });

  it('serves a v2 CPU utilization metric as the v1 target, carrying the current metrics in an annotation', () => {
    const served = hpa.fromStorage(clone(v2));
    assert.deepEqual(served, {
      ...v1,
      metadata: { ...metadata, annotations: { 'autoscaling.alpha.kubernetes.io/current-metrics': '[{"type":"Resource","resource":{"name":"cpu","currentAverageUtilization":90}}]' } },
    });
  });

  it('round-trips both ways for what v1 can say', () => {
    assert.deepEqual(hpa.toStorage(hpa.fromStorage(clone(v2))), v2);
    const stored = hpa.toStorage(clone(v1));
    const served = hpa.fromStorage(stored);
    assert.deepEqual({ ...served, metadata: { ...served.metadata, annotations: undefined } }, { ...v1, metadata: { ...metadata, annotations: undefined } });
    assert.deepEqual(hpa.toStorage(served), stored);
  });

  it('keeps v2-only metrics, behavior and conditions through a v1 read-modify-write', () => {
    const selector = { matchLabels: { queue: 'jobs' } };
    const full: KubeObject = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { ...metadata, annotations: { owner: 'team-a' } },
      spec: {
        scaleTargetRef,
        minReplicas: 1,
        maxReplicas: 20,
        metrics: [
          { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' } } },
          { type: 'ContainerResource', containerResource: { name: 'cpu', container: 'app', target: { type: 'Utilization', averageUtilization: 60 } } },
          { type: 'Pods', pods: { metric: { name: 'requests_per_second', selector }, target: { type: 'AverageValue', averageValue: '10' } } },
          { type: 'Object', object: { describedObject: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'main' }, metric: { name: 'hits' }, target: { type: 'Value', value: '2k' } } },
          { type: 'External', external: { metric: { name: 'queue_depth', selector }, target: { type: 'AverageValue', averageValue: '30' } } },
          // Upstream puts the CPU target last when converting back.
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
        ],
        behavior: { scaleDown: { stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 10, periodSeconds: 60 }] } },
      },
      status: {
        observedGeneration: 2,
        currentReplicas: 3,
        desiredReplicas: 4,
        currentMetrics: [
          { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 65, averageValue: '650m' } } },
          { type: 'Pods', pods: { metric: { name: 'requests_per_second', selector }, current: { averageValue: '12' } } },
          { type: 'Object', object: { describedObject: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'main' }, metric: { name: 'hits' }, current: { value: '1500' } } },
          { type: 'External', external: { metric: { name: 'queue_depth', selector }, current: { value: '90', averageValue: '30' } } },
          { type: 'ContainerResource', containerResource: { name: 'cpu', container: 'app', current: { averageUtilization: 55 } } },
        ],
        conditions: [{ type: 'AbleToScale', status: 'True', lastTransitionTime: '2026-01-02T03:04:05Z', reason: 'ReadyForNewScale', message: 'ok' }],
      },
    };
    const served = hpa.fromStorage(structuredClone(full));
    assert.equal(served['apiVersion'], 'autoscaling/v1');
    assert.equal((served['spec'] as Record<string, unknown>)['targetCPUUtilizationPercentage'], 70);
    assert.equal((served['status'] as Record<string, unknown>)['currentCPUUtilizationPercentage'], 65);
    assert.deepEqual(Object.keys(served['spec'] as object).sort(), ['maxReplicas', 'minReplicas', 'scaleTargetRef', 'targetCPUUtilizationPercentage']);
    const annotations = served.metadata.annotations ?? {};
    assert.equal(annotations['owner'], 'team-a');
    // v1's own metric format, as upstream writes it.
    assert.deepEqual(JSON.parse(annotations['autoscaling.alpha.kubernetes.io/metrics'] ?? '[]')[0], { type: 'Resource', resource: { name: 'memory', targetAverageValue: '500Mi' } });
    assert.deepEqual(JSON.parse(annotations['autoscaling.alpha.kubernetes.io/metrics'] ?? '[]')[2], {
      type: 'Pods',
      pods: { metricName: 'requests_per_second', selector, targetAverageValue: '10' },
    });
    assert.ok(annotations['autoscaling.alpha.kubernetes.io/behavior']);
    assert.ok(annotations['autoscaling.alpha.kubernetes.io/conditions']);
    assert.ok(annotations['autoscaling.alpha.kubernetes.io/current-metrics']);

    // A v1 client changes maxReplicas and writes the object back.
    (served['spec'] as Record<string, unknown>)['maxReplicas'] = 30;
    const stored = hpa.toStorage(served);
    const expected = structuredClone(full);
    (expected['spec'] as Record<string, unknown>)['maxReplicas'] = 30;
    assert.deepEqual(stored, expected);
    assert.deepEqual(stored.metadata.annotations, { owner: 'team-a' }, 'the carrier annotations never reach storage');
  });

  it('does not modify the stored object it serves (cached objects are frozen)', () => {
    const frozen = structuredClone(v2);
    const freeze = (o: unknown): void => {
      if (o && typeof o === 'object') {
        Object.freeze(o);
        Object.values(o).forEach(freeze);
      }
    };
    freeze(frozen);
    const served = hpa.fromStorage(frozen);
    assert.ok(served.metadata.annotations?.['autoscaling.alpha.kubernetes.io/current-metrics']);
    assert.equal(frozen.metadata.annotations, undefined);
  });

  it('ignores a damaged carrier annotation', () => {
    const damaged = clone(v1);
    damaged.metadata = { ...metadata, annotations: { 'autoscaling.alpha.kubernetes.io/metrics': '{not json' } };
    const stored = hpa.toStorage(damaged);
    assert.deepEqual(stored, v2);
    const odd = clone(v1);
    odd.metadata = { ...metadata, annotations: { 'autoscaling.alpha.kubernetes.io/metrics': '[null, 3, {"type":"constructor"}]' } };
    const spec = hpa.toStorage(odd)['spec'] as Record<string, unknown>;
    assert.deepEqual(spec['metrics'], [{ type: 'constructor' }, ...((v2['spec'] as Record<string, unknown>)['metrics'] as unknown[])]);
  });

  it('handles an HPA without a CPU target or status', () => {
    const bare: KubeObject = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata, spec: { scaleTargetRef, maxReplicas: 3 } };
    const stored = hpa.toStorage(clone(bare));
    assert.deepEqual(stored, { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata, spec: { scaleTargetRef, maxReplicas: 3 } });
    assert.deepEqual(hpa.fromStorage(stored), bare);
    const fresh = hpa.fromStorage({ ...clone(v2), status: { currentReplicas: 0, desiredReplicas: 0 } });
    assert.deepEqual(fresh['status'], { currentReplicas: 0, desiredReplicas: 0 });
  });
});
