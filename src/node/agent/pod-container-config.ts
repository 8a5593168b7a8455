// The sandbox and container configs the worker hands the runtime for a pod: metadata, the
// io.kubernetes.* labels that let a restarted agent find them again, the annotations upstream
// keeps there (spec hash, restart count, termination message path, grace period), the process
// fields (command, args, env with the pod's downward-API fields resolved, working dir) and the
// cgroup limits from the container's resources, computed as upstream does. What needs the API
// or the node (env from ConfigMaps and Secrets, `$(VAR)` expansion, volume mounts) comes resolved
// from container-resolver.ts as extras.

import { quantityToMilli, quantityValue, tryParseQuantity } from '../../machinery/quantity.ts';
import type { ContainerConfig, LinuxContainerResources, PodSandboxConfig } from '../runtime/cri.ts';
import type { ContainerExtras } from './container-resolver.ts';
import { DownwardApiError, fieldValue } from './downward-values.ts';
import {
  ANNOTATION_CONTAINER_HASH, ANNOTATION_GRACE_PERIOD, ANNOTATION_RESTART_COUNT, ANNOTATION_TERMINATION_MESSAGE_PATH,
  ANNOTATION_TERMINATION_MESSAGE_POLICY, LABEL_CONTAINER_NAME, LABEL_POD_NAME, LABEL_POD_NAMESPACE, LABEL_POD_UID,
  containerHash, podUid, type AgentPod, type ContainerSpec, type EnvVar,
} from './pod-types.ts';

export function podLabels(pod: AgentPod): Record<string, string> {
  return { [LABEL_POD_NAME]: pod.metadata.name ?? '', [LABEL_POD_NAMESPACE]: pod.metadata.namespace ?? '', [LABEL_POD_UID]: podUid(pod) };
}

export function sandboxConfig(pod: AgentPod, attempt: number): PodSandboxConfig {
  return {
    metadata: { name: pod.metadata.name ?? '', namespace: pod.metadata.namespace ?? '', uid: podUid(pod), attempt },
    hostname: pod.spec.hostname ?? pod.metadata.name ?? '',
    hostNetwork: pod.spec.hostNetwork === true,
    labels: { ...(pod.metadata.labels ?? {}), ...podLabels(pod) },
    annotations: { ...(pod.metadata.annotations ?? {}) },
  };
}

/** What the worker knows of the pod's surroundings when it starts a container. */
export interface ContainerEnvironment {
  podIP: string;
  hostIP: string;
}

export function containerConfig(pod: AgentPod, spec: ContainerSpec, attempt: number, env: ContainerEnvironment, extras?: ContainerExtras): ContainerConfig {
  const config: ContainerConfig = {
    metadata: { name: spec.name, attempt },
    image: { image: spec.image ?? '' },
    labels: { ...podLabels(pod), [LABEL_CONTAINER_NAME]: spec.name },
    annotations: {
      [ANNOTATION_CONTAINER_HASH]: containerHash(spec),
      [ANNOTATION_RESTART_COUNT]: String(attempt),
      [ANNOTATION_TERMINATION_MESSAGE_PATH]: spec.terminationMessagePath ?? '/dev/termination-log',
      [ANNOTATION_TERMINATION_MESSAGE_POLICY]: spec.terminationMessagePolicy ?? 'File',
      [ANNOTATION_GRACE_PERIOD]: String(pod.spec.terminationGracePeriodSeconds ?? 30),
    },
    envs: (spec.env ?? []).map((e) => ({ key: e.name, value: envValue(pod, e, env) })),
  };
  if (spec.command) config.command = spec.command;
  if (spec.args) config.args = spec.args;
  if (extras) {
    config.envs = extras.envs;
    if (extras.command) config.command = extras.command;
    if (extras.args) config.args = extras.args;
    if (extras.mounts.length > 0) config.mounts = extras.mounts;
  }
  if (spec.workingDir) config.workingDir = spec.workingDir;
  if (spec.stdin) config.stdin = true;
  if (spec.stdinOnce) config.stdinOnce = true;
  if (spec.tty) config.tty = true;
  const resources = linuxResources(spec);
  if (resources) config.linux = { resources };
  return config;
}

const CPU_PERIOD_US = 100_000;

/** Upstream's cgroup values: shares from the CPU request, CFS quota from the limit, memory limit in bytes. */
export function linuxResources(spec: ContainerSpec): LinuxContainerResources | undefined {
  const requests = spec.resources?.requests ?? {};
  const limits = spec.resources?.limits ?? {};
  const cpuRequest = tryParseQuantity(requests['cpu'] ?? limits['cpu']);
  const cpuLimit = tryParseQuantity(limits['cpu']);
  const memLimit = tryParseQuantity(limits['memory']);
  const out: LinuxContainerResources = {};
  if (cpuRequest) out.cpuShares = Math.max(2, Math.min(262_144, Math.floor(Number(quantityToMilli(cpuRequest)) * 1024 / 1000)));
  if (cpuLimit) {
    out.cpuPeriod = CPU_PERIOD_US;
    out.cpuQuota = Math.max(1000, Math.floor(Number(quantityToMilli(cpuLimit)) * CPU_PERIOD_US / 1000));
  }
  if (memLimit) out.memoryLimitInBytes = Number(quantityValue(memLimit));
  return Object.keys(out).length > 0 ? out : undefined;
}

/** A value, or a downward-API fieldRef (the plain env path when the worker resolved nothing else). */
function envValue(pod: AgentPod, e: EnvVar, env: ContainerEnvironment): string {
  const path = e.valueFrom?.fieldRef?.fieldPath;
  if (path === undefined) return e.value ?? '';
  try {
    return fieldValue(pod, path, env);
  } catch (err) {
    if (err instanceof DownwardApiError) return '';
    throw err;
  }
}
