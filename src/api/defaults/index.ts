// Upstream defaulting for every built-in kind, dispatched by group and kind. applyDefaults runs on
// every create and update and is idempotent; the prepare* functions are the registry-side steps that
// are not defaults (they need the uid, the previous object, or must only run on create).

import type { GroupVersionKind, KubeObject } from '../types.ts';
import {
  defaultEndpoints,
  defaultLimitRange,
  defaultNamespace,
  defaultNode,
  defaultPersistentVolume,
  defaultPersistentVolumeClaim,
  defaultResourceQuota,
  defaultSecret,
  defaultService,
} from './core.ts';
import type { Rec } from './fields.ts';
import {
  defaultEndpointSlice,
  defaultHorizontalPodAutoscalerV1,
  defaultHorizontalPodAutoscalerV2,
  defaultNetworkPolicy,
  defaultPriorityClass,
  defaultRoleBinding,
  defaultStorageClass,
} from './groups.ts';
import { defaultPod } from './pod.ts';
import {
  defaultCronJob,
  defaultDaemonSet,
  defaultDeployment,
  defaultJob,
  defaultPodTemplateObject,
  defaultReplicaSet,
  defaultReplicationController,
  defaultStatefulSet,
} from './workloads.ts';

type Defaulter = (obj: Rec, version: string) => void;

const DEFAULTERS: ReadonlyMap<string, Defaulter> = new Map<string, Defaulter>([
  ['/Pod', defaultPod],
  ['/PodTemplate', defaultPodTemplateObject],
  ['/ReplicationController', defaultReplicationController],
  ['/Service', defaultService],
  ['/Endpoints', defaultEndpoints],
  ['/Namespace', defaultNamespace],
  ['/Secret', defaultSecret],
  ['/PersistentVolumeClaim', defaultPersistentVolumeClaim],
  ['/PersistentVolume', defaultPersistentVolume],
  ['/Node', defaultNode],
  ['/LimitRange', defaultLimitRange],
  ['/ResourceQuota', defaultResourceQuota],
  ['apps/Deployment', defaultDeployment],
  ['apps/ReplicaSet', defaultReplicaSet],
  ['apps/StatefulSet', defaultStatefulSet],
  ['apps/DaemonSet', defaultDaemonSet],
  ['batch/Job', defaultJob],
  ['batch/CronJob', defaultCronJob],
  ['networking.k8s.io/NetworkPolicy', defaultNetworkPolicy],
  ['rbac.authorization.k8s.io/RoleBinding', defaultRoleBinding],
  ['rbac.authorization.k8s.io/ClusterRoleBinding', defaultRoleBinding],
  ['scheduling.k8s.io/PriorityClass', defaultPriorityClass],
  ['storage.k8s.io/StorageClass', defaultStorageClass],
  ['discovery.k8s.io/EndpointSlice', defaultEndpointSlice],
  ['autoscaling/HorizontalPodAutoscaler', (obj, version) => (version === 'v1' ? defaultHorizontalPodAutoscalerV1(obj) : defaultHorizontalPodAutoscalerV2(obj))],
]);

/** Applies upstream defaults for the kind in place. Kinds without defaults are left untouched. */
export function applyDefaults(gvk: GroupVersionKind, obj: KubeObject): void {
  DEFAULTERS.get(`${gvk.group}/${gvk.kind}`)?.(obj, gvk.version);
}

/** Whether applyDefaults does anything for the kind. */
export function hasDefaults(gvk: Pick<GroupVersionKind, 'group' | 'kind'>): boolean {
  return DEFAULTERS.has(`${gvk.group}/${gvk.kind}`);
}

export { prepareNamespaceForCreate, prepareServiceForUpdate, METADATA_NAME_LABEL } from './core.ts';
export {
  prepareJobSelector,
  JOB_CONTROLLER_UID_LABEL,
  JOB_NAME_LABEL,
  LEGACY_JOB_CONTROLLER_UID_LABEL,
  LEGACY_JOB_NAME_LABEL,
} from './workloads.ts';
export { imageTag, DEFAULT_VOLUME_FILE_MODE } from './pod.ts';
