import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { leasePrinter, podDisruptionBudgetPrinter, priorityClassPrinter } from './policy.ts';
import { columnNames, obj, row } from './test-helpers.ts';

describe('pod disruption budgets', () => {
  it('prints int-or-string bounds and N/A', () => {
    const r = row(podDisruptionBudgetPrinter, obj('policy/v1', 'PodDisruptionBudget', 'web', {
      spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } }, status: { disruptionsAllowed: 1 },
    }));
    assert.deepEqual(r, { Name: 'web', 'Min Available': '2', 'Max Unavailable': 'N/A', 'Allowed Disruptions': 1, Age: '5m' });
    const pct = row(podDisruptionBudgetPrinter, obj('policy/v1', 'PodDisruptionBudget', 'db', { spec: { maxUnavailable: '25%' } }));
    assert.deepEqual([pct['Min Available'], pct['Max Unavailable'], pct['Allowed Disruptions']], ['N/A', '25%', 0]);
  });
});

describe('priority classes', () => {
  it('shows PreemptionPolicy without -o wide, as upstream does', () => {
    assert.deepEqual(columnNames(priorityClassPrinter, true), ['Name', 'Value', 'Global-Default', 'Age', 'PreemptionPolicy']);
    const r = row(priorityClassPrinter, obj('scheduling.k8s.io/v1', 'PriorityClass', 'system-cluster-critical', {
      value: 2000000000, globalDefault: false, preemptionPolicy: 'PreemptLowerPriority',
    }));
    assert.deepEqual(r, { Name: 'system-cluster-critical', Value: 2000000000, 'Global-Default': false, Age: '5m', PreemptionPolicy: 'PreemptLowerPriority' });
  });
});

describe('leases', () => {
  it('prints the holder', () => {
    const r = row(leasePrinter, obj('coordination.k8s.io/v1', 'Lease', 'kube-scheduler', { spec: { holderIdentity: 'cp-1_5f2c', leaseDurationSeconds: 15 } }));
    assert.deepEqual(r, { Name: 'kube-scheduler', Holder: 'cp-1_5f2c', Age: '5m' });
    assert.equal(row(leasePrinter, obj('coordination.k8s.io/v1', 'Lease', 'free', { spec: {} }))['Holder'], '');
  });
});
