// The pod half of one simulated node's agent, shaped like the kubelet's pod worker: sync(pod)
// admits a newly bound pod against the node's allocatable, starts its sandbox and containers in
// the (simulated) runtime, restarts exited containers as restartPolicy says with upstream's
// crash-loop back-off, stops everything once the pod is terminal or its graceful deletion is
// due, and returns the status to report, whether to delete the pod, and when to look again.
// It reads and writes no API itself: the caller applies the result.

import { objectKey, type Clock } from '../../../client/index.ts';
import { add, admit, podRequests, subtract, ZERO, type Allocatable, type PodResourceSpec, type Rejection, type Resources } from '../../agent/resource-admission.ts';
import type { ContainerConfig, ContainerStatus, PodSandboxConfig } from '../cri.ts';
import { buildPodStatus, metaTime, statusPatch, type ContainerView } from './pod-status.ts';
import { EXIT_CODE_ANNOTATION, RUN_MS_ANNOTATION, SimRuntime } from './sim-runtime.ts';
import type { Pod } from './types.ts';

export const NEVER_READY_ANNOTATION = 'sim.strata.dev/never-ready';

/** How simulated containers behave when their pod does not say. */
export interface PodBehaviour {
  /** Readiness delay of containers without a readinessProbe (0: ready once running). */
  readyDelayMs: number;
  /** Longest wait between a pod's graceful deletion and its containers stopping. */
  terminationDelayMs: number;
  /** Run time of pods with restartPolicy other than Always and no annotations (undefined: run forever). */
  defaultRunMs: number | undefined;
  /** Run time of pods with an exit-code annotation but no run-ms one. */
  exitAfterMs: number;
}

export interface SyncResult {
  /** Status fields to merge-patch (undefined: nothing changed). */
  status?: Record<string, unknown>;
  /** Delete the pod with grace 0 and a uid precondition (after writing the status). */
  delete?: boolean;
  /** Sync the pod again at this time. */
  wakeAt?: number;
  /** An Event to record against the pod. */
  event?: { type: 'Normal' | 'Warning'; reason: string; message: string };
}

interface PodRecord {
  uid: string;
  requests: Resources;
  /** Counted in the node's usage (admitted and not yet terminal). */
  active: boolean;
  terminal: boolean;
  sandboxId?: string;
  sandbox?: PodSandboxConfig;
  startTime: number;
  /** When the containers of a pod being deleted stop. */
  stopAt?: number;
  /** Why admission turned the pod away. */
  rejection?: Rejection;
}

interface SpecContainer {
  name: string;
  image?: string;
  restartPolicy?: string;
  readinessProbe?: { initialDelaySeconds?: number };
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
}

interface ApiContainerStatus {
  name: string;
  containerID?: string;
  restartCount?: number;
  state?: { running?: { startedAt?: string }; terminated?: { exitCode?: number; startedAt?: string; finishedAt?: string }; waiting?: unknown };
  lastState?: { terminated?: { exitCode?: number; startedAt?: string; finishedAt?: string; containerID?: string } };
}

const BACKOFF_INITIAL_MS = 10_000;
const BACKOFF_MAX_MS = 300_000;

export class SimKubelet {
  readonly nodeName: string;
  readonly hostIP: string;
  readonly #podCidr: string | undefined;
  readonly #allocatable: Allocatable;
  readonly #behaviour: PodBehaviour;
  readonly #clock: Clock;
  readonly #records = new Map<string, PodRecord>();
  #runtime: SimRuntime | undefined;
  #used: Resources = ZERO;
  #activePods = 0;

  constructor(node: { name: string; hostIP: string; podCidr?: string | undefined }, allocatable: Allocatable, behaviour: PodBehaviour, clock: Clock) {
    this.nodeName = node.name;
    this.hostIP = node.hostIP;
    this.#podCidr = node.podCidr;
    this.#allocatable = allocatable;
    this.#behaviour = behaviour;
    this.#clock = clock;
  }

  /** Admitted pods still holding resources, and what they request. */
  get usage(): { pods: number; requests: Resources } {
    return { pods: this.#activePods, requests: this.#used };
  }

  get trackedPods(): number {
    return this.#records.size;
  }

  /** The runtime, made when the first pod arrives (idle nodes cost nothing here). */
  get runtime(): SimRuntime {
    return (this.#runtime ??= new SimRuntime(this.#clock, this.#podCidr));
  }

  async sync(pod: Pod): Promise<SyncResult> {
    const key = objectKey(pod);
    const now = this.#clock.now();
    let rec = this.#records.get(key);
    if (rec && rec.uid !== pod.metadata.uid) {
      await this.forget(key);
      rec = undefined;
    }
    const deleting = pod.metadata.deletionTimestamp !== undefined;
    if (!rec) {
      const phase = pod.status?.phase ?? 'Pending';
      const started = ((pod.status?.['containerStatuses'] as ApiContainerStatus[] | undefined) ?? []).some((c) => c.containerID);
      if (phase === 'Succeeded' || phase === 'Failed' || (deleting && !started)) {
        rec = { uid: pod.metadata.uid ?? '', requests: ZERO, active: false, terminal: true, startTime: now };
        this.#records.set(key, rec);
      } else if (started) {
        rec = await this.#adopt(pod, key);
      } else {
        const result = this.#admit(pod, key, now);
        if (result) return result;
        rec = this.#records.get(key)!;
      }
    }
    if (rec.terminal) {
      // Re-derived each time, so a status write that failed is simply made again.
      const patch = await this.#terminalPatch(pod, rec, now);
      const del = deleting && pod.metadata.deletionGracePeriodSeconds !== 0;
      return { ...(patch ? { status: patch } : {}), ...(del ? { delete: true } : {}) };
    }
    if (deleting) return this.#terminate(pod, rec, now);
    if (!rec.sandboxId) await this.#start(pod, rec);
    let { views, wakeAt } = await this.#observe(pod, rec, now);
    const input = this.#input(pod, rec, views, false, true, now);
    let status = buildPodStatus(pod.status ?? {}, input);
    if (status['phase'] === 'Succeeded' || status['phase'] === 'Failed') {
      // Done for good: sidecars stop, the sandbox goes and so does its IP; the phase stays.
      await this.runtime.stopPodSandbox(rec.sandboxId!);
      this.#finish(rec);
      ({ views } = await this.#observe(pod, rec, now));
      status = buildPodStatus(pod.status ?? {}, this.#input(pod, rec, views, true, false, now));
      wakeAt = undefined;
    }
    const patch = statusPatch(pod.status ?? {}, status);
    return { ...(patch ? { status: patch } : {}), ...(wakeAt !== undefined ? { wakeAt } : {}) };
  }

  /** The pod is gone from the API: its sandbox goes and its resources are free again. */
  async forget(key: string): Promise<void> {
    const rec = this.#records.get(key);
    if (!rec) return;
    this.#records.delete(key);
    this.#finish(rec);
    if (rec.sandboxId) await this.runtime.removePodSandbox(rec.sandboxId);
  }

  /** Keys of the pods this node tracks. */
  podKeys(): string[] {
    return [...this.#records.keys()];
  }

  #admit(pod: Pod, key: string, now: number): SyncResult | undefined {
    const requests = podRequests((pod.spec ?? {}) as PodResourceSpec);
    const rejection = admit(requests, this.#allocatable, this.#used, this.#activePods);
    if (rejection) {
      const rec: PodRecord = { uid: pod.metadata.uid ?? '', requests, active: false, terminal: true, startTime: now, rejection };
      this.#records.set(key, rec);
      const patch = rejectedPatch(pod, rec, rejection);
      return { ...(patch ? { status: patch } : {}), event: { type: 'Warning', ...rejection } };
    }
    this.#records.set(key, { uid: pod.metadata.uid ?? '', requests, active: true, terminal: false, startTime: now });
    this.#used = add(this.#used, requests);
    this.#activePods++;
    return undefined;
  }

  #finish(rec: PodRecord): void {
    rec.terminal = true;
    if (!rec.active) return;
    rec.active = false;
    this.#used = subtract(this.#used, rec.requests);
    this.#activePods--;
  }

  async #terminalPatch(pod: Pod, rec: PodRecord, now: number): Promise<Record<string, unknown> | undefined> {
    if (rec.rejection) return rejectedPatch(pod, rec, rec.rejection);
    if (!rec.sandboxId) return undefined;
    const { views } = await this.#observe(pod, rec, now);
    return statusPatch(pod.status ?? {}, buildPodStatus(pod.status ?? {}, this.#input(pod, rec, views, true, false, now)));
  }

  async #terminate(pod: Pod, rec: PodRecord, now: number): Promise<SyncResult> {
    const grace = pod.metadata.deletionGracePeriodSeconds ?? (pod.spec?.['terminationGracePeriodSeconds'] as number | undefined) ?? 30;
    rec.stopAt ??= now + Math.min(grace * 1000, this.#behaviour.terminationDelayMs);
    if (now < rec.stopAt) return { wakeAt: rec.stopAt };
    if (rec.sandboxId) await this.runtime.stopPodSandbox(rec.sandboxId);
    this.#finish(rec);
    const { views } = await this.#observe(pod, rec, now);
    const status = buildPodStatus(pod.status ?? {}, this.#input(pod, rec, views, true, false, now));
    const patch = statusPatch(pod.status ?? {}, status);
    return { ...(patch ? { status: patch } : {}), delete: true };
  }

  #sandboxConfig(pod: Pod): PodSandboxConfig {
    return {
      metadata: { name: pod.metadata.name ?? '', namespace: pod.metadata.namespace ?? '', uid: pod.metadata.uid ?? '', attempt: 0 },
      hostname: (pod.spec?.['hostname'] as string | undefined) ?? pod.metadata.name ?? '',
      hostNetwork: pod.spec?.['hostNetwork'] === true,
      labels: pod.metadata.labels ?? {},
      annotations: pod.metadata.annotations ?? {},
    };
  }

  /** What a container does in the simulation, as annotations the runtime reads. */
  #program(pod: Pod, kind: 'init' | 'sidecar' | 'app'): Record<string, string> {
    if (kind === 'init') return { [RUN_MS_ANNOTATION]: '0', [EXIT_CODE_ANNOTATION]: '0' };
    if (kind === 'sidecar') return {};
    const a = pod.metadata.annotations ?? {};
    const exitCode = a[EXIT_CODE_ANNOTATION];
    const runMs = a[RUN_MS_ANNOTATION];
    if (exitCode !== undefined) return { [EXIT_CODE_ANNOTATION]: exitCode, [RUN_MS_ANNOTATION]: runMs ?? String(this.#behaviour.exitAfterMs) };
    if (runMs !== undefined) return { [RUN_MS_ANNOTATION]: runMs };
    const policy = (pod.spec?.['restartPolicy'] as string | undefined) ?? 'Always';
    if (policy !== 'Always' && this.#behaviour.defaultRunMs !== undefined) return { [RUN_MS_ANNOTATION]: String(this.#behaviour.defaultRunMs) };
    return {};
  }

  #containerConfig(pod: Pod, c: SpecContainer, kind: 'init' | 'sidecar' | 'app', attempt: number): ContainerConfig {
    return { metadata: { name: c.name, attempt }, image: { image: c.image ?? '' }, labels: {}, annotations: this.#program(pod, kind) };
  }

  async #start(pod: Pod, rec: PodRecord): Promise<void> {
    const runtime = this.runtime;
    rec.sandbox = this.#sandboxConfig(pod);
    rec.sandboxId = await runtime.runPodSandbox(rec.sandbox);
    // Init containers run to completion one after the other; in the simulation that takes no time.
    for (const c of specContainers(pod, 'initContainers')) {
      const id = await runtime.createContainer(rec.sandboxId, this.#containerConfig(pod, c, c.restartPolicy === 'Always' ? 'sidecar' : 'init', 0), rec.sandbox);
      await runtime.startContainer(id);
    }
    for (const c of specContainers(pod, 'containers')) {
      const id = await runtime.createContainer(rec.sandboxId, this.#containerConfig(pod, c, 'app', 0), rec.sandbox);
      await runtime.startContainer(id);
    }
  }

  /** Rebuilds the runtime state of a pod a previous simulator started, from the pod's status. */
  async #adopt(pod: Pod, key: string): Promise<PodRecord> {
    const runtime = this.runtime;
    const status = pod.status ?? {};
    const startTime = Date.parse(status.startTime ?? '') || this.#clock.now();
    const sandbox = this.#sandboxConfig(pod);
    const sandboxId = runtime.adoptPodSandbox(sandbox, status.podIP ?? '', startTime);
    const seen = [...((status['initContainerStatuses'] as ApiContainerStatus[] | undefined) ?? []), ...((status['containerStatuses'] as ApiContainerStatus[] | undefined) ?? [])];
    const adoptAll = (list: SpecContainer[], kindOf: (c: SpecContainer) => 'init' | 'sidecar' | 'app'): void => {
      for (const c of list) {
        const s = seen.find((x) => x.name === c.name);
        if (!s) continue;
        const config = this.#containerConfig(pod, c, kindOf(c), s.restartCount ?? 0);
        const t = s.state?.terminated ?? (s.state?.running ? undefined : s.lastState?.terminated);
        const id = (s.containerID ?? '').replace(/^sim:\/\//, '');
        const started = Date.parse(s.state?.running?.startedAt ?? t?.startedAt ?? '') || startTime;
        runtime.adoptContainer(sandboxId, config, t
          ? { id, state: 'exited', startedAt: started, finishedAt: Date.parse(t.finishedAt ?? '') || started, exitCode: t.exitCode ?? 0 }
          : { id, state: 'running', startedAt: started });
      }
    };
    adoptAll(specContainers(pod, 'initContainers'), (c) => (c.restartPolicy === 'Always' ? 'sidecar' : 'init'));
    adoptAll(specContainers(pod, 'containers'), () => 'app');
    const requests = podRequests((pod.spec ?? {}) as PodResourceSpec);
    const rec: PodRecord = { uid: pod.metadata.uid ?? '', requests, active: true, terminal: false, sandboxId, sandbox, startTime };
    this.#records.set(key, rec);
    this.#used = add(this.#used, requests);
    this.#activePods++;
    return rec;
  }

  /** Views of every container, restarting those whose restart is due; and when to look next. */
  async #observe(pod: Pod, rec: PodRecord, now: number): Promise<{ views: { init: ContainerView[]; containers: ContainerView[] }; wakeAt: number | undefined }> {
    const runtime = this.runtime;
    const all = rec.sandboxId ? await runtime.listContainers({ podSandboxId: rec.sandboxId }) : [];
    const sandboxReady = rec.sandboxId !== undefined && (await runtime.podSandboxStatus(rec.sandboxId)).state === 'SANDBOX_READY';
    const policy = (pod.spec?.['restartPolicy'] as string | undefined) ?? 'Always';
    const neverReady = pod.metadata.annotations?.[NEVER_READY_ANNOTATION] === 'true';
    let wakeAt = rec.sandboxId ? runtime.nextTransitionAt(rec.sandboxId) : undefined;
    const soonest = (t: number): void => void (wakeAt = wakeAt === undefined ? t : Math.min(wakeAt, t));
    const view = async (c: SpecContainer, kind: 'init' | 'sidecar' | 'app'): Promise<ContainerView> => {
      const attempts = all.filter((s) => s.metadata.name === c.name).sort((a, b) => b.metadata.attempt - a.metadata.attempt);
      let [current, previous] = attempts as [ContainerStatus | undefined, ContainerStatus | undefined];
      let waiting: ContainerView['waiting'];
      const restarts = kind === 'sidecar' ? true : kind === 'app' && (policy === 'Always' || (policy === 'OnFailure' && current?.exitCode !== 0));
      if (current?.state === 'CONTAINER_EXITED' && restarts && sandboxReady) {
        const attempt = current.metadata.attempt;
        const backoff = attempt === 0 ? 0 : Math.min(BACKOFF_INITIAL_MS * 2 ** (attempt - 1), BACKOFF_MAX_MS);
        if (now >= current.finishedAt + backoff) {
          const id = await runtime.createContainer(rec.sandboxId!, this.#containerConfig(pod, c, kind, attempt + 1), rec.sandbox!);
          await runtime.startContainer(id);
          if (previous) await runtime.removeContainer(previous.id);
          previous = current;
          current = await runtime.containerStatus(id);
          const exit = runtime.nextTransitionAt(rec.sandboxId!);
          if (exit !== undefined) soonest(exit);
        } else {
          const ns = pod.metadata.namespace ?? '';
          waiting = { reason: 'CrashLoopBackOff', message: `back-off ${goDuration(backoff)} restarting failed container=${c.name} pod=${pod.metadata.name ?? ''}_${ns}(${rec.uid})` };
          soonest(current.finishedAt + backoff);
        }
      }
      let ready = false;
      if (current?.state === 'CONTAINER_RUNNING' && !waiting && !neverReady) {
        const delay = c.readinessProbe ? (c.readinessProbe.initialDelaySeconds ?? 0) * 1000 : this.#behaviour.readyDelayMs;
        ready = now >= current.startedAt + delay;
        if (!ready) soonest(current.startedAt + delay);
      }
      return { name: c.name, image: c.image ?? '', current, previous, restartCount: current?.metadata.attempt ?? 0, ready, ...(waiting ? { waiting } : {}), ...(kind === 'sidecar' ? { sidecar: true } : {}) };
    };
    const init: ContainerView[] = [];
    for (const c of specContainers(pod, 'initContainers')) init.push(await view(c, c.restartPolicy === 'Always' ? 'sidecar' : 'init'));
    const containers: ContainerView[] = [];
    for (const c of specContainers(pod, 'containers')) containers.push(await view(c, 'app'));
    return { views: { init, containers }, wakeAt };
  }

  #input(pod: Pod, rec: PodRecord, views: { init: ContainerView[]; containers: ContainerView[] }, terminal: boolean, sandboxReady: boolean, now: number) {
    const hostNetwork = pod.spec?.['hostNetwork'] === true;
    const podIP = hostNetwork ? this.hostIP : (pod.status?.podIP ?? '');
    const sandboxIp = rec.sandboxId && !hostNetwork ? this.#sandboxIp(rec) : '';
    return {
      restartPolicy: (pod.spec?.['restartPolicy'] as string | undefined) ?? 'Always',
      terminal,
      sandboxReady,
      hostIP: this.hostIP,
      podIP: sandboxIp || podIP,
      startTime: Date.parse(pod.status?.startTime ?? '') || rec.startTime,
      init: views.init,
      containers: views.containers,
      readinessGates: ((pod.spec?.['readinessGates'] as { conditionType?: string }[] | undefined) ?? []).map((g) => g.conditionType ?? ''),
      now,
    };
  }

  #sandboxIp(rec: PodRecord): string {
    return this.runtime.sandboxIp(rec.sandboxId!);
  }
}

/** Upstream's rejected-pod status: Failed with the admission reason and message. */
function rejectedPatch(pod: Pod, rec: PodRecord, rejection: Rejection): Record<string, unknown> | undefined {
  const old = pod.status ?? {};
  return statusPatch(old, { ...old, phase: 'Failed', reason: rejection.reason, message: rejection.message, startTime: old.startTime ?? metaTime(rec.startTime) });
}

function specContainers(pod: Pod, field: 'containers' | 'initContainers'): SpecContainer[] {
  return (pod.spec?.[field] as SpecContainer[] | undefined) ?? [];
}

/** Go's time.Duration formatting for whole seconds: 10s, 1m20s, 5m0s. */
export function goDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60}s`;
}
