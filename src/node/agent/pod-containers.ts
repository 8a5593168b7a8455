// Starting and killing one container of a pod, as upstream's kuberuntime does it: a restart
// waits out the crash-loop back-off (and says so in the waiting reason), creation and start
// failures become waiting reasons, postStart runs before the container counts as started and
// its failure kills the container; a kill runs preStop first, then stops the container with
// what is left of the grace period (never less than 2 s, as upstream).

import type { Clock } from '../../client/clock.ts';
import { ImagePullError, type ContainerStatus, type PodSandboxConfig, type RuntimeService } from '../runtime/cri.ts';
import { hookFailureMessage, runHook, type HookRunner } from './lifecycle/hooks.ts';
import { ContainerBackoff, goDuration } from './pod-backoff.ts';
import { ContainerConfigError } from './container-env.ts';
import type { ContainerExtras, ContainerResolver } from './container-resolver.ts';
import { containerConfig } from './pod-container-config.ts';
import { byNewest, latestStatus, type PodRuntimeState } from './pod-sync.ts';
import type { WaitingReason } from './pod-status.ts';
import { containerHash, podFullName, podUid, type AgentPod, type ContainerSpec } from './pod-types.ts';
import type { ExecFn } from './probes/prober.ts';

export type EventType = 'Normal' | 'Warning';

export interface PodEventRecorder {
  event(pod: AgentPod, type: EventType, reason: string, message: string): void;
}

export const MIN_GRACE_SECONDS = 2;
/**
 * A container whose creation or start failed is tried again after this long (upstream's pod
 * worker backOffPeriod), not at every sync: each attempt is a runtime call and a Failed event.
 */
export const START_RETRY_MS = 10_000;

export interface ContainerOpsDeps {
  runtime: RuntimeService;
  clock: Clock;
  backoff: ContainerBackoff;
  hostIP: string;
  recorder?: PodEventRecorder;
  exec?: ExecFn;
  hookRunner?: HookRunner;
  /** Env from the API, `$(VAR)` expansion and volume mounts (without it: the pod's own fields only). */
  resolver?: ContainerResolver;
  /** Longest a postStart hook may run (upstream has no bound; default 2 min). */
  postStartTimeoutMs?: number;
}

export type StartOutcome = { started: true; id: string } | { started: false; retryAt?: number };

export class ContainerOps {
  readonly #deps: ContainerOpsDeps;
  /** Why containers are not running, by name (upstream's reasonCache). */
  readonly reasons = new Map<string, WaitingReason>();
  /** Runtime calls that changed something (a caller's cached relist is stale once it grows). */
  changes = 0;
  /** When a failed create/start may be tried again, by back-off key (a changed spec starts over). */
  readonly #retryAt = new Map<string, number>();

  constructor(deps: ContainerOpsDeps) {
    this.#deps = deps;
  }

  #event(pod: AgentPod, type: EventType, reason: string, message: string): void {
    this.#deps.recorder?.event(pod, type, reason, message);
  }

  backoffKey(pod: AgentPod, spec: ContainerSpec): string {
    return ContainerBackoff.key(podUid(pod), spec.name, containerHash(spec));
  }

  async start(pod: AgentPod, spec: ContainerSpec, state: PodRuntimeState, sandboxId: string, sandbox: PodSandboxConfig, podIP: string): Promise<StartOutcome> {
    const { runtime, clock, backoff } = this.#deps;
    const retryAt = this.#retryAt.get(this.backoffKey(pod, spec));
    if (retryAt !== undefined && clock.now() < retryAt) {
      // As the kubelet: between pull attempts the container waits in ImagePullBackOff.
      if (this.reasons.get(spec.name)?.reason === 'ErrImagePull') {
        this.reasons.set(spec.name, { reason: 'ImagePullBackOff', message: `Back-off pulling image "${spec.image ?? ''}"` });
        this.#event(pod, 'Normal', 'BackOff', `Back-off pulling image "${spec.image ?? ''}"`);
      }
      return { started: false, retryAt };
    }
    const latest = latestStatus(state, spec.name);
    if (latest?.state === 'CONTAINER_EXITED') {
      const key = this.backoffKey(pod, spec);
      const remaining = backoff.remaining(key, latest.finishedAt);
      if (remaining > 0) {
        const message = `back-off ${goDuration(backoff.delay(key))} restarting failed container=${spec.name} pod=${podFullName(pod)}`;
        if (this.reasons.get(spec.name)?.reason !== 'CrashLoopBackOff') {
          this.#event(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${spec.name} in pod ${podFullName(pod)}`);
        }
        this.reasons.set(spec.name, { reason: 'CrashLoopBackOff', message });
        return { started: false, retryAt: clock.now() + remaining };
      }
      backoff.next(key, latest.finishedAt);
    }
    const attempt = latest ? latest.metadata.attempt + 1 : 0;
    this.changes++;
    let extras: ContainerExtras | undefined;
    try {
      extras = await this.#deps.resolver?.resolve(pod, spec, attempt, { podIP, hostIP: this.#deps.hostIP });
    } catch (err) {
      if (err instanceof ContainerConfigError) return this.#failed(pod, spec, err.reason, err);
      throw err;
    }
    let id: string;
    try {
      id = await runtime.createContainer(sandboxId, containerConfig(pod, spec, attempt, { podIP, hostIP: this.#deps.hostIP }, extras), sandbox);
    } catch (err) {
      return this.#failed(pod, spec, err instanceof ImagePullError ? err.reason : 'CreateContainerError', err);
    }
    this.#event(pod, 'Normal', 'Created', `Created container: ${spec.name}`);
    try {
      await runtime.startContainer(id);
    } catch (err) {
      return this.#failed(pod, spec, 'RunContainerError', err);
    }
    this.#event(pod, 'Normal', 'Started', `Started container ${spec.name}`);
    this.reasons.delete(spec.name);
    this.#retryAt.delete(this.backoffKey(pod, spec));
    await this.#removeOld(spec.name, state);
    const postStart = spec.lifecycle?.postStart;
    if (postStart) {
      const r = await runHook(postStart, { podIP, containerId: id, ports: spec.ports ?? [], ...(this.#deps.exec ? { exec: this.#deps.exec } : {}) },
        this.#deps.postStartTimeoutMs ?? 120_000, { clock, ...(this.#deps.hookRunner ? { run: this.#deps.hookRunner } : {}) });
      if (r.result === 'failure') {
        const message = hookFailureMessage('PostStartHook', postStart, r.output);
        this.#event(pod, 'Warning', 'FailedPostStartHook', message);
        const status = await runtime.containerStatus(id);
        await this.kill(pod, spec, status, pod.spec.terminationGracePeriodSeconds ?? 30, `FailedPostStartHook`, { skipPreStop: true });
        this.reasons.set(spec.name, { reason: 'PostStartHookError', message });
        return { started: false };
      }
    }
    return { started: true, id };
  }

  #failed(pod: AgentPod, spec: ContainerSpec, reason: string, err: unknown): StartOutcome {
    const message = err instanceof Error ? err.message : String(err);
    this.#event(pod, 'Warning', 'Failed', `Error: ${message}`);
    this.reasons.set(spec.name, { reason, message });
    const retryAt = this.#deps.clock.now() + START_RETRY_MS;
    this.#retryAt.set(this.backoffKey(pod, spec), retryAt);
    return { started: false, retryAt };
  }

  /** Keeps the new container and the one it replaced (for `logs --previous`); older ones go. */
  async #removeOld(name: string, state: PodRuntimeState): Promise<void> {
    const old = state.containers.filter((c) => c.metadata.name === name && c.state === 'CONTAINER_EXITED').sort(byNewest).slice(1);
    for (const c of old) await this.#deps.runtime.removeContainer(c.id).catch(() => undefined);
  }

  /**
   * Stops a container: the Killing event, preStop within the grace period, then SIGTERM and
   * SIGKILL after what is left of it.
   */
  async kill(pod: AgentPod, spec: ContainerSpec | undefined, status: ContainerStatus, graceSeconds: number, message: string, opts: { skipPreStop?: boolean; podIP?: string } = {}): Promise<void> {
    const { runtime, clock } = this.#deps;
    if (status.state === 'CONTAINER_EXITED') return;
    const name = status.metadata.name;
    this.changes++;
    this.#event(pod, 'Normal', 'Killing', message);
    const start = clock.now();
    const preStop = spec?.lifecycle?.preStop;
    if (preStop && !opts.skipPreStop && status.state === 'CONTAINER_RUNNING' && graceSeconds > 0) {
      const r = await runHook(preStop, { podIP: opts.podIP ?? '', containerId: status.id, ports: spec.ports ?? [], ...(this.#deps.exec ? { exec: this.#deps.exec } : {}) },
        graceSeconds * 1000, { clock, ...(this.#deps.hookRunner ? { run: this.#deps.hookRunner } : {}) });
      if (r.result === 'failure') this.#event(pod, 'Warning', 'FailedPreStopHook', hookFailureMessage('PreStopHook', preStop, r.output));
    }
    const left = Math.max(MIN_GRACE_SECONDS, Math.ceil(graceSeconds - (clock.now() - start) / 1000));
    try {
      await runtime.stopContainer(status.id, left);
    } catch (err) {
      this.#event(pod, 'Warning', 'FailedKillPod', `error killing container ${name}: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    }
  }
}
