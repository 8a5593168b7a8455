import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clusterRoleBindingPrinter, roleBindingPrinter } from './rbac.ts';
import { columnNames, obj, row } from './test-helpers.ts';

describe('role bindings', () => {
  it('prints the role and, wide, the subjects by kind', () => {
    assert.deepEqual(columnNames(roleBindingPrinter, true), ['Name', 'Role', 'Age']);
    const r = row(roleBindingPrinter, obj('rbac.authorization.k8s.io/v1', 'RoleBinding', 'devs', {
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      subjects: [
        { kind: 'User', name: 'alice' }, { kind: 'User', name: 'bob' },
        { kind: 'Group', name: 'devs' },
        { kind: 'ServiceAccount', name: 'ci', namespace: 'tools' },
      ],
    }));
    assert.deepEqual(r, { Name: 'devs', Role: 'ClusterRole/edit', Age: '5m', Users: 'alice, bob', Groups: 'devs', ServiceAccounts: 'tools/ci' });
  });

  it('prints cluster role bindings the same way', () => {
    const r = row(clusterRoleBindingPrinter, obj('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'admins', {
      roleRef: { kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'Group', name: 'system:masters' }],
    }));
    assert.deepEqual(r, { Name: 'admins', Role: 'ClusterRole/cluster-admin', Age: '5m', Users: '', Groups: 'system:masters', ServiceAccounts: '' });
  });
});
