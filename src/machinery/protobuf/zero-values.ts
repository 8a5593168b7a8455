// Which decoded zero values (0, "", false) belong in the JSON form.
//
// Go's marshallers write every non-pointer scalar field, zero or not, and a pointer field only when
// it is set. Go's JSON drops the zeros of `omitempty` fields, which is nearly all of them. The wire
// cannot tell a zero non-pointer field from a pointer set to zero, and the fact table does not say
// which fields are pointers, so zeros are dropped except for the fields listed here: pointers whose
// zero means something other than "unset" (replicas: 0, gracePeriodSeconds: 0,
// automountServiceAccountToken: false, storageClassName: "") and fields JSON writes without
// omitempty (SubjectAccessReviewStatus.allowed). Keys are "<message short name>.<json name>":
// the same type names recur across API versions with the same Go shape.

const FIELDS: Readonly<Record<string, readonly string[]>> = {
  // meta
  ObjectMeta: ['deletionGracePeriodSeconds'],
  OwnerReference: ['controller', 'blockOwnerDeletion'],
  ListMeta: ['remainingItemCount'],
  DeleteOptions: ['gracePeriodSeconds', 'orphanDependents', 'propagationPolicy', 'ignoreStoreReadErrorWithClusterBreakingPotential'],
  Preconditions: ['uid', 'resourceVersion'],
  ListOptions: ['sendInitialEvents', 'timeoutSeconds'],
  PatchOptions: ['force'],
  Condition: ['status', 'reason', 'message'],
  APIResource: ['namespaced', 'singularName'],
  // core
  PodSpec: [
    'terminationGracePeriodSeconds', 'activeDeadlineSeconds', 'automountServiceAccountToken', 'shareProcessNamespace',
    'enableServiceLinks', 'setHostnameAsFQDN', 'hostUsers', 'priority', 'runtimeClassName', 'preemptionPolicy', 'hostnameOverride',
  ],
  PodSecurityContext: ['runAsUser', 'runAsGroup', 'fsGroup', 'runAsNonRoot', 'fsGroupChangePolicy', 'supplementalGroupsPolicy', 'seLinuxChangePolicy'],
  SecurityContext: ['runAsUser', 'runAsGroup', 'runAsNonRoot', 'privileged', 'readOnlyRootFilesystem', 'allowPrivilegeEscalation', 'procMount'],
  WindowsSecurityContextOptions: ['gmsaCredentialSpecName', 'gmsaCredentialSpec', 'runAsUserName', 'hostProcess'],
  Container: ['restartPolicy'],
  EphemeralContainerCommon: ['restartPolicy'],
  Probe: ['terminationGracePeriodSeconds'],
  GRPCAction: ['service'],
  SleepAction: ['seconds'],
  ContainerStatus: ['ready', 'restartCount', 'started'],
  ContainerStateTerminated: ['exitCode'],
  ConfigMapKeySelector: ['optional'],
  SecretKeySelector: ['optional'],
  FileKeySelector: ['optional'],
  ConfigMapEnvSource: ['optional'],
  SecretEnvSource: ['optional'],
  ConfigMapVolumeSource: ['defaultMode', 'optional'],
  SecretVolumeSource: ['defaultMode', 'optional'],
  ProjectedVolumeSource: ['defaultMode'],
  DownwardAPIVolumeSource: ['defaultMode'],
  KeyToPath: ['mode'],
  DownwardAPIVolumeFile: ['mode'],
  ConfigMapProjection: ['optional'],
  SecretProjection: ['optional'],
  ServiceAccountTokenProjection: ['expirationSeconds'],
  ClusterTrustBundleProjection: ['name', 'signerName', 'optional'],
  CSIVolumeSource: ['readOnly', 'fsType'],
  HostPathVolumeSource: ['type'],
  AzureDiskVolumeSource: ['cachingMode', 'fsType', 'readOnly', 'kind'],
  ISCSIVolumeSource: ['initiatorName'],
  ISCSIPersistentVolumeSource: ['initiatorName'],
  PersistentVolumeClaimSpec: ['storageClassName', 'volumeMode', 'volumeAttributesClassName'],
  PersistentVolumeSpec: ['volumeMode', 'volumeAttributesClassName'],
  TypedLocalObjectReference: ['apiGroup'],
  TypedObjectReference: ['apiGroup', 'namespace'],
  VolumeMount: ['mountPropagation', 'recursiveReadOnly'],
  ServiceSpec: ['allocateLoadBalancerNodePorts', 'loadBalancerClass', 'internalTrafficPolicy', 'ipFamilyPolicy', 'trafficDistribution'],
  ServicePort: ['appProtocol'],
  EndpointPort: ['appProtocol', 'name', 'protocol', 'port'],
  ClientIPConfig: ['timeoutSeconds'],
  LoadBalancerIngress: ['ipMode'],
  ReplicationControllerSpec: ['replicas'],
  ServiceAccount: ['automountServiceAccountToken'],
  Secret: ['immutable'],
  ConfigMap: ['immutable'],
  TopologySpreadConstraint: ['minDomains', 'nodeAffinityPolicy', 'nodeTaintsPolicy'],
  Toleration: ['tolerationSeconds'],
  PodDNSConfigOption: ['value'],
  // apps
  DeploymentSpec: ['replicas', 'revisionHistoryLimit', 'progressDeadlineSeconds'],
  StatefulSetSpec: ['replicas', 'revisionHistoryLimit'],
  ReplicaSetSpec: ['replicas'],
  DaemonSetSpec: ['revisionHistoryLimit'],
  RollingUpdateStatefulSetStrategy: ['partition'],
  DeploymentStatus: ['collisionCount', 'terminatingReplicas'],
  ReplicaSetStatus: ['terminatingReplicas'],
  DaemonSetStatus: ['collisionCount'],
  StatefulSetStatus: ['collisionCount'],
  ControllerRevision: ['revision'],
  // batch
  JobSpec: [
    'parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'backoffLimitPerIndex', 'maxFailedIndexes',
    'ttlSecondsAfterFinished', 'manualSelector', 'suspend', 'completionMode', 'podReplacementPolicy', 'managedBy',
  ],
  JobStatus: ['ready', 'terminating', 'failedIndexes'],
  CronJobSpec: ['startingDeadlineSeconds', 'suspend', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit', 'timeZone'],
  PodFailurePolicyOnExitCodesRequirement: ['containerName'],
  SuccessPolicyRule: ['succeededIndexes', 'succeededCount'],
  // autoscaling
  HorizontalPodAutoscalerSpec: ['minReplicas', 'targetCPUUtilizationPercentage'],
  HorizontalPodAutoscalerStatus: ['observedGeneration', 'currentCPUUtilizationPercentage'],
  HPAScalingRules: ['stabilizationWindowSeconds', 'selectPolicy'],
  MetricTarget: ['averageUtilization'],
  ScaleStatus: ['replicas'],
  // policy
  PodDisruptionBudgetSpec: ['unhealthyPodEvictionPolicy'],
  PodDisruptionBudgetStatus: ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods'],
  // networking
  NetworkPolicyPort: ['protocol', 'endPort'],
  IngressSpec: ['ingressClassName'],
  HTTPIngressPath: ['pathType'],
  IngressClassParametersReference: ['apiGroup', 'scope', 'namespace'],
  // discovery
  Endpoint: ['hostname', 'nodeName', 'zone'],
  EndpointConditions: ['ready', 'serving', 'terminating'],
  // authentication, authorization
  TokenRequestSpec: ['expirationSeconds'],
  SubjectAccessReviewStatus: ['allowed'],
  SubjectRulesReviewStatus: ['incomplete'],
  // coordination
  LeaseSpec: ['holderIdentity', 'leaseDurationSeconds', 'leaseTransitions', 'strategy', 'preferredHolder'],
  // storage
  StorageClass: ['reclaimPolicy', 'volumeBindingMode', 'allowVolumeExpansion'],
  CSIDriverSpec: ['attachRequired', 'podInfoOnMount', 'storageCapacity', 'requiresRepublish', 'seLinuxMount', 'fsGroupPolicy', 'nodeAllocatableUpdatePeriodSeconds'],
  VolumeAttachmentSource: ['persistentVolumeName'],
  VolumeNodeResources: ['count'],
  // scheduling
  PriorityClass: ['value', 'preemptionPolicy'],
  // admissionregistration
  ValidatingWebhook: ['failurePolicy', 'sideEffects', 'matchPolicy', 'timeoutSeconds'],
  MutatingWebhook: ['failurePolicy', 'sideEffects', 'matchPolicy', 'timeoutSeconds', 'reinvocationPolicy'],
  WebhookClientConfig: ['url'],
  ServiceReference: ['path', 'port'],
  Rule: ['scope'],
  ValidatingAdmissionPolicySpec: ['failurePolicy'],
  // certificates
  CertificateSigningRequestSpec: ['expirationSeconds'],
};

const KEEP = new Set(Object.entries(FIELDS).flatMap(([message, fields]) => fields.map((f) => `${message}.${f}`)));

/** True when a present zero value of this field must appear in the JSON form. */
export function keepsZero(messageShortName: string, jsonName: string): boolean {
  return KEEP.has(`${messageShortName}.${jsonName}`);
}
