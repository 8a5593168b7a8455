import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventPrinter } from './events.ts';
import { MIN, SEC, ago, columnNames, obj, row } from './test-helpers.ts';

describe('event columns', () => {
  it('follows upstream order, with Name hidden behind -o wide', () => {
    assert.deepEqual(columnNames(eventPrinter, true), ['Last Seen', 'Type', 'Reason', 'Object', 'Message']);
    assert.deepEqual(columnNames(eventPrinter), ['Last Seen', 'Type', 'Reason', 'Object', 'Subobject', 'Source', 'Message', 'First Seen', 'Count', 'Name']);
    const name = eventPrinter.columns.find((c) => c.name === 'Name');
    assert.deepEqual([name?.priority, name?.format], [1, 'name']);
  });
});

describe('core/v1 events', () => {
  it('prints a repeated kubelet event', () => {
    const r = row(eventPrinter, obj('v1', 'Event', 'web-0.17f3a', {
      involvedObject: { kind: 'Pod', name: 'web-0', namespace: 'default', fieldPath: 'spec.containers{app}' },
      reason: 'BackOff', type: 'Warning', message: 'Back-off restarting failed container app\n',
      source: { component: 'kubelet', host: 'node-1' },
      firstTimestamp: ago(4 * MIN), lastTimestamp: ago(20 * SEC), count: 7,
    }));
    assert.deepEqual(r, {
      'Last Seen': '20s', Type: 'Warning', Reason: 'BackOff', Object: 'pod/web-0', Subobject: 'spec.containers{app}',
      Source: 'kubelet, node-1', Message: 'Back-off restarting failed container app', 'First Seen': '4m', Count: 7, Name: 'web-0.17f3a',
    });
  });

  it('falls back to eventTime, reporting fields and a count of one', () => {
    const r = row(eventPrinter, obj('v1', 'Event', 'sched.1', {
      involvedObject: { kind: 'Node' }, reason: 'Scheduled', type: 'Normal', message: 'ok',
      eventTime: ago(30 * SEC), reportingComponent: 'default-scheduler', reportingInstance: 'cp-1',
    }));
    assert.deepEqual([r['Last Seen'], r['First Seen'], r['Object'], r['Source'], r['Count']], ['30s', '30s', 'node', 'default-scheduler, cp-1', 1]);
  });

  it('takes last seen and count from the series', () => {
    const r = row(eventPrinter, obj('v1', 'Event', 'e', {
      eventTime: ago(10 * MIN), series: { count: 12, lastObservedTime: ago(45 * SEC) }, count: 3,
    }));
    assert.deepEqual([r['Last Seen'], r['First Seen'], r['Count']], ['45s', '10m', 12]);
  });

  it('prints <unknown> times for an event without any', () => {
    const r = row(eventPrinter, obj('v1', 'Event', 'bare', {}));
    assert.deepEqual([r['Last Seen'], r['First Seen'], r['Object'], r['Source'], r['Count']], ['<unknown>', '<unknown>', '', '', 1]);
  });
});

describe('events.k8s.io/v1 events', () => {
  it('reads regarding, note and the deprecated fields', () => {
    const r = row(eventPrinter, obj('events.k8s.io/v1', 'Event', 'web.1', {
      regarding: { kind: 'Deployment', name: 'web', namespace: 'default' },
      note: 'Scaled up replica set web-7d9f8 to 3', reason: 'ScalingReplicaSet', type: 'Normal',
      eventTime: ago(2 * MIN), reportingController: 'deployment-controller', reportingInstance: '',
      deprecatedFirstTimestamp: ago(3 * MIN), deprecatedLastTimestamp: ago(MIN), deprecatedCount: 2,
    }));
    assert.deepEqual(r, {
      'Last Seen': '60s', Type: 'Normal', Reason: 'ScalingReplicaSet', Object: 'deployment/web', Subobject: '',
      Source: 'deployment-controller', Message: 'Scaled up replica set web-7d9f8 to 3', 'First Seen': '3m', Count: 2, Name: 'web.1',
    });
  });
});
