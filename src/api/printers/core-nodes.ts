// Node table: STATUS from the Ready condition plus SchedulingDisabled, ROLES from the
// node-role.kubernetes.io/* and kubernetes.io/role labels, and the wide node-info columns.

import { bool, rec, recs, str, stringMap, type Rec } from './access.ts';
import { age, sortedSet } from './format.ts';
import { AGE_COLUMN, NAME_COLUMN, column, nameOf, printer, type TablePrinter } from './types.ts';

const ROLE_LABEL_PREFIX = 'node-role.kubernetes.io/';
const ROLE_LABEL = 'kubernetes.io/role';

export const nodePrinter: TablePrinter = printer(
  [
    NAME_COLUMN,
    column('Status', 'string', 'The status of the node'),
    column('Roles', 'string', 'The roles of the node'),
    AGE_COLUMN,
    column('Version', 'string', 'Kubelet version reported by the node.'),
    column('Internal-IP', 'string', 'First internal address of the node.', { wide: true }),
    column('External-IP', 'string', 'First external address of the node.', { wide: true }),
    column('OS-Image', 'string', 'OS image reported by the node.', { wide: true }),
    column('Kernel-Version', 'string', 'Kernel version reported by the node.', { wide: true }),
    column('Container-Runtime', 'string', 'Container runtime version reported by the node.', { wide: true }),
  ],
  (node, nowMs) => {
    const status = rec(node['status']);
    const info = rec(status['nodeInfo']);
    const roles = nodeRoles(stringMap(rec(node.metadata)['labels'])).join(',');
    return [
      nameOf(node),
      nodeStatus(rec(node['spec']), status),
      roles || '<none>',
      age(node, nowMs),
      str(info['kubeletVersion']),
      nodeAddress(status, 'InternalIP'),
      nodeAddress(status, 'ExternalIP'),
      str(info['osImage']) || '<unknown>',
      str(info['kernelVersion']) || '<unknown>',
      str(info['containerRuntimeVersion']) || '<unknown>',
    ];
  },
);

function nodeStatus(spec: Rec, status: Rec): string {
  // The last Ready condition wins, as upstream builds a map keyed by type.
  const ready = recs(status['conditions']).filter((c) => str(c['type']) === 'Ready').at(-1);
  const parts = [ready === undefined ? 'Unknown' : str(ready['status']) === 'True' ? 'Ready' : 'NotReady'];
  if (bool(spec['unschedulable'])) parts.push('SchedulingDisabled');
  return parts.join(',');
}

/** Sorted roles from node-role.kubernetes.io/<role> keys and kubernetes.io/role values. */
export function nodeRoles(labels: Record<string, string>): string[] {
  const roles: string[] = [];
  for (const [k, v] of Object.entries(labels)) {
    if (k.startsWith(ROLE_LABEL_PREFIX)) {
      const role = k.slice(ROLE_LABEL_PREFIX.length);
      if (role !== '') roles.push(role);
    } else if (k === ROLE_LABEL && v !== '') {
      roles.push(v);
    }
  }
  return sortedSet(roles);
}

function nodeAddress(status: Rec, type: string): string {
  const address = recs(status['addresses']).find((a) => str(a['type']) === type);
  return address === undefined ? '<none>' : str(address['address']);
}
