// What a container's config needs from outside the pod object, resolved just before the
// container is created: its environment (ConfigMaps, Secrets, downward API, resources, `$(VAR)`
// expansion, Service env vars), command and args expanded with it, and its mounts: each volumeMount's volume (as the
// volume manager set it up) with subPath/subPathExpr, readOnly and propagation, plus a host file
// at terminationMessagePath so the agent can read the message the container leaves there.

import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyValue, Mount } from '../runtime/cri.ts';
import type { VolumeManager } from '../volumes/index.ts';
import { ContainerConfigError, expandCommand, resolveEnv } from './container-env.ts';
import type { PodRuntimeFacts } from './downward-values.ts';
import { expand } from './env-expansion.ts';
import type { ObjectSource } from './object-source.ts';
import type { PodEventRecorder } from './pod-containers.ts';
import { podServiceEnv, type ServiceLister } from './service-env.ts';
import { podUid, type AgentPod, type ContainerSpec, type VolumeMount } from './pod-types.ts';

export interface ContainerExtras {
  envs: KeyValue[];
  command?: string[];
  args?: string[];
  mounts: Mount[];
}

export interface ContainerResolverOptions {
  objects?: ObjectSource;
  volumes?: VolumeManager;
  /** The node's allocatable (limits a container leaves unset, for resourceFieldRef). */
  allocatable?: () => Readonly<Record<string, unknown>>;
  /** Mount a host file at each container's terminationMessagePath (the runtime can mount). */
  terminationLogs?: boolean;
  recorder?: PodEventRecorder;
  /** Services for the docker-link style env vars (none without it). */
  services?: ServiceLister;
}

const PROPAGATION = { None: 'PROPAGATION_PRIVATE', HostToContainer: 'PROPAGATION_HOST_TO_CONTAINER', Bidirectional: 'PROPAGATION_BIDIRECTIONAL' } as const;

export class ContainerResolver {
  readonly #opts: ContainerResolverOptions;

  constructor(opts: ContainerResolverOptions) {
    this.#opts = opts;
  }

  /** Throws ContainerConfigError when the container cannot be configured. */
  async resolve(pod: AgentPod, spec: ContainerSpec, attempt: number, facts: PodRuntimeFacts): Promise<ContainerExtras> {
    const envs = await resolveEnv(pod, spec, facts, {
      ...(this.#opts.services ? { services: await this.#serviceEnv(pod) } : {}),
      ...(this.#opts.objects ? { objects: this.#opts.objects } : {}),
      allocatable: this.#opts.allocatable?.() ?? {},
      warn: (reason, message) => this.#opts.recorder?.event(pod, 'Warning', reason, message),
    });
    const { volumes } = this.#opts;
    // Without a volume manager (simulated nodes) the agent has no volumes to mount.
    const mounts = volumes ? (spec.volumeMounts ?? []).map((vm) => this.#mount(pod, spec, vm, envs)) : [];
    if (this.#opts.terminationLogs && volumes) {
      const containerPath = spec.terminationMessagePath || '/dev/termination-log';
      // A volume mounted at that path already gives the container its file.
      if (!mounts.some((m) => m.containerPath === containerPath)) {
        mounts.push({ containerPath, hostPath: volumes.terminationLogPath(podUid(pod), spec.name, attempt, true), readonly: false });
      }
    }
    return { envs, ...expandCommand(spec, envs), mounts };
  }

  async #serviceEnv(pod: AgentPod): Promise<Map<string, string>> {
    const links = (pod.spec as { enableServiceLinks?: boolean }).enableServiceLinks !== false;
    try {
      return await podServiceEnv(this.#opts.services!, pod.metadata.namespace ?? 'default', links);
    } catch (err) {
      throw new ContainerConfigError(`failed to list services for the env of pod ${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  #mount(pod: AgentPod, spec: ContainerSpec, vm: VolumeMount, envs: readonly KeyValue[]): Mount {
    const volume = this.#opts.volumes?.mounted(podUid(pod)).get(vm.name);
    if (!volume) throw new ContainerConfigError(`cannot find volume "${vm.name}" to mount into container "${spec.name}"`);
    let subPath = vm.subPath ?? '';
    if (vm.subPathExpr) {
      const env = new Map(envs.map((e) => [e.key, e.value]));
      subPath = expand(vm.subPathExpr, (n) => env.get(n));
    }
    let hostPath = volume.hostPath;
    if (subPath) {
      if (subPath.startsWith('/') || subPath.split('/').includes('..')) {
        throw new ContainerConfigError(`failed to prepare subPath for volumeMount "${vm.name}" of container "${spec.name}": subpath "${subPath}" must be a relative path without '..'`);
      }
      hostPath = join(volume.hostPath, subPath);
      // As the kubelet: a missing subPath becomes a directory in the volume (read-only volumes excepted).
      if (!existsSync(hostPath) && !volume.readOnly) mkdirSync(hostPath, { recursive: true, mode: 0o750 });
      let real: string;
      try {
        real = realpathSync(hostPath);
      } catch {
        throw new ContainerConfigError(`failed to prepare subPath for volumeMount "${vm.name}" of container "${spec.name}": ${hostPath} does not exist`);
      }
      // A symlink inside the volume must not lead the mount out of it.
      const base = realpathSync(volume.hostPath);
      if (real !== base && !real.startsWith(`${base}/`)) {
        throw new ContainerConfigError(`failed to prepare subPath for volumeMount "${vm.name}" of container "${spec.name}": subpath "${real}" not within volume path "${base}"`);
      }
      hostPath = real;
    }
    return {
      containerPath: vm.mountPath,
      hostPath,
      readonly: vm.readOnly === true || volume.readOnly,
      ...(vm.mountPropagation && vm.mountPropagation !== 'None' ? { propagation: PROPAGATION[vm.mountPropagation] } : {}),
    };
  }
}
