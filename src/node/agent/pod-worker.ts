// The worker of one pod on this node (upstream's podWorker + SyncPod): each sync reads what the
// runtime holds for the pod, computes the actions (pod-sync), carries them out (pod-containers),
// aligns the probers and reports the generated status through the injected statusWriter. Syncs
// run one at a time, woken by pod updates, probe results, back-off expiry and a periodic relist
// (the runtime has no event stream). A pod with a deletionTimestamp is terminated gracefully
// (preStop, SIGTERM with the remaining grace, SIGKILL; sidecars after the main containers), its
// final status written and onTerminated called so the agent can delete it with grace 0. A worker
// started for a pod whose containers already run re-adopts them.

import type { Clock, TimerHandle } from '../../client/clock.ts';
import type { ContainerStatus, RuntimeService } from '../runtime/cri.ts';
import type { VolumeManager } from '../volumes/index.ts';
import type { ContainerResolver } from './container-resolver.ts';
import type { HookRunner } from './lifecycle/hooks.ts';
import { terminationMessage, type TerminationMessageSources } from './lifecycle/termination-message.ts';
import { DEADLINE_MESSAGE, DEADLINE_REASON, pastActiveDeadline } from './active-deadline.ts';
import { ContainerBackoff } from './pod-backoff.ts';
import { sandboxConfig } from './pod-container-config.ts';
import { ContainerOps, type PodEventRecorder } from './pod-containers.ts';
import { observePod, type RuntimeRelister } from './pod-observe.ts';
import { generatePodStatus, sameJson, type PodCondition } from './pod-status.ts';
import { computePodActions, latestStatus, type PodActions, type PodRuntimeState } from './pod-sync.ts';
import { gracePeriodSeconds, initContainersOf, isSidecar, podUid, type AgentPod, type ContainerSpec } from './pod-types.ts';
import { ProbeManager, type ProbeRunner } from './probes/probe-manager.ts';
import type { ExecFn } from './probes/prober.ts';

export type PodStatusWriter = (pod: AgentPod, status: Record<string, unknown>) => Promise<void> | void;

export interface PodWorkerDeps {
  runtime: RuntimeService;
  clock: Clock;
  hostIP: string;
  statusWriter: PodStatusWriter;
  recorder?: PodEventRecorder;
  /** The pod is done: `deleted` when it was being deleted (delete it with grace 0 now). */
  onTerminated?(pod: AgentPod, how: { deleted: boolean }): Promise<void> | void;
  /** Shared by the node's workers so back-off outlives a worker. */
  backoff?: ContainerBackoff;
  /** Runs commands for exec probes and hooks (default: the runtime's execSync). */
  exec?: ExecFn;
  probeRunner?: ProbeRunner;
  hookRunner?: HookRunner;
  messages?: TerminationMessageSources;
  /** The runtime's name in containerID values (`<name>://<id>`). */
  runtimeName?: string;
  /** The node's shared relist of the runtime (without it the worker lists the runtime itself). */
  relister?: RuntimeRelister;
  /** How often the runtime is relisted (1 s, upstream's PLEG period). */
  resyncMs?: number;
  onError?(pod: AgentPod, err: unknown): void;
  /** Sets up the pod's volumes before its containers start (and refreshes them on each sync). */
  volumes?: VolumeManager;
  /** Env from ConfigMaps/Secrets, `$(VAR)` expansion and mounts of each container's config. */
  resolver?: ContainerResolver;
}

/** How often the same FailedMount event is repeated while the volume keeps failing. */
const FAILED_MOUNT_REPEAT_MS = 60_000;
/** How long the kubelet waits for a pod's volumes before it reports the wait as timed out (2m3s). */
const MOUNT_WAIT_TIMEOUT_MS = 123_000;

const KUBELET_CONDITIONS = new Set(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady']);

export class PodWorker {
  readonly #deps: PodWorkerDeps;
  readonly #ops: ContainerOps;
  readonly #probes: ProbeManager;
  readonly #sandboxes = new Set<string>();
  readonly #messages = new Map<string, string>();
  #pod: AgentPod;
  #lastStatus: Record<string, unknown> | undefined;
  #timer: TimerHandle | undefined;
  #dirty = false;
  #loop: Promise<void> | undefined;
  #disposed = false;
  /** When the graceful termination of a deleted pod must be over. */
  #deadline: number | undefined;
  #finished: 'terminal' | 'deleted' | undefined;
  /** Why the agent evicted the pod (an emptyDir over its sizeLimit, or the eviction manager). */
  #evicted: string | undefined;
  /** The pod-level reason of that end: Evicted, or DeadlineExceeded for activeDeadlineSeconds. */
  #evictedReason = 'Evicted';
  /** The condition the eviction manager's eviction adds (DisruptionTarget). */
  #evictionCondition: PodCondition | undefined;
  /** The last FailedMount message per volume and when it was reported. */
  readonly #mountFailures = new Map<string, { message: string; at: number }>();
  /** Since when the pod's volumes keep failing (the start of the current wait for them). */
  #mountWaitSince: number | undefined;

  constructor(pod: AgentPod, deps: PodWorkerDeps) {
    this.#pod = pod;
    const exec = deps.exec ?? execOf(deps.runtime);
    deps = { ...deps, ...(exec ? { exec } : {}) };
    this.#deps = deps;
    const backoff = deps.backoff ?? new ContainerBackoff(deps.clock);
    this.#ops = new ContainerOps({
      runtime: deps.runtime, clock: deps.clock, backoff, hostIP: deps.hostIP,
      ...(deps.recorder ? { recorder: deps.recorder } : {}),
      ...(deps.exec ? { exec: deps.exec } : {}),
      ...(deps.hookRunner ? { hookRunner: deps.hookRunner } : {}),
      ...(deps.resolver ? { resolver: deps.resolver } : {}),
    });
    this.#probes = new ProbeManager({
      clock: deps.clock,
      ...(deps.exec ? { exec: deps.exec } : {}),
      ...(deps.probeRunner ? { run: deps.probeRunner } : {}),
      onResult: (e) => {
        if (e.result === 'failure') {
          const kind = e.type === 'liveness' ? 'Liveness' : e.type === 'readiness' ? 'Readiness' : 'Startup';
          deps.recorder?.event(this.#pod, 'Warning', 'Unhealthy', `${kind} probe failed: ${e.output}`);
        }
        this.wake();
      },
    });
  }

  get pod(): AgentPod {
    return this.#pod;
  }

  /** The last status written. */
  get status(): Record<string, unknown> | undefined {
    return this.#lastStatus;
  }

  /** 'terminal' (Succeeded/Failed), 'deleted' (terminated for deletion) or undefined (still running). */
  get finished(): 'terminal' | 'deleted' | undefined {
    return this.#finished;
  }

  get probes(): ProbeManager {
    return this.#probes;
  }

  /** Starts (or re-adopts) the pod. */
  start(): void {
    this.wake();
  }

  /** A newer version of the pod from the API. */
  update(pod: AgentPod): void {
    this.#pod = pod;
    this.wake();
  }

  wake(): void {
    if (this.#disposed) return;
    this.#dirty = true;
    this.#loop ??= this.#run().finally(() => (this.#loop = undefined));
  }

  /**
   * The eviction manager's kill (upstream killPodFunc): the pod's containers stop and it ends
   * Failed with reason Evicted, this message and the condition. The worker owns the pod's status,
   * so an eviction must come through it rather than as a status write beside it.
   */
  evict(message: string, condition?: PodCondition): void {
    if (this.#evicted !== undefined) return;
    this.#evicted = message;
    this.#evictionCondition = condition;
    this.wake();
  }

  /** Resolves once no sync runs or is pending. */
  async idle(): Promise<void> {
    while (this.#loop) await this.#loop;
  }

  async #run(): Promise<void> {
    while (this.#dirty && !this.#disposed) {
      this.#dirty = false;
      try {
        await this.#sync();
      } catch (err) {
        this.#deps.onError?.(this.#pod, err);
        this.#wakeIn(this.#deps.resyncMs ?? 1000);
      }
    }
  }

  #wakeIn(ms: number): void {
    this.#timer?.cancel();
    if (this.#disposed) return;
    this.#timer = this.#deps.clock.setTimeout(() => this.wake(), Math.max(0, ms));
  }

  /** The pod in the runtime; `changed`: this worker just changed it, so no cached relist will do. */
  async #observe(changed = false): Promise<PodRuntimeState> {
    const { relister } = this.#deps;
    if (relister && changed) relister.invalidate();
    const state = relister
      ? await relister.observe(podUid(this.#pod), this.#sandboxes)
      : await observePod(this.#deps.runtime, podUid(this.#pod), this.#sandboxes);
    for (const s of state.sandboxes) this.#sandboxes.add(s.id);
    return state;
  }

  async #sync(): Promise<void> {
    const pod = this.#pod;
    const now = this.#deps.clock.now();
    let state = await this.#observe();
    if (pod.metadata.deletionTimestamp !== undefined) return this.#terminate(pod, state);
    if (this.#finished === 'terminal' || isTerminalPhase(this.#oldStatus(pod)['phase'])) return this.#finishTerminal(pod, state);
    if (this.#checkEviction(pod)) return this.#finishTerminal(pod, state);
    const actions = computePodActions(pod, state, this.#probes);
    if (!(await this.#setUpVolumes(pod, state))) {
      // upstream waits for every volume before it starts containers: the pod stays ContainerCreating.
      actions.initContainersToStart = [];
      actions.containersToStart = [];
    }
    const before = this.#ops.changes;
    const retryAt = await this.#execute(pod, state, actions);
    state = await this.#observe(this.#ops.changes !== before);
    const status = await this.#status(pod, state, false);
    if (isTerminalPhase(status['phase'])) return this.#finishTerminal(pod, state);
    const podIP = this.#podIP(pod, state);
    this.#probes.sync([...initContainersOf(pod).filter(isSidecar), ...pod.spec.containers], runningByName(pod, state), podIP);
    await this.#write(pod, status);
    const resync = now + (this.#deps.resyncMs ?? 1000);
    this.#wakeIn(Math.min(resync, retryAt ?? resync) - this.#deps.clock.now());
  }

  /** Carries out the actions; returns when a back-off ends (sync again then). */
  async #execute(pod: AgentPod, state: PodRuntimeState, actions: PodActions): Promise<number | undefined> {
    if (actions.killPod) {
      await this.#killAll(pod, state, pod.spec.terminationGracePeriodSeconds ?? 30, false);
      if (actions.sandboxId) {
        this.#ops.changes++;
        await this.#deps.runtime.stopPodSandbox(actions.sandboxId);
      }
      if (!actions.createSandbox) return undefined;
    }
    for (const k of actions.containersToKill) {
      const s = state.containers.find((c) => c.id === k.id);
      if (!s) continue;
      const spec = specByName(pod, k.name);
      const probe = k.reason === 'LivenessProbe' ? spec?.livenessProbe : k.reason === 'StartupProbe' ? spec?.startupProbe : undefined;
      const grace = probe?.terminationGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
      await this.#ops.kill(pod, spec, s, grace, k.message, { podIP: this.#podIP(pod, state) });
    }
    if (actions.containersToKill.length > 0) state = await this.#observe(true);
    let sandboxId = actions.sandboxId;
    const config = sandboxConfig(pod, actions.attempt);
    if (actions.createSandbox) {
      this.#ops.changes++;
      try {
        sandboxId = await this.#deps.runtime.runPodSandbox(config);
      } catch (err) {
        this.#deps.recorder?.event(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${err instanceof Error ? err.message : String(err)}`);
        throw err;
      }
      this.#sandboxes.add(sandboxId);
    }
    if (!sandboxId) return undefined;
    const sandbox = await this.#deps.runtime.podSandboxStatus(sandboxId);
    const podIP = pod.spec.hostNetwork ? this.#deps.hostIP : sandbox.network.ip;
    let retryAt: number | undefined;
    const soonest = (t: number | undefined): void => void (t !== undefined && (retryAt = retryAt === undefined ? t : Math.min(retryAt, t)));
    for (const name of actions.initContainersToStart) {
      const spec = specByName(pod, name)!;
      const out = await this.#ops.start(pod, spec, state, sandboxId, config, podIP);
      if (!out.started) {
        soonest(out.retryAt);
        if (!isSidecar(spec)) return retryAt;
      }
    }
    for (const name of actions.containersToStart) {
      const out = await this.#ops.start(pod, specByName(pod, name)!, state, sandboxId, config, podIP);
      if (!out.started) soonest(out.retryAt);
    }
    return retryAt;
  }

  /** Sets up or refreshes the pod's volumes; false when one failed (FailedMount events say why). */
  async #setUpVolumes(pod: AgentPod, state: PodRuntimeState): Promise<boolean> {
    const { volumes } = this.#deps;
    if (!volumes) return true;
    const { failures } = await volumes.setUp(pod, { podIP: this.#podIP(pod, state), hostIP: this.#deps.hostIP });
    const now = this.#deps.clock.now();
    for (const f of failures) {
      const last = this.#mountFailures.get(f.volume);
      if (last && last.message === f.message && now - last.at < FAILED_MOUNT_REPEAT_MS) continue;
      this.#mountFailures.set(f.volume, { message: f.message, at: now });
      this.#deps.recorder?.event(pod, 'Warning', 'FailedMount', `MountVolume.SetUp failed for volume "${f.volume}" : ${f.message}`);
    }
    for (const name of this.#mountFailures.keys()) if (!failures.some((f) => f.volume === name)) this.#mountFailures.delete(name);
    if (failures.length === 0) {
      this.#mountWaitSince = undefined;
      return true;
    }
    this.#mountWaitSince ??= now;
    if (now - this.#mountWaitSince >= MOUNT_WAIT_TIMEOUT_MS) {
      // As the kubelet's volume manager: each wait that times out is reported, then a new one starts.
      const unmounted = failures.map((f) => f.volume).sort().join(' ');
      this.#deps.recorder?.event(pod, 'Warning', 'FailedMount',
        `Unable to attach or mount volumes: unmounted volumes=[${unmounted}], unattached volumes=[], failed to process volumes=[]: timed out waiting for the condition`);
      this.#mountWaitSince = now;
    }
    return false;
  }

  /** Whether the pod is (now) evicted: past its activeDeadlineSeconds, or an emptyDir over its sizeLimit. */
  #checkEviction(pod: AgentPod): boolean {
    if (this.#evicted !== undefined) return true;
    if (pastActiveDeadline(pod, this.#oldStatus(pod)['startTime'], this.#deps.clock.now())) {
      this.#evicted = DEADLINE_MESSAGE;
      this.#evictedReason = DEADLINE_REASON;
      this.#deps.recorder?.event(pod, 'Normal', DEADLINE_REASON, DEADLINE_MESSAGE);
      return true;
    }
    const message = this.#deps.volumes?.emptyDirOverLimit(pod);
    if (message === undefined) return false;
    this.#evicted = message;
    this.#deps.recorder?.event(pod, 'Warning', 'Evicted', message);
    return true;
  }

  /** Stops every running container: regular ones together, then sidecars in reverse order. */
  async #killAll(pod: AgentPod, state: PodRuntimeState, graceSeconds: number, deleting: boolean): Promise<void> {
    const running = (name: string): ContainerStatus | undefined => {
      const s = latestStatus(state, name);
      return s && (s.state === 'CONTAINER_RUNNING' || s.state === 'CONTAINER_CREATED') ? s : undefined;
    };
    const podIP = this.#podIP(pod, state);
    const grace = (): number => deleting && this.#deadline !== undefined ? Math.max(0, Math.ceil((this.#deadline - this.#deps.clock.now()) / 1000)) : graceSeconds;
    const kill = async (spec: ContainerSpec): Promise<void> => {
      const s = running(spec.name);
      if (s) await this.#ops.kill(pod, spec, s, grace(), `Stopping container ${spec.name}`, { podIP });
    };
    await Promise.all(pod.spec.containers.map(kill));
    const inits = initContainersOf(pod);
    for (const spec of [...inits].reverse()) await kill(spec);
    // Containers no longer in the spec (renamed) must stop too.
    const known = new Set([...inits, ...pod.spec.containers].map((c) => c.name));
    for (const s of state.containers) {
      if (!known.has(s.metadata.name) && s.state === 'CONTAINER_RUNNING') await this.#ops.kill(pod, undefined, s, grace(), `Stopping container ${s.metadata.name}`);
    }
  }

  async #terminate(pod: AgentPod, state: PodRuntimeState): Promise<void> {
    // A later, shorter grace (kubectl delete --grace-period=0 --force) brings the deadline forward.
    this.#deadline = Math.min(this.#deadline ?? Infinity, this.#deps.clock.now() + gracePeriodSeconds(pod) * 1000);
    this.#probes.dispose();
    await this.#killAll(pod, state, gracePeriodSeconds(pod), true);
    for (const s of state.sandboxes) if (s.state === 'SANDBOX_READY') await this.#deps.runtime.stopPodSandbox(s.id);
    state = await this.#observe(true);
    const status = await this.#status(pod, state, true);
    // Nothing of the pod runs any more: a deleted pod whose containers never ran ends Failed too.
    if (!isTerminalPhase(status['phase'])) status['phase'] = 'Failed';
    await this.#write(pod, status);
    this.#timer?.cancel();
    if (this.#finished === 'deleted') return;
    this.#finished = 'deleted';
    await this.#deps.onTerminated?.(pod, { deleted: true });
  }

  /** Succeeded or Failed for good: sidecars stop, the sandbox goes, the phase stays. */
  async #finishTerminal(pod: AgentPod, state: PodRuntimeState): Promise<void> {
    this.#probes.dispose();
    await this.#killAll(pod, state, pod.spec.terminationGracePeriodSeconds ?? 30, false);
    for (const s of state.sandboxes) if (s.state === 'SANDBOX_READY') await this.#deps.runtime.stopPodSandbox(s.id);
    state = await this.#observe(true);
    await this.#write(pod, await this.#status(pod, state, true));
    this.#timer?.cancel();
    if (this.#finished) return;
    this.#finished = 'terminal';
    await this.#deps.onTerminated?.(pod, { deleted: false });
  }

  /** What the status is generated from: the API's, with the kubelet-owned parts as last written. */
  #oldStatus(pod: AgentPod): Record<string, unknown> {
    const api = pod.status ?? {};
    const mine = this.#lastStatus;
    if (!mine) return api;
    const apiConditions = (api['conditions'] as PodCondition[] | undefined) ?? [];
    const conditions = [
      ...((mine['conditions'] as PodCondition[] | undefined) ?? []).filter((c) => KUBELET_CONDITIONS.has(c.type) || c.type === 'PodScheduled'),
      ...apiConditions.filter((c) => !KUBELET_CONDITIONS.has(c.type) && c.type !== 'PodScheduled'),
    ];
    return { ...api, ...mine, conditions };
  }

  async #status(pod: AgentPod, state: PodRuntimeState, terminal: boolean): Promise<Record<string, unknown>> {
    const specs = [...initContainersOf(pod), ...pod.spec.containers];
    for (const c of state.containers) {
      if (c.state !== 'CONTAINER_EXITED' || this.#messages.has(c.id)) continue;
      const spec = specs.find((s) => s.name === c.metadata.name);
      if (spec) this.#messages.set(c.id, await terminationMessage(spec, c, this.#deps.messages ?? {}));
    }
    const status = generatePodStatus({
      pod: { ...pod, status: this.#oldStatus(pod) }, state, hostIP: this.#deps.hostIP, now: this.#deps.clock.now(),
      reasons: this.#ops.reasons, probes: this.#probes, messages: this.#messages, terminal,
      ...(this.#deps.runtimeName ? { runtimeName: this.#deps.runtimeName } : {}),
    });
    // An evicted pod is Failed with the eviction's reason, as the kubelet's eviction manager sets it.
    if (this.#evicted !== undefined) Object.assign(status, { phase: 'Failed', reason: this.#evictedReason, message: this.#evicted });
    const extra = this.#evictionCondition;
    if (extra) status['conditions'] = [...((status['conditions'] as PodCondition[] | undefined) ?? []).filter((c) => c.type !== extra.type), extra];
    return status;
  }

  async #write(pod: AgentPod, status: Record<string, unknown>): Promise<void> {
    if (this.#lastStatus && sameJson(this.#lastStatus, status)) return;
    await this.#deps.statusWriter(pod, status);
    this.#lastStatus = status;
  }

  #podIP(pod: AgentPod, state: PodRuntimeState): string {
    if (pod.spec.hostNetwork) return this.#deps.hostIP;
    return state.sandboxes.find((s) => s.state === 'SANDBOX_READY')?.network.ip ?? '';
  }

  /** Removes the pod's containers and sandboxes (after the pod is gone from the API). */
  async cleanup(): Promise<void> {
    const state = await this.#observe(true);
    for (const s of state.sandboxes) {
      await this.#deps.runtime.stopPodSandbox(s.id).catch(() => undefined);
      await this.#deps.runtime.removePodSandbox(s.id);
    }
    await this.#deps.volumes?.tearDown(podUid(this.#pod));
  }

  /** Stops the worker's timers and probers; the pod's containers keep running (for re-adoption). */
  dispose(): void {
    this.#disposed = true;
    this.#timer?.cancel();
    this.#probes.dispose();
  }
}

/** Exec probes and hooks through the runtime's ExecSync, output as stdout then stderr. */
function execOf(runtime: RuntimeService): ExecFn | undefined {
  if (!runtime.execSync) return undefined;
  return async (id, cmd, timeoutMs) => {
    const r = await runtime.execSync!(id, cmd, timeoutMs);
    return { exitCode: r.exitCode, output: Buffer.concat([r.stdout, r.stderr]).toString('utf8') };
  };
}

const isTerminalPhase = (phase: unknown): boolean => phase === 'Succeeded' || phase === 'Failed';

function specByName(pod: AgentPod, name: string): ContainerSpec | undefined {
  return pod.spec.containers.find((c) => c.name === name) ?? initContainersOf(pod).find((c) => c.name === name);
}

function runningByName(pod: AgentPod, state: PodRuntimeState): Map<string, ContainerStatus> {
  const out = new Map<string, ContainerStatus>();
  for (const c of [...initContainersOf(pod), ...pod.spec.containers]) {
    const s = latestStatus(state, c.name);
    if (s) out.set(c.name, s);
  }
  return out;
}
