// Which printer serves which kind, keyed by group and kind (every served version of a kind
// shares one printer, as upstream prints from the internal version).

import { horizontalPodAutoscalerPrinter, scalePrinter } from './autoscaling.ts';
import { certificateSigningRequestPrinter } from './certificates.ts';
import {
  controllerRevisionPrinter,
  daemonSetPrinter,
  deploymentPrinter,
  replicaSetPrinter,
  replicationControllerPrinter,
  statefulSetPrinter,
} from './apps.ts';
import { cronJobPrinter, jobPrinter } from './batch.ts';
import { configMapPrinter, namespacePrinter, resourceQuotaPrinter, secretPrinter, serviceAccountPrinter } from './core-config.ts';
import { nodePrinter } from './core-nodes.ts';
import { podPrinter, podTemplatePrinter } from './core-pods.ts';
import { endpointsPrinter, servicePrinter } from './core-services.ts';
import { defaultPrinter } from './default.ts';
import { eventPrinter } from './events.ts';
import { endpointSlicePrinter, ingressClassPrinter, ingressPrinter, networkPolicyPrinter } from './networking.ts';
import { leasePrinter, podDisruptionBudgetPrinter, priorityClassPrinter } from './policy.ts';
import { clusterRoleBindingPrinter, roleBindingPrinter } from './rbac.ts';
import { persistentVolumeClaimPrinter, persistentVolumePrinter, storageClassPrinter } from './storage.ts';
import type { TablePrinter } from './types.ts';

const RBAC = 'rbac.authorization.k8s.io';

const ENTRIES: readonly [group: string, kind: string, printer: TablePrinter][] = [
  ['', 'Pod', podPrinter],
  ['', 'PodTemplate', podTemplatePrinter],
  ['', 'Node', nodePrinter],
  ['', 'Namespace', namespacePrinter],
  ['', 'Service', servicePrinter],
  ['', 'Endpoints', endpointsPrinter],
  ['', 'ConfigMap', configMapPrinter],
  ['', 'Secret', secretPrinter],
  ['', 'ServiceAccount', serviceAccountPrinter],
  ['', 'ResourceQuota', resourceQuotaPrinter],
  ['', 'Event', eventPrinter],
  ['', 'PersistentVolume', persistentVolumePrinter],
  ['', 'PersistentVolumeClaim', persistentVolumeClaimPrinter],
  ['', 'ReplicationController', replicationControllerPrinter],
  ['apps', 'Deployment', deploymentPrinter],
  ['apps', 'ReplicaSet', replicaSetPrinter],
  ['apps', 'StatefulSet', statefulSetPrinter],
  ['apps', 'DaemonSet', daemonSetPrinter],
  ['apps', 'ControllerRevision', controllerRevisionPrinter],
  ['batch', 'Job', jobPrinter],
  ['batch', 'CronJob', cronJobPrinter],
  ['certificates.k8s.io', 'CertificateSigningRequest', certificateSigningRequestPrinter],
  ['coordination.k8s.io', 'Lease', leasePrinter],
  ['discovery.k8s.io', 'EndpointSlice', endpointSlicePrinter],
  ['events.k8s.io', 'Event', eventPrinter],
  ['networking.k8s.io', 'NetworkPolicy', networkPolicyPrinter],
  ['networking.k8s.io', 'Ingress', ingressPrinter],
  ['networking.k8s.io', 'IngressClass', ingressClassPrinter],
  ['autoscaling', 'HorizontalPodAutoscaler', horizontalPodAutoscalerPrinter],
  ['autoscaling', 'Scale', scalePrinter],
  ['policy', 'PodDisruptionBudget', podDisruptionBudgetPrinter],
  [RBAC, 'RoleBinding', roleBindingPrinter],
  [RBAC, 'ClusterRoleBinding', clusterRoleBindingPrinter],
  ['scheduling.k8s.io', 'PriorityClass', priorityClassPrinter],
  ['storage.k8s.io', 'StorageClass', storageClassPrinter],
];

const PRINTERS: ReadonlyMap<string, TablePrinter> = new Map(ENTRIES.map(([group, kind, p]) => [`${kind}.${group}`, p]));

/** The printer for a kind; kinds without one (Role, LimitRange, unknown kinds) get NAME + CREATED AT. */
export function printerFor(group: string, kind: string): TablePrinter {
  return PRINTERS.get(`${kind}.${group}`) ?? defaultPrinter;
}

/** Whether the kind has a dedicated printer rather than the default table. */
export function hasPrinter(group: string, kind: string): boolean {
  return PRINTERS.has(`${kind}.${group}`);
}
