// Workload controller tables: Deployment, ReplicaSet, ReplicationController (core, same shape as
// ReplicaSet), StatefulSet, DaemonSet and ControllerRevision.

import { bool, int, isInt, isRec, recs, rec, str, type Rec } from './access.ts';
import { age, formatLabelSelector, formatLabels, layoutContainers, selectorString, templateContainers } from './format.ts';
import {
  AGE_COLUMN,
  CONTAINERS_COLUMN,
  IMAGES_COLUMN,
  NAME_COLUMN,
  column,
  nameOf,
  printer,
  selectorColumn,
  type TablePrinter,
} from './types.ts';
import { parseApiVersion, type KubeObject } from '../types.ts';

/** spec.replicas as stored; the API defaults an absent value to 1. */
function desiredReplicas(spec: Rec): number {
  return isInt(spec['replicas']) ? int(spec['replicas']) : 1;
}

function wideTemplateCells(spec: Rec): [string, string] {
  return layoutContainers(templateContainers(spec['template']));
}

export const deploymentPrinter: TablePrinter = printer(
  [
    NAME_COLUMN,
    column('Ready', 'string', 'Number of the pod with ready state'),
    column('Up-to-date', 'string', 'Replicas updated to the latest template.'),
    column('Available', 'string', 'Replicas available to serve.'),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    selectorColumn(),
  ],
  (obj, nowMs) => {
    const spec = rec(obj['spec']);
    const status = rec(obj['status']);
    // Deployments print the raw selector string: "" when empty, "<invalid>" when it cannot parse.
    const selector = selectorString(spec['selector']);
    return [
      nameOf(obj),
      `${int(status['readyReplicas'])}/${desiredReplicas(spec)}`,
      int(status['updatedReplicas']),
      int(status['availableReplicas']),
      age(obj, nowMs),
      ...wideTemplateCells(spec),
      selector ?? '<invalid>',
    ];
  },
);

const replicaColumns = [
  NAME_COLUMN,
  column('Desired', 'integer', 'Number of desired replicas.'),
  column('Current', 'integer', 'Number of replicas created.'),
  column('Ready', 'integer', 'Number of ready replicas.'),
  AGE_COLUMN,
  CONTAINERS_COLUMN,
  IMAGES_COLUMN,
  selectorColumn(),
];

function replicaCells(obj: KubeObject, nowMs: number, selector: string): unknown[] {
  const spec = rec(obj['spec']);
  const status = rec(obj['status']);
  return [
    nameOf(obj),
    desiredReplicas(spec),
    int(status['replicas']),
    int(status['readyReplicas']),
    age(obj, nowMs),
    ...wideTemplateCells(spec),
    selector,
  ];
}

export const replicaSetPrinter: TablePrinter = printer(replicaColumns, (obj, nowMs) =>
  replicaCells(obj, nowMs, formatLabelSelector(rec(obj['spec'])['selector'])),
);

/** ReplicationControllers select with a plain label map. */
export const replicationControllerPrinter: TablePrinter = printer(replicaColumns, (obj, nowMs) =>
  replicaCells(obj, nowMs, formatLabels(rec(obj['spec'])['selector'])),
);

export const statefulSetPrinter: TablePrinter = printer(
  [NAME_COLUMN, column('Ready', 'string', 'Number of the pod with ready state'), AGE_COLUMN, CONTAINERS_COLUMN, IMAGES_COLUMN],
  (obj, nowMs) => {
    const spec = rec(obj['spec']);
    return [
      nameOf(obj),
      `${int(rec(obj['status'])['readyReplicas'])}/${desiredReplicas(spec)}`,
      age(obj, nowMs),
      ...wideTemplateCells(spec),
    ];
  },
);

export const daemonSetPrinter: TablePrinter = printer(
  [
    NAME_COLUMN,
    column('Desired', 'integer', 'Nodes that should run the daemon pod.'),
    column('Current', 'integer', 'Nodes running at least one daemon pod.'),
    column('Ready', 'integer', 'Nodes with a ready daemon pod.'),
    column('Up-to-date', 'integer', 'Nodes running the updated daemon pod.'),
    column('Available', 'integer', 'Nodes with an available daemon pod.'),
    column('Node Selector', 'string', 'Node labels the daemon pods must match.'),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    selectorColumn(),
  ],
  (obj, nowMs) => {
    const spec = rec(obj['spec']);
    const status = rec(obj['status']);
    return [
      nameOf(obj),
      int(status['desiredNumberScheduled']),
      int(status['currentNumberScheduled']),
      int(status['numberReady']),
      int(status['updatedNumberScheduled']),
      int(status['numberAvailable']),
      formatLabels(rec(rec(spec['template'])['spec'])['nodeSelector']),
      age(obj, nowMs),
      ...wideTemplateCells(spec),
      formatLabelSelector(spec['selector']),
    ];
  },
);

export const controllerRevisionPrinter: TablePrinter = printer(
  [
    NAME_COLUMN,
    column('Controller', 'string', 'Controller of the object'),
    column('Revision', 'string', 'Revision number of the state this object holds.'),
    AGE_COLUMN,
  ],
  (obj, nowMs) => [nameOf(obj), controllerName(obj), int(obj['revision']), age(obj, nowMs)],
);

/** "statefulset.apps/web" for the controlling owner, "<none>" without one. */
function controllerName(obj: KubeObject): string {
  const owner = recs(rec(obj.metadata)['ownerReferences']).find((ref) => bool(ref['controller']));
  if (!isRec(owner)) return '<none>';
  const { group } = parseApiVersion(str(owner['apiVersion']));
  const kind = str(owner['kind']);
  const groupKind = group === '' ? kind : `${kind}.${group}`;
  return groupKind === '' ? str(owner['name']) : `${groupKind.toLowerCase()}/${str(owner['name'])}`;
}
