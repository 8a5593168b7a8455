import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  controllerRevisionPrinter,
  daemonSetPrinter,
  deploymentPrinter,
  replicaSetPrinter,
  replicationControllerPrinter,
  statefulSetPrinter,
} from './apps.ts';
import { columnNames, obj, row } from './test-helpers.ts';

const template = {
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }, { name: 'log', image: 'fluent-bit:3' }] },
};

describe('deployments', () => {
  it('has upstream columns', () => {
    assert.deepEqual(columnNames(deploymentPrinter, true), ['Name', 'Ready', 'Up-to-date', 'Available', 'Age']);
    assert.deepEqual(columnNames(deploymentPrinter).slice(5), ['Containers', 'Images', 'Selector']);
  });

  it('prints readiness, rollout counts and the wide template columns', () => {
    const r = row(deploymentPrinter, obj('apps/v1', 'Deployment', 'web', {
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template },
      status: { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    }));
    assert.deepEqual(r, {
      Name: 'web', Ready: '2/3', 'Up-to-date': 3, Available: 2, Age: '5m',
      Containers: 'nginx,log', Images: 'nginx:1.27,fluent-bit:3', Selector: 'app=web',
    });
  });

  it('prints a fresh deployment without status and an invalid selector', () => {
    const r = row(deploymentPrinter, obj('apps/v1', 'Deployment', 'new', {
      spec: { selector: { matchExpressions: [{ key: 'a', operator: 'Bogus' }] } },
    }));
    assert.deepEqual([r['Ready'], r['Up-to-date'], r['Available'], r['Containers'], r['Selector']], ['0/1', 0, 0, '', '<invalid>']);
  });
});

describe('replica sets and replication controllers', () => {
  it('print desired, current and ready counts', () => {
    const r = row(replicaSetPrinter, obj('apps/v1', 'ReplicaSet', 'web-7d9f8', {
      spec: { replicas: 3, selector: { matchLabels: { app: 'web', 'pod-template-hash': '7d9f8' } }, template },
      status: { replicas: 3, readyReplicas: 1 },
    }));
    assert.deepEqual(r, {
      Name: 'web-7d9f8', Desired: 3, Current: 3, Ready: 1, Age: '5m',
      Containers: 'nginx,log', Images: 'nginx:1.27,fluent-bit:3', Selector: 'app=web,pod-template-hash=7d9f8',
    });
    const scaledDown = row(replicaSetPrinter, obj('apps/v1', 'ReplicaSet', 'old', { spec: { replicas: 0 } }));
    assert.deepEqual([scaledDown['Desired'], scaledDown['Selector']], [0, '<none>']);
  });

  it('prints a replication controller selector as labels', () => {
    const r = row(replicationControllerPrinter, obj('v1', 'ReplicationController', 'legacy', {
      spec: { replicas: 2, selector: { app: 'legacy' }, template },
      status: { replicas: 2, readyReplicas: 2 },
    }));
    assert.deepEqual([r['Desired'], r['Current'], r['Ready'], r['Selector']], [2, 2, 2, 'app=legacy']);
  });
});

describe('stateful sets and daemon sets', () => {
  it('prints statefulset readiness', () => {
    assert.deepEqual(columnNames(statefulSetPrinter), ['Name', 'Ready', 'Age', 'Containers', 'Images']);
    const r = row(statefulSetPrinter, obj('apps/v1', 'StatefulSet', 'db', { spec: { replicas: 3, template }, status: { readyReplicas: 3 } }));
    assert.deepEqual(r, { Name: 'db', Ready: '3/3', Age: '5m', Containers: 'nginx,log', Images: 'nginx:1.27,fluent-bit:3' });
  });

  it('prints daemonset scheduling counts and node selector', () => {
    assert.deepEqual(columnNames(daemonSetPrinter, true), ['Name', 'Desired', 'Current', 'Ready', 'Up-to-date', 'Available', 'Node Selector', 'Age']);
    const r = row(daemonSetPrinter, obj('apps/v1', 'DaemonSet', 'kube-proxy', {
      spec: {
        selector: { matchLabels: { 'k8s-app': 'kube-proxy' } },
        template: { spec: { nodeSelector: { 'kubernetes.io/os': 'linux' }, containers: [{ name: 'kube-proxy', image: 'registry.k8s.io/kube-proxy:v1.33.1' }] } },
      },
      status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 },
    }));
    assert.deepEqual(r, {
      Name: 'kube-proxy', Desired: 3, Current: 3, Ready: 2, 'Up-to-date': 3, Available: 2, 'Node Selector': 'kubernetes.io/os=linux', Age: '5m',
      Containers: 'kube-proxy', Images: 'registry.k8s.io/kube-proxy:v1.33.1', Selector: 'k8s-app=kube-proxy',
    });
    assert.equal(row(daemonSetPrinter, obj('apps/v1', 'DaemonSet', 'x', {}))['Node Selector'], '<none>');
  });
});

describe('controller revisions', () => {
  it('prints the controlling owner as kind.group/name', () => {
    const r = row(controllerRevisionPrinter, obj('apps/v1', 'ControllerRevision', 'db-6c5b7', { revision: 2 }, {
      ownerReferences: [
        { apiVersion: 'v1', kind: 'ConfigMap', name: 'other', uid: 'u1' },
        { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'u2', controller: true },
      ],
    }));
    assert.deepEqual(r, { Name: 'db-6c5b7', Controller: 'statefulset.apps/db', Revision: 2, Age: '5m' });
    assert.equal(row(controllerRevisionPrinter, obj('apps/v1', 'ControllerRevision', 'orphan', {}))['Controller'], '<none>');
    const core = row(controllerRevisionPrinter, obj('apps/v1', 'ControllerRevision', 'x', {}, {
      ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'u', controller: true }],
    }));
    assert.equal(core['Controller'], 'pod/p');
  });
});
