// RoleBinding and ClusterRoleBinding tables. Roles and ClusterRoles have no printer upstream
// and use the default table (Name, Created At).

import { rec, recs, str, type Rec } from './access.ts';
import { age } from './format.ts';
import { AGE_COLUMN, NAME_COLUMN, column, nameOf, printer, type TablePrinter } from './types.ts';

/** rbac.SubjectsStrings: users, groups and "namespace/name" service accounts. */
function subjects(list: Rec[]): { users: string[]; groups: string[]; serviceAccounts: string[] } {
  const out = { users: [] as string[], groups: [] as string[], serviceAccounts: [] as string[] };
  for (const s of list) {
    switch (str(s['kind'])) {
      case 'ServiceAccount':
        out.serviceAccounts.push(`${str(s['namespace'])}/${str(s['name'])}`);
        break;
      case 'User':
        out.users.push(str(s['name']));
        break;
      case 'Group':
        out.groups.push(str(s['name']));
        break;
    }
  }
  return out;
}

function bindingPrinter(kind: string): TablePrinter {
  return printer(
    [
      NAME_COLUMN,
      column('Role', 'string', 'The role the binding grants.'),
      AGE_COLUMN,
      column('Users', 'string', `Users in the ${kind}`, { wide: true }),
      column('Groups', 'string', `Groups in the ${kind}`, { wide: true }),
      column('ServiceAccounts', 'string', `ServiceAccounts in the ${kind}`, { wide: true }),
    ],
    (binding, nowMs) => {
      const roleRef = rec(binding['roleRef']);
      const { users, groups, serviceAccounts } = subjects(recs(binding['subjects']));
      return [
        nameOf(binding),
        `${str(roleRef['kind'])}/${str(roleRef['name'])}`,
        age(binding, nowMs),
        users.join(', '),
        groups.join(', '),
        serviceAccounts.join(', '),
      ];
    },
  );
}

export const roleBindingPrinter: TablePrinter = bindingPrinter('roleBinding');
export const clusterRoleBindingPrinter: TablePrinter = bindingPrinter('clusterRoleBinding');
