import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { persistentVolumeClaimPrinter, persistentVolumePrinter, storageClassPrinter } from './storage.ts';
import { SEC, ago, columnNames, obj, row } from './test-helpers.ts';

describe('persistent volumes', () => {
  it('prints a bound volume', () => {
    assert.deepEqual(columnNames(persistentVolumePrinter, true), [
      'Name', 'Capacity', 'Access Modes', 'Reclaim Policy', 'Status', 'Claim', 'StorageClass', 'VolumeAttributesClass', 'Reason', 'Age',
    ]);
    const r = row(persistentVolumePrinter, obj('v1', 'PersistentVolume', 'pv-1', {
      spec: {
        capacity: { storage: '10Gi' }, accessModes: ['ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Retain', storageClassName: 'standard', volumeMode: 'Filesystem',
        claimRef: { namespace: 'default', name: 'data' },
      },
      status: { phase: 'Bound' },
    }));
    assert.deepEqual(r, {
      Name: 'pv-1', Capacity: '10Gi', 'Access Modes': 'RWO,RWX', 'Reclaim Policy': 'Retain', Status: 'Bound', Claim: 'default/data',
      StorageClass: 'standard', VolumeAttributesClass: '<unset>', Reason: '', Age: '5m', VolumeMode: 'Filesystem',
    });
  });

  it('prints Terminating, the beta class annotation and defaults', () => {
    const r = row(persistentVolumePrinter, obj('v1', 'PersistentVolume', 'pv-2', { spec: { storageClassName: 'ignored' }, status: { phase: 'Released' } }, {
      deletionTimestamp: ago(SEC), annotations: { 'volume.beta.kubernetes.io/storage-class': 'legacy' },
    }));
    assert.deepEqual([r['Status'], r['StorageClass'], r['Capacity'], r['Claim'], r['VolumeMode']], ['Terminating', 'legacy', '0', '', '<unset>']);
  });
});

describe('persistent volume claims', () => {
  it('prints a pending claim without capacity or modes', () => {
    const r = row(persistentVolumeClaimPrinter, obj('v1', 'PersistentVolumeClaim', 'data', {
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'fast' },
      status: { phase: 'Pending' },
    }));
    assert.deepEqual(r, {
      Name: 'data', Status: 'Pending', Volume: '', Capacity: '', 'Access Modes': '', StorageClass: 'fast',
      VolumeAttributesClass: '<unset>', Age: '5m', VolumeMode: '<unset>',
    });
  });

  it('prints the bound volume capacity and modes', () => {
    const r = row(persistentVolumeClaimPrinter, obj('v1', 'PersistentVolumeClaim', 'data', {
      spec: { volumeName: 'pv-1', volumeMode: 'Block', volumeAttributesClassName: 'gold', resources: { requests: { storage: '1Gi' } } },
      status: { phase: 'Bound', capacity: { storage: '2Gi' }, accessModes: ['ReadWriteOncePod'] },
    }));
    assert.deepEqual([r['Volume'], r['Capacity'], r['Access Modes'], r['StorageClass'], r['VolumeAttributesClass'], r['VolumeMode']],
      ['pv-1', '2Gi', 'RWOP', '', 'gold', 'Block']);
  });
});

describe('storage classes', () => {
  it('marks the default class and fills upstream defaults', () => {
    const r = row(storageClassPrinter, obj('storage.k8s.io/v1', 'StorageClass', 'standard', { provisioner: 'rancher.io/local-path' }, {
      annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
    }));
    assert.deepEqual(r, {
      Name: 'standard (default)', Provisioner: 'rancher.io/local-path', ReclaimPolicy: 'Delete', VolumeBindingMode: 'Immediate', AllowVolumeExpansion: false, Age: '5m',
    });
    const other = row(storageClassPrinter, obj('storage.k8s.io/v1', 'StorageClass', 'fast', {
      provisioner: 'ebs.csi.aws.com', reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer', allowVolumeExpansion: true,
    }, { annotations: { 'storageclass.kubernetes.io/is-default-class': 'false' } }));
    assert.deepEqual([other['Name'], other['ReclaimPolicy'], other['VolumeBindingMode'], other['AllowVolumeExpansion']], ['fast', 'Retain', 'WaitForFirstConsumer', true]);
  });
});
