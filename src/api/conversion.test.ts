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

  it('serves a v2 CPU utilization metric as the v1 target', () => {
    assert.deepEqual(hpa.fromStorage(clone(v2)), v1);
  });

  it('round-trips both ways for what v1 can say', () => {
    assert.deepEqual(hpa.fromStorage(hpa.toStorage(clone(v1))), v1);
    assert.deepEqual(hpa.toStorage(hpa.fromStorage(clone(v2))), v2);
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
