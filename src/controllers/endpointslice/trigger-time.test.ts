import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TriggerTimeTracker, formatTriggerTime } from './trigger-time.ts';
import type { EndpointPod, Service } from './types.ts';

const svc: Service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'ns', creationTimestamp: '2024-01-01T00:00:00Z' } };
const pod = (name: string, readySince: string): EndpointPod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'ns' },
  status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: readySince }] },
});
const t = (s: string): number => Date.parse(s);

describe('TriggerTimeTracker', () => {
  it('reports the creation of a new service, then the earliest change since the last sync, then none', () => {
    const tracker = new TriggerTimeTracker();
    assert.equal(tracker.compute(svc, [pod('a', '2024-01-01T00:01:00Z')]), t('2024-01-01T00:00:00Z'));
    assert.equal(tracker.compute(svc, [pod('a', '2024-01-01T00:01:00Z')]), 0, 'nothing moved');
    const changed = [pod('a', '2024-01-01T00:05:00Z'), pod('b', '2024-01-01T00:03:00Z')];
    assert.equal(tracker.compute(svc, changed), t('2024-01-01T00:03:00Z'));
    assert.equal(tracker.compute(svc, changed), 0);
    tracker.deleteService('ns', 'web');
    assert.equal(tracker.compute(svc, changed), t('2024-01-01T00:00:00Z'), 'forgotten: new again');
  });

  it('formats like Go RFC3339Nano in UTC', () => {
    assert.equal(formatTriggerTime(t('2024-01-01T00:00:00Z')), '2024-01-01T00:00:00Z');
    assert.equal(formatTriggerTime(t('2024-01-01T00:00:00.250Z')), '2024-01-01T00:00:00.25Z');
  });
});
