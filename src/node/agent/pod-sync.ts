// What one sync of a pod must do, as upstream's computePodActions decides it: (re)create the
// sandbox, start the next init container (and keep sidecars — init containers with restartPolicy
// Always — running), (re)start regular containers as restartPolicy says, kill containers whose
// liveness or startup probe failed or whose spec changed, or kill the whole pod. Pure: it reads
// the pod, what the runtime reports and the probe results; the worker carries the actions out.

import type { ContainerStatus, PodSandboxStatus } from '../runtime/cri.ts';
import {
  ANNOTATION_CONTAINER_HASH, containerHash, initContainersOf, isSidecar, restartPolicyOf,
  type AgentPod, type ContainerSpec,
} from './pod-types.ts';

/** The runtime's view of one pod: its sandboxes and every container of it, newest first. */
export interface PodRuntimeState {
  sandboxes: PodSandboxStatus[];
  containers: ContainerStatus[];
}

export type ProbeResult = 'success' | 'failure' | 'unknown';

/** The latest liveness/startup results by container id (undefined: no result yet). */
export interface ProbeResults {
  liveness(containerId: string): ProbeResult | undefined;
  startup(containerId: string): ProbeResult | undefined;
}

export type KillReason = 'LivenessProbe' | 'StartupProbe' | 'SpecChanged' | 'Unknown';

export interface KillAction {
  id: string;
  name: string;
  reason: KillReason;
  message: string;
}

export interface PodActions {
  killPod: boolean;
  createSandbox: boolean;
  /** The sandbox to use (or the stale one to replace when createSandbox). */
  sandboxId: string | undefined;
  /** Attempt number of a sandbox to create. */
  attempt: number;
  /** Init containers (regular or sidecar) to start, in spec order. */
  initContainersToStart: string[];
  containersToStart: string[];
  containersToKill: KillAction[];
}

export const NO_PROBES: ProbeResults = { liveness: () => undefined, startup: () => undefined };

/** Newest first: by creation time, then attempt. */
export function byNewest(a: ContainerStatus, b: ContainerStatus): number {
  return b.createdAt - a.createdAt || b.metadata.attempt - a.metadata.attempt;
}

/** The latest container of this name (upstream's FindContainerStatusByName). */
export function latestStatus(state: PodRuntimeState, name: string): ContainerStatus | undefined {
  let best: ContainerStatus | undefined;
  for (const c of state.containers) if (c.metadata.name === name && (!best || byNewest(c, best) < 0)) best = c;
  return best;
}

export function containerChanged(spec: ContainerSpec, status: ContainerStatus): boolean {
  const hash = status.annotations[ANNOTATION_CONTAINER_HASH];
  return hash !== undefined && hash !== containerHash(spec);
}

const isUnknown = (s: ContainerStatus): boolean => s.state === 'CONTAINER_UNKNOWN';
const isInitFailed = (s: ContainerStatus): boolean => (s.state === 'CONTAINER_EXITED' && s.exitCode !== 0) || isUnknown(s);

/** Upstream's PodSandboxChanged: a new sandbox is needed when the latest is not ready or several are. */
export function sandboxChanged(state: PodRuntimeState): { create: boolean; attempt: number; sandboxId: string | undefined } {
  const newest = [...state.sandboxes].sort((a, b) => b.createdAt - a.createdAt || b.metadata.attempt - a.metadata.attempt);
  const latest = newest[0];
  if (!latest) return { create: true, attempt: 0, sandboxId: undefined };
  const ready = newest.filter((s) => s.state === 'SANDBOX_READY').length;
  // Unlike upstream, a sandbox without an IP is not replaced: the process runtime has no pod
  // network and gives none.
  if (ready > 1 || latest.state !== 'SANDBOX_READY') return { create: true, attempt: latest.metadata.attempt + 1, sandboxId: latest.id };
  return { create: false, attempt: latest.metadata.attempt, sandboxId: latest.id };
}

/** Upstream's ShouldContainerBeRestarted. */
export function shouldRestart(pod: AgentPod, spec: ContainerSpec, state: PodRuntimeState): boolean {
  if (pod.metadata.deletionTimestamp !== undefined) return false;
  const s = latestStatus(state, spec.name);
  if (!s) return true;
  if (s.state === 'CONTAINER_RUNNING') return false;
  if (s.state === 'CONTAINER_UNKNOWN' || s.state === 'CONTAINER_CREATED') return true;
  const policy = restartPolicyOf(pod);
  if (policy === 'Never') return false;
  if (policy === 'OnFailure' && s.exitCode === 0) return false;
  return true;
}

const succeeded = (state: PodRuntimeState, name: string): boolean => {
  const s = latestStatus(state, name);
  return s !== undefined && s.state === 'CONTAINER_EXITED' && s.exitCode === 0;
};

export function computePodActions(pod: AgentPod, state: PodRuntimeState, probes: ProbeResults = NO_PROBES): PodActions {
  const sandbox = sandboxChanged(state);
  const actions: PodActions = {
    killPod: sandbox.create,
    createSandbox: sandbox.create,
    sandboxId: sandbox.sandboxId,
    attempt: sandbox.attempt,
    initContainersToStart: [],
    containersToStart: [],
    containersToKill: [],
  };
  const policy = restartPolicyOf(pod);
  const inits = initContainersOf(pod);
  if (sandbox.create) {
    // Everything is killed and started over in a new sandbox, unless the pod must not restart.
    if (policy === 'Never' && sandbox.attempt !== 0 && state.containers.length > 0) {
      actions.createSandbox = false;
      return actions;
    }
    const toStart = pod.spec.containers.filter((c) => !(policy === 'OnFailure' && succeeded(state, c.name))).map((c) => c.name);
    if (toStart.length === 0 && initializationDone(pod, state)) {
      actions.createSandbox = false;
      return actions;
    }
    if (inits.length > 0) actions.initContainersToStart = [inits[0]!.name];
    else actions.containersToStart = toStart;
    return actions;
  }
  const initialized = computeInitContainerActions(pod, state, probes, actions);
  if (actions.killPod || !initialized) return actions;

  let keep = 0;
  for (const c of pod.spec.containers) {
    const s = latestStatus(state, c.name);
    if (!s || s.state !== 'CONTAINER_RUNNING') {
      if (shouldRestart(pod, c, state)) {
        actions.containersToStart.push(c.name);
        if (s && isUnknown(s)) actions.containersToKill.push({ id: s.id, name: c.name, reason: 'Unknown', message: `Container ${c.name} is in unknown state, will be restarted` });
      }
      continue;
    }
    let kill: { reason: KillReason; message: string } | undefined;
    let restart = policy !== 'Never';
    if (containerChanged(c, s)) {
      kill = { reason: 'SpecChanged', message: `Container ${c.name} definition changed` };
      restart = true;
    } else if (probes.liveness(s.id) === 'failure') {
      kill = { reason: 'LivenessProbe', message: `Container ${c.name} failed liveness probe` };
    } else if (probes.startup(s.id) === 'failure') {
      kill = { reason: 'StartupProbe', message: `Container ${c.name} failed startup probe` };
    }
    if (!kill) {
      keep++;
      continue;
    }
    if (restart) {
      kill.message += ', will be restarted';
      actions.containersToStart.push(c.name);
    }
    actions.containersToKill.push({ id: s.id, name: c.name, ...kill });
  }
  if (keep === 0 && actions.containersToStart.length === 0) {
    // Every regular container is done for good: sidecars must not keep the pod alive.
    actions.killPod = true;
    actions.initContainersToStart = [];
  }
  return actions;
}

/** Whether every regular init container completed (sidecars need only to have started). */
function initializationDone(pod: AgentPod, state: PodRuntimeState): boolean {
  return initContainersOf(pod).every((c) => {
    const s = latestStatus(state, c.name);
    return isSidecar(c) ? s !== undefined : s !== undefined && s.state === 'CONTAINER_EXITED' && s.exitCode === 0;
  });
}

/**
 * Upstream's computeInitContainerActions: walks the init containers from the last one back to
 * find how far initialization got (completed init containers may have been removed from the
 * runtime), queues the next one and restarts sidecars that exited. Returns whether the pod is
 * initialized, so that regular containers may run.
 */
function computeInitContainerActions(pod: AgentPod, state: PodRuntimeState, probes: ProbeResults, actions: PodActions): boolean {
  const inits = initContainersOf(pod);
  if (inits.length === 0) return true;
  let podHasInitialized = pod.spec.containers.some((c) => {
    const s = latestStatus(state, c.name);
    return s !== undefined && (s.state === 'CONTAINER_CREATED' || s.state === 'CONTAINER_RUNNING');
  });
  let previouslyInitialized = podHasInitialized;
  const restartOnFailure = restartPolicyOf(pod) !== 'Never';
  const start: number[] = [];
  const kill = (s: ContainerStatus, c: ContainerSpec, reason: KillReason, message: string): void => {
    actions.containersToKill.push({ id: s.id, name: c.name, reason, message });
  };
  for (let i = inits.length - 1; i >= 0; i--) {
    const c = inits[i]!;
    const sidecar = isSidecar(c);
    const s = latestStatus(state, c.name);
    if (!s) {
      if (previouslyInitialized && sidecar) start.push(i);
      continue;
    }
    if (previouslyInitialized && !sidecar) continue;
    const initializedHere = (): void => {
      if (i === inits.length - 1) podHasInitialized = true;
      else if (!previouslyInitialized) start.push(i + 1);
    };
    if (s.state === 'CONTAINER_CREATED') {
      start.push(i);
    } else if (s.state === 'CONTAINER_RUNNING') {
      if (sidecar) {
        const r = runningSidecar(c, s, probes);
        if (r.started) initializedHere();
        if (r.kill) {
          kill(s, c, r.kill.reason, r.kill.message);
          start.push(i);
        }
      }
    } else if (s.state === 'CONTAINER_EXITED') {
      if (sidecar) start.push(i);
      else if (isInitFailed(s)) {
        if (!restartOnFailure) {
          actions.killPod = true;
          actions.initContainersToStart = [];
          return false;
        }
        start.push(i);
      } else {
        if (i === inits.length - 1) podHasInitialized = true;
        else start.push(i + 1);
      }
    } else if (sidecar) {
      kill(s, c, 'Unknown', `Init container ${c.name} is in unknown state, will be restarted`);
      start.push(i);
    } else {
      if (!restartOnFailure) {
        actions.killPod = true;
        actions.initContainersToStart = [];
        return false;
      }
      kill(s, c, 'Unknown', `Init container ${c.name} is in unknown state, will be restarted`);
      start.push(i);
    }
    previouslyInitialized = true;
  }
  if (!previouslyInitialized) start.push(0);
  actions.initContainersToStart = [...new Set(start)].sort((a, b) => a - b).map((i) => inits[i]!.name);
  return podHasInitialized;
}

/** A running sidecar: whether it counts as started (the next init container may go) and why it must be replaced. */
function runningSidecar(c: ContainerSpec, s: ContainerStatus, probes: ProbeResults): { started: boolean; kill?: { reason: KillReason; message: string } } {
  if (c.startupProbe) {
    const startup = probes.startup(s.id);
    if (startup === 'failure') return { started: false, kill: { reason: 'StartupProbe', message: `Init container ${c.name} failed startup probe` } };
    if (startup !== 'success') return { started: false };
  }
  if (containerChanged(c, s)) return { started: true, kill: { reason: 'SpecChanged', message: `Init container ${c.name} definition changed` } };
  if (c.livenessProbe && probes.liveness(s.id) === 'failure') return { started: true, kill: { reason: 'LivenessProbe', message: `Init container ${c.name} failed liveness probe` } };
  return { started: true };
}
