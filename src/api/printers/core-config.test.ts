import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { configMapPrinter, namespacePrinter, resourceQuotaPrinter, secretPrinter, serviceAccountPrinter } from './core-config.ts';
import { columnNames, obj, row } from './test-helpers.ts';

describe('namespaced config kinds', () => {
  it('prints a namespace phase', () => {
    assert.deepEqual(row(namespacePrinter, obj('v1', 'Namespace', 'prod', { status: { phase: 'Terminating' } })), { Name: 'prod', Status: 'Terminating', Age: '5m' });
  });

  it('counts configmap data and binaryData', () => {
    const r = row(configMapPrinter, obj('v1', 'ConfigMap', 'cfg', { data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }));
    assert.deepEqual(r, { Name: 'cfg', Data: 3, Age: '5m' });
  });

  it('prints secret type and data count', () => {
    const r = row(secretPrinter, obj('v1', 'Secret', 'tls', { type: 'kubernetes.io/tls', data: { 'tls.crt': 'x', 'tls.key': 'y' } }));
    assert.deepEqual(r, { Name: 'tls', Type: 'kubernetes.io/tls', Data: 2, Age: '5m' });
  });

  it('prints NAME SECRETS AGE for service accounts', () => {
    assert.deepEqual(columnNames(serviceAccountPrinter), ['Name', 'Secrets', 'Age']);
    assert.deepEqual(row(serviceAccountPrinter, obj('v1', 'ServiceAccount', 'default', {})), { Name: 'default', Secrets: 0, Age: '5m' });
    assert.equal(row(serviceAccountPrinter, obj('v1', 'ServiceAccount', 'ci', { secrets: [{ name: 'ci-token' }] }))['Secrets'], 1);
  });

  it('splits quota usage into request and limit columns', () => {
    assert.deepEqual(columnNames(resourceQuotaPrinter), ['Name', 'Request', 'Limit', 'Age']);
    const r = row(resourceQuotaPrinter, obj('v1', 'ResourceQuota', 'compute', {
      spec: { hard: { pods: '10' } },
      status: {
        hard: { pods: '10', 'requests.cpu': '4', 'limits.memory': '8Gi', 'limits.cpu': '8', configmaps: '20' },
        used: { pods: '1', 'requests.cpu': '500m', 'limits.cpu': '1' },
      },
    }));
    assert.deepEqual(r, {
      Name: 'compute',
      Request: 'configmaps: 0/20, pods: 1/10, requests.cpu: 500m/4',
      Limit: 'limits.cpu: 1/8, limits.memory: 0/8Gi',
      Age: '5m',
    });
  });
});
