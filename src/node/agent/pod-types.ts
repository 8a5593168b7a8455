// The slice of the core/v1 Pod the agent's pod worker reads, typed (the API layer types pods
// loosely), plus the labels and annotations the worker puts on sandboxes and containers so that a
// restarted agent can find and re-adopt them, as the kubelet does with io.kubernetes.* labels.

import { createHash } from 'node:crypto';
import type { KubeObject } from '../../api/types.ts';

export interface ExecAction {
  command?: string[];
}

export interface HTTPHeader {
  name: string;
  value: string;
}

export interface HTTPGetAction {
  path?: string;
  port: number | string;
  host?: string;
  scheme?: string;
  httpHeaders?: HTTPHeader[];
}

export interface TCPSocketAction {
  port: number | string;
  host?: string;
}

export interface GRPCAction {
  port: number;
  service?: string;
}

export interface ProbeHandler {
  exec?: ExecAction;
  httpGet?: HTTPGetAction;
  tcpSocket?: TCPSocketAction;
  grpc?: GRPCAction;
}

export interface Probe extends ProbeHandler {
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
  terminationGracePeriodSeconds?: number;
}

export interface LifecycleHandler {
  exec?: ExecAction;
  httpGet?: HTTPGetAction;
  tcpSocket?: TCPSocketAction;
  sleep?: { seconds: number };
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

export interface KeySelector {
  name?: string;
  key: string;
  optional?: boolean;
}

export interface ResourceFieldSelector {
  containerName?: string;
  resource: string;
  divisor?: string | number;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { fieldPath: string; apiVersion?: string };
    resourceFieldRef?: ResourceFieldSelector;
    configMapKeyRef?: KeySelector;
    secretKeyRef?: KeySelector;
  };
}

export interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name?: string; optional?: boolean };
  secretRef?: { name?: string; optional?: boolean };
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
  subPath?: string;
  subPathExpr?: string;
  mountPropagation?: 'None' | 'HostToContainer' | 'Bidirectional';
}

export interface ContainerSpec {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  envFrom?: EnvFromSource[];
  volumeMounts?: VolumeMount[];
  workingDir?: string;
  ports?: ContainerPort[];
  /** Keep stdin open for `kubectl attach`; stdinOnce closes it after the first attach; tty allocates a terminal. */
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
  /** Only on init containers: Always makes it a sidecar. */
  restartPolicy?: string;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { postStart?: LifecycleHandler; preStop?: LifecycleHandler };
  terminationMessagePath?: string;
  terminationMessagePolicy?: 'File' | 'FallbackToLogsOnError';
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
}

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

export interface PodSpec {
  containers: ContainerSpec[];
  initContainers?: ContainerSpec[];
  restartPolicy?: RestartPolicy;
  terminationGracePeriodSeconds?: number;
  /** Seconds the pod may be active on its node before the agent kills it (DeadlineExceeded). */
  activeDeadlineSeconds?: number;
  hostNetwork?: boolean;
  hostname?: string;
  nodeName?: string;
  readinessGates?: { conditionType: string }[];
  serviceAccountName?: string;
  /** core/v1 Volume objects; src/node/volumes types them. */
  volumes?: { name: string }[];
}

export interface AgentPod extends KubeObject {
  spec: PodSpec;
  status?: Record<string, unknown>;
}

export const LABEL_POD_UID = 'io.kubernetes.pod.uid';
export const LABEL_POD_NAME = 'io.kubernetes.pod.name';
export const LABEL_POD_NAMESPACE = 'io.kubernetes.pod.namespace';
export const LABEL_CONTAINER_NAME = 'io.kubernetes.container.name';
export const ANNOTATION_CONTAINER_HASH = 'io.kubernetes.container.hash';
export const ANNOTATION_RESTART_COUNT = 'io.kubernetes.container.restartCount';
export const ANNOTATION_TERMINATION_MESSAGE_PATH = 'io.kubernetes.container.terminationMessagePath';
export const ANNOTATION_TERMINATION_MESSAGE_POLICY = 'io.kubernetes.container.terminationMessagePolicy';
export const ANNOTATION_GRACE_PERIOD = 'io.kubernetes.pod.terminationGracePeriod';

export const restartPolicyOf = (pod: AgentPod): RestartPolicy => pod.spec.restartPolicy ?? 'Always';
export const isSidecar = (c: ContainerSpec): boolean => c.restartPolicy === 'Always';
export const initContainersOf = (pod: AgentPod): ContainerSpec[] => pod.spec.initContainers ?? [];
export const podUid = (pod: AgentPod): string => pod.metadata.uid ?? '';
export const podFullName = (pod: AgentPod): string => `${pod.metadata.name ?? ''}_${pod.metadata.namespace ?? ''}(${podUid(pod)})`;

/** Seconds of grace the pod's containers get when it is deleted. */
export function gracePeriodSeconds(pod: AgentPod): number {
  return pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
}

/**
 * The hash of the parts of a container spec whose change means the running container must be
 * replaced (upstream hashes the spec the same way and stores it as a container annotation).
 * Probes, lifecycle hooks and resources are left out: they change without a restart.
 */
export function containerHash(c: ContainerSpec): string {
  const { name, image, command, args, env, envFrom, volumeMounts, workingDir, ports } = c;
  const json = JSON.stringify({ name, image, command, args, env, envFrom, volumeMounts, workingDir, ports });
  return createHash('sha256').update(json).digest('hex').slice(0, 8);
}
