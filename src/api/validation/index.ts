// Upstream validation for every built-in kind, dispatched by group and kind: metadata (with the
// kind's name rule and scope), the kind's own rules, and on update the immutability rules. Kinds
// this table does not know (custom resources) get metadata checks only.

import { validateCertificateSigningRequest, validateCertificateSigningRequestUpdate } from './certificates.ts';
import type { FieldError } from '../../machinery/index.ts';
import {
  nameIsDNS1035Label,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
  nameIsPathSegment,
  validateObjectMeta,
  validateObjectMetaUpdate,
  type NameValidator,
} from '../../machinery/index.ts';
import { BUILTIN_RESOURCES } from '../resources.ts';
import type { GroupVersionKind, KubeObject } from '../types.ts';
import { validateHorizontalPodAutoscalerV1, validateHorizontalPodAutoscalerV2, validatePodDisruptionBudget } from './autoscaling.ts';
import { validateCronJob, validateCronJobCreate, validateJob, validateJobUpdate } from './batch.ts';
import {
  validateCoreEvent,
  validateEventsV1Event,
  validateLease,
  validateNamespace,
  validateNode,
  validateNodeUpdate,
  validatePriorityClass,
  validatePriorityClassUpdate,
} from './cluster.ts';
import { validateConfigMap, validateConfigMapUpdate, validateSecret, validateSecretUpdate } from './config.ts';
import { validateEndpointSlice, validateEndpointSliceUpdate, validateEndpoints } from './endpoints.ts';
import type { Errs, Rec } from './fields.ts';
import { validateIngress, validateIngressClass, validateIngressClassUpdate, validateNetworkPolicy } from './networking.ts';
import { validateBinding, validatePodCommon, validatePodCreate, validatePodTemplate, validatePodUpdate } from './pod.ts';
import { validateLimitRange, validateResourceQuota, validateResourceQuotaUpdate } from './quota.ts';
import { validateBindingUpdate, validateClusterRole, validateClusterRoleBinding, validateRole, validateRoleBinding } from './rbac.ts';
import { validateService, validateServiceUpdate } from './service.ts';
import {
  validatePersistentVolume,
  validatePersistentVolumeClaim,
  validatePersistentVolumeClaimUpdate,
  validatePersistentVolumeUpdate,
  validateStorageClass,
  validateStorageClassUpdate,
} from './storage.ts';
import {
  validateControllerRevision,
  validateControllerRevisionUpdate,
  validateDaemonSet,
  validateDeployment,
  validateReplicaSet,
  validateReplicationController,
  validateSelectorImmutable,
  validateStatefulSet,
  validateStatefulSetUpdate,
} from './workloads.ts';

interface KindRules {
  /** The name rule for metadata.name (and generateName). */
  name: NameValidator;
  /** Rules checked on create and on update. */
  validate?: (obj: Rec, version: string) => Errs;
  /** Rules checked only on create. */
  create?: (obj: Rec, version: string) => Errs;
  /** Rules comparing an update with the stored object (immutability). */
  update?: (obj: Rec, old: Rec, version: string) => Errs;
}

const subdomain = nameIsDNSSubdomain;

const KINDS: ReadonlyMap<string, KindRules> = new Map<string, KindRules>([
  ['/Namespace', { name: nameIsDNSLabel, validate: validateNamespace }],
  ['/Pod', { name: subdomain, validate: validatePodCommon, create: validatePodCreate, update: validatePodUpdate }],
  ['/Binding', { name: subdomain, validate: validateBinding }],
  ['/Service', { name: nameIsDNS1035Label, validate: validateService, update: validateServiceUpdate }],
  ['/Endpoints', { name: subdomain, validate: validateEndpoints }],
  ['/ConfigMap', { name: subdomain, validate: validateConfigMap, update: validateConfigMapUpdate }],
  ['/Secret', { name: subdomain, validate: validateSecret, update: validateSecretUpdate }],
  ['/ServiceAccount', { name: subdomain }],
  ['/Node', { name: subdomain, validate: validateNode, update: validateNodeUpdate }],
  ['/Event', { name: subdomain, validate: validateCoreEvent }],
  ['/PersistentVolume', { name: subdomain, validate: validatePersistentVolume, update: validatePersistentVolumeUpdate }],
  ['/PersistentVolumeClaim', { name: subdomain, validate: validatePersistentVolumeClaim, update: validatePersistentVolumeClaimUpdate }],
  ['/ResourceQuota', { name: subdomain, validate: validateResourceQuota, update: validateResourceQuotaUpdate }],
  ['/LimitRange', { name: subdomain, validate: validateLimitRange }],
  ['/PodTemplate', { name: subdomain, validate: validatePodTemplate }],
  ['/ReplicationController', { name: subdomain, validate: validateReplicationController }],
  ['apps/Deployment', { name: subdomain, validate: validateDeployment, update: validateSelectorImmutable }],
  ['apps/ReplicaSet', { name: subdomain, validate: validateReplicaSet, update: validateSelectorImmutable }],
  ['apps/StatefulSet', { name: nameIsDNSLabel, validate: validateStatefulSet, update: validateStatefulSetUpdate }],
  ['apps/DaemonSet', { name: subdomain, validate: validateDaemonSet, update: validateSelectorImmutable }],
  ['apps/ControllerRevision', { name: subdomain, validate: validateControllerRevision, update: validateControllerRevisionUpdate }],
  ['batch/Job', { name: subdomain, validate: validateJob, update: validateJobUpdate }],
  ['batch/CronJob', { name: subdomain, validate: validateCronJob, create: validateCronJobCreate }],
  ['certificates.k8s.io/CertificateSigningRequest', { name: subdomain, validate: validateCertificateSigningRequest, update: validateCertificateSigningRequestUpdate }],
  ['coordination.k8s.io/Lease', { name: subdomain, validate: validateLease }],
  ['discovery.k8s.io/EndpointSlice', { name: subdomain, validate: validateEndpointSlice, update: validateEndpointSliceUpdate }],
  ['events.k8s.io/Event', { name: subdomain, validate: validateEventsV1Event }],
  ['networking.k8s.io/NetworkPolicy', { name: subdomain, validate: validateNetworkPolicy }],
  ['networking.k8s.io/Ingress', { name: subdomain, validate: validateIngress }],
  ['networking.k8s.io/IngressClass', { name: subdomain, validate: validateIngressClass, update: validateIngressClassUpdate }],
  [
    'autoscaling/HorizontalPodAutoscaler',
    { name: subdomain, validate: (o, v) => (v === 'v1' ? validateHorizontalPodAutoscalerV1(o) : validateHorizontalPodAutoscalerV2(o)) },
  ],
  ['policy/PodDisruptionBudget', { name: subdomain, validate: validatePodDisruptionBudget }],
  ['rbac.authorization.k8s.io/Role', { name: nameIsPathSegment, validate: validateRole }],
  ['rbac.authorization.k8s.io/ClusterRole', { name: nameIsPathSegment, validate: validateClusterRole }],
  ['rbac.authorization.k8s.io/RoleBinding', { name: nameIsPathSegment, validate: validateRoleBinding, update: validateBindingUpdate }],
  ['rbac.authorization.k8s.io/ClusterRoleBinding', { name: nameIsPathSegment, validate: validateClusterRoleBinding, update: validateBindingUpdate }],
  ['scheduling.k8s.io/PriorityClass', { name: subdomain, validate: validatePriorityClass, update: validatePriorityClassUpdate }],
  ['storage.k8s.io/StorageClass', { name: subdomain, validate: validateStorageClass, update: validateStorageClassUpdate }],
]);

const NAMESPACED = new Map(BUILTIN_RESOURCES.map((r) => [`${r.group}/${r.kind}`, r.namespaced]));

export interface ValidationOptions {
  /**
   * Whether the kind is namespaced. Built-in kinds know; for others (custom resources) pass the
   * scope from the CRD. When neither is known, the object's own namespace field decides.
   */
  namespaced?: boolean;
}

function rulesFor(gvk: GroupVersionKind): KindRules {
  return KINDS.get(`${gvk.group}/${gvk.kind}`) ?? { name: subdomain };
}

function isNamespaced(gvk: GroupVersionKind, obj: KubeObject, opts: ValidationOptions): boolean {
  return opts.namespaced ?? NAMESPACED.get(`${gvk.group}/${gvk.kind}`) ?? (typeof obj.metadata?.namespace === 'string' && obj.metadata.namespace !== '');
}

/** Validates an object about to be created. An empty list means it is valid. */
export function validateCreate(gvk: GroupVersionKind, obj: KubeObject, opts: ValidationOptions = {}): FieldError[] {
  const rules = rulesFor(gvk);
  const errs = validateObjectMeta(obj.metadata, { namespaced: isNamespaced(gvk, obj, opts), nameValidator: rules.name });
  if (rules.validate) errs.push(...rules.validate(obj, gvk.version));
  if (rules.create) errs.push(...rules.create(obj, gvk.version));
  return errs;
}

/**
 * Validates an update against the stored object: the rules every object must meet plus what may
 * not change. Identity (name, namespace, uid, creationTimestamp) is the registry's to protect.
 */
export function validateUpdate(gvk: GroupVersionKind, obj: KubeObject, old: KubeObject): FieldError[] {
  const rules = rulesFor(gvk);
  const errs = validateObjectMetaUpdate(obj.metadata, old.metadata);
  if (rules.validate) errs.push(...rules.validate(obj, gvk.version));
  if (rules.update) errs.push(...rules.update(obj, old, gvk.version));
  return errs;
}

/** Whether kind-specific rules exist (otherwise only metadata is checked). */
export function hasValidation(gvk: Pick<GroupVersionKind, 'group' | 'kind'>): boolean {
  return KINDS.has(`${gvk.group}/${gvk.kind}`);
}

export { POD_UPDATE_FORBIDDEN_MSG } from './pod.ts';
export { validatePodSpec, validatePodTemplateSpec, type PodSpecOptions } from './pod-spec.ts';
