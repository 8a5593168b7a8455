import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nodePrinter } from './core-nodes.ts';
import { DAY, HOUR, columnNames, obj, row } from './test-helpers.ts';

const info = { kubeletVersion: 'v1.33.1', osImage: 'Ubuntu 24.04 LTS', kernelVersion: '6.8.0-45-generic', containerRuntimeVersion: 'containerd://2.0.4' };

describe('nodes', () => {
  it('has upstream columns', () => {
    assert.deepEqual(columnNames(nodePrinter, true), ['Name', 'Status', 'Roles', 'Age', 'Version']);
    assert.deepEqual(columnNames(nodePrinter).slice(5), ['Internal-IP', 'External-IP', 'OS-Image', 'Kernel-Version', 'Container-Runtime']);
  });

  it('prints a ready control-plane node with addresses', () => {
    const r = row(nodePrinter, obj('v1', 'Node', 'cp-1', {
      spec: {},
      status: {
        conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }],
        addresses: [{ type: 'Hostname', address: 'cp-1' }, { type: 'InternalIP', address: '192.168.1.10' }],
        nodeInfo: info,
      },
    }, { namespace: undefined, creationTimestamp: new Date(Date.parse('2025-05-01T12:00:00Z') - 3 * DAY - 2 * HOUR).toISOString(),
      labels: { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/etcd': 'true', 'kubernetes.io/hostname': 'cp-1' } }));
    assert.deepEqual(r, {
      Name: 'cp-1', Status: 'Ready', Roles: 'control-plane,etcd', Age: '3d2h', Version: 'v1.33.1',
      'Internal-IP': '192.168.1.10', 'External-IP': '<none>', 'OS-Image': 'Ubuntu 24.04 LTS',
      'Kernel-Version': '6.8.0-45-generic', 'Container-Runtime': 'containerd://2.0.4',
    });
  });

  it('prints NotReady,SchedulingDisabled for a cordoned unhealthy node and kubernetes.io/role roles', () => {
    const r = row(nodePrinter, obj('v1', 'Node', 'w-1', {
      spec: { unschedulable: true },
      status: { conditions: [{ type: 'Ready', status: 'Unknown' }] },
    }, { labels: { 'kubernetes.io/role': 'worker' } }));
    assert.deepEqual([r['Status'], r['Roles'], r['OS-Image'], r['Version']], ['NotReady,SchedulingDisabled', 'worker', '<unknown>', '']);
  });

  it('prints Unknown without a Ready condition and <none> without roles', () => {
    const r = row(nodePrinter, obj('v1', 'Node', 'w-2', { status: {} }, { labels: { 'node-role.kubernetes.io/': '' } }));
    assert.deepEqual([r['Status'], r['Roles']], ['Unknown', '<none>']);
  });
});
