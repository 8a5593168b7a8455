// The status the agent reports for a pod, generated as upstream's generateAPIPodStatus does:
// containerStatuses/initContainerStatuses (state waiting/running/terminated, lastState,
// restartCount, ready, started, terminationMessage), phase by getPhase's rules (sidecars
// included), the kubelet-owned conditions with lastTransitionTime kept while their status holds,
// PodScheduled kept or added, pod IP and start time. Pure.

import type { ContainerStatus } from '../runtime/cri.ts';
import { byNewest, latestStatus, shouldRestart, type PodRuntimeState } from './pod-sync.ts';
import { initContainersOf, isSidecar, restartPolicyOf, type AgentPod, type ContainerSpec } from './pod-types.ts';
import { sameJson } from '../../machinery/same-json.ts';

/** metav1.Time: RFC 3339, second precision. */
export const metaTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface WaitingReason {
  reason: string;
  message: string;
}

export interface TerminatedState {
  exitCode: number;
  reason: string;
  message?: string;
  startedAt: string;
  finishedAt: string;
  containerID: string;
}

export interface ApiContainerState {
  waiting?: { reason: string; message?: string };
  running?: { startedAt: string };
  terminated?: TerminatedState;
}

export interface ApiContainerStatus {
  name: string;
  state: ApiContainerState;
  lastState: ApiContainerState;
  ready: boolean;
  restartCount: number;
  image: string;
  imageID: string;
  containerID?: string;
  started: boolean;
}

export interface PodCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastProbeTime?: null;
  lastTransitionTime?: string;
}

/** Readiness and startup of running containers, from the probers. */
export interface ContainerProbeState {
  ready(spec: ContainerSpec, containerId: string): boolean;
  started(spec: ContainerSpec, containerId: string): boolean;
}

export interface StatusInput {
  pod: AgentPod;
  state: PodRuntimeState;
  hostIP: string;
  now: number;
  /** Why containers that should run are not running (CrashLoopBackOff, PostStartHookError …), by name. */
  reasons?: ReadonlyMap<string, WaitingReason>;
  probes?: ContainerProbeState;
  /** Termination messages of exited containers, by container id. */
  messages?: ReadonlyMap<string, string>;
  /** The pod will not run again (deleted, or its containers are done for good). */
  terminal?: boolean;
  /** Prefix of containerID values: `<runtime>://`. */
  runtimeName?: string;
}

const NO_PROBES: ContainerProbeState = { ready: () => true, started: () => true };

/** The pod's status; fields the agent does not own are kept from the pod's current status. */
export function generatePodStatus(input: StatusInput): Record<string, unknown> {
  const { pod, now } = input;
  const old = pod.status ?? {};
  const initStatuses = initContainersOf(pod).map((c) => containerStatus(input, c, true));
  const statuses = pod.spec.containers.map((c) => containerStatus(input, c, false));
  const oldPhase = old['phase'] as string | undefined;
  // A terminal phase is final: a pod never comes back from Succeeded or Failed.
  const phase = oldPhase === 'Succeeded' || oldPhase === 'Failed' ? oldPhase : podPhase(pod, initStatuses, statuses, input.terminal ?? false);
  const latestSandbox = [...input.state.sandboxes].sort((a, b) => b.createdAt - a.createdAt)[0];
  const hostNetwork = pod.spec.hostNetwork === true;
  const podIP = hostNetwork ? input.hostIP : latestSandbox?.state === 'SANDBOX_READY' ? latestSandbox.network.ip : ((old['podIP'] as string | undefined) ?? '');
  const conditions = podConditions(input, phase, initStatuses, statuses, latestSandbox?.state === 'SANDBOX_READY' && (hostNetwork || podIP !== ''));
  const status: Record<string, unknown> = {
    ...old,
    phase,
    conditions,
    hostIP: input.hostIP,
    hostIPs: [{ ip: input.hostIP }],
    startTime: (old['startTime'] as string | undefined) ?? metaTime(now),
    containerStatuses: statuses,
  };
  if (podIP) {
    status['podIP'] = podIP;
    status['podIPs'] = [{ ip: podIP }];
  }
  if (initStatuses.length > 0) status['initContainerStatuses'] = initStatuses;
  return status;
}

function terminated(input: StatusInput, c: ContainerStatus): ApiContainerState {
  const message = input.messages?.get(c.id) || c.message || '';
  const reason = c.reason || (c.exitCode === 0 ? 'Completed' : 'Error');
  return {
    terminated: {
      exitCode: c.exitCode,
      reason,
      ...(message ? { message } : {}),
      startedAt: metaTime(c.startedAt),
      finishedAt: metaTime(c.finishedAt),
      containerID: containerId(input, c),
    },
  };
}

const containerId = (input: StatusInput, c: ContainerStatus): string => `${input.runtimeName ?? 'strata'}://${c.id}`;

function containerStatus(input: StatusInput, spec: ContainerSpec, init: boolean): ApiContainerStatus {
  const { pod, state } = input;
  const attempts = state.containers.filter((c) => c.metadata.name === spec.name).sort(byNewest);
  const current = attempts[0];
  const previous = attempts[1];
  const probes = input.probes ?? NO_PROBES;
  let st: ApiContainerState;
  let lastState: ApiContainerState = previous && previous.state === 'CONTAINER_EXITED' ? terminated(input, previous) : {};
  let ready = false;
  let started = false;
  if (!current) {
    // Init containers, and regular ones while initialization is under way, show PodInitializing.
    st = { waiting: { reason: init || !initDone(pod, state) ? 'PodInitializing' : 'ContainerCreating' } };
  } else if (current.state === 'CONTAINER_RUNNING') {
    st = { running: { startedAt: metaTime(current.startedAt) } };
    started = probes.started(spec, current.id);
    ready = (!init || isSidecar(spec)) && started && probes.ready(spec, current.id);
  } else if (current.state === 'CONTAINER_EXITED') {
    st = terminated(input, current);
    ready = init && !isSidecar(spec) && current.exitCode === 0;
  } else if (current.state === 'CONTAINER_CREATED') {
    st = { waiting: { reason: 'ContainerCreating' } };
  } else {
    st = { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', message: 'The container could not be located when the pod was terminated', startedAt: metaTime(current.startedAt), finishedAt: metaTime(current.finishedAt || current.startedAt), containerID: containerId(input, current) } };
  }
  // A container that will be started again waits, with why; its last run becomes lastState.
  const completedInit = init && !isSidecar(spec) && current?.state === 'CONTAINER_EXITED' && current.exitCode === 0;
  const reason = input.reasons?.get(spec.name);
  if (reason && !completedInit && !input.terminal && shouldRestartIn(pod, spec, state, init)) {
    if (st.terminated) lastState = st;
    st = { waiting: { reason: reason.reason, ...(reason.message ? { message: reason.message } : {}) } };
    ready = false;
    started = false;
  }
  return {
    name: spec.name,
    state: st,
    lastState,
    ready,
    restartCount: current?.metadata.attempt ?? 0,
    image: spec.image ?? '',
    imageID: current?.imageRef ?? '',
    ...(current ? { containerID: containerId(input, current) } : {}),
    started,
  };
}

/** Whether the container will be started again: init containers unless the policy is Never, sidecars always. */
function shouldRestartIn(pod: AgentPod, spec: ContainerSpec, state: PodRuntimeState, init: boolean): boolean {
  if (!init) return shouldRestart(pod, spec, state);
  if (pod.metadata.deletionTimestamp !== undefined) return false;
  if (isSidecar(spec)) return true;
  return latestStatus(state, spec.name)?.state !== 'CONTAINER_RUNNING' && restartPolicyOf(pod) !== 'Never';
}

/** Every regular init container completed (or a regular container already ran). */
function initDone(pod: AgentPod, state: PodRuntimeState): boolean {
  if (pod.spec.containers.some((c) => latestStatus(state, c.name))) return true;
  return initContainersOf(pod).every((c) => {
    const s = latestStatus(state, c.name);
    return isSidecar(c) || (s?.state === 'CONTAINER_EXITED' && s.exitCode === 0);
  });
}

/** Upstream's getPhase, over the API container statuses. */
export function podPhase(pod: AgentPod, init: ApiContainerStatus[], containers: ApiContainerStatus[], terminal: boolean): string {
  const byName = new Map([...init, ...containers].map((s) => [s.name, s]));
  let pendingInit = 0, pendingSidecars = 0, failedInit = 0;
  let unknown = 0, running = 0, waiting = 0, stopped = 0, succeeded = 0;
  for (const c of initContainersOf(pod)) {
    const s = byName.get(c.name);
    if (isSidecar(c)) {
      if (!s) unknown++;
      else if (s.state.running) {
        if (!s.started) pendingSidecars++;
        running++;
      } else if (s.state.waiting && !s.lastState.terminated) pendingSidecars++;
      continue;
    }
    if (!s || s.state.running) pendingInit++;
    else if (s.state.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInit++;
    } else if (s.lastState.terminated) {
      if (s.lastState.terminated.exitCode !== 0) failedInit++;
    } else pendingInit++;
  }
  for (const c of pod.spec.containers) {
    const s = byName.get(c.name);
    if (!s) unknown++;
    else if (s.state.running) running++;
    else if (s.state.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.lastState.terminated) stopped++;
    else waiting++;
  }
  const policy = restartPolicyOf(pod);
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  const anyRegularStarted = containers.some((s) => s.state.running || s.state.terminated || s.lastState.terminated);
  if (pendingInit > 0 || (pendingSidecars > 0 && !anyRegularStarted) || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (terminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    return policy === 'Never' ? 'Failed' : 'Running';
  }
  return 'Pending';
}

const KUBELET_CONDITIONS = new Set(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady']);

function podConditions(input: StatusInput, phase: string, init: ApiContainerStatus[], containers: ApiContainerStatus[], sandboxReady: boolean): PodCondition[] {
  const { pod, now } = input;
  const old = ((pod.status?.['conditions'] as PodCondition[] | undefined) ?? []);
  const specInit = initContainersOf(pod);
  const incomplete = specInit.filter((c, i) => {
    const s = init[i]!;
    return isSidecar(c) ? !(s.state.running && s.started) : !(s.state.terminated?.exitCode === 0 || (s.ready && !s.state.running));
  }).map((c) => c.name);
  const anyStarted = containers.some((s) => s.state.running || s.state.terminated || s.lastState.terminated);
  // As upstream: a regular container that ever ran means the pod was initialized.
  let initialized: PodCondition;
  if (anyStarted || incomplete.length === 0) initialized = { type: 'Initialized', status: 'True' };
  else if (phase === 'Succeeded') initialized = { type: 'Initialized', status: 'True', reason: 'PodCompleted' };
  else initialized = { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: `containers with incomplete status: [${incomplete.join(' ')}]` };

  let containersReady: PodCondition;
  const sidecarStatuses = init.filter((_, i) => isSidecar(specInit[i]!));
  const unready = [...sidecarStatuses, ...containers].filter((s) => !s.ready).map((s) => s.name);
  if (phase === 'Succeeded') containersReady = { type: 'ContainersReady', status: 'False', reason: 'PodCompleted' };
  else if (unready.length > 0) containersReady = { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: [${unready.join(' ')}]` };
  else containersReady = { type: 'ContainersReady', status: 'True' };

  let ready: PodCondition;
  if (containersReady.status !== 'True') ready = { ...containersReady, type: 'Ready' };
  else {
    const gates: string[] = [];
    for (const g of pod.spec.readinessGates ?? []) {
      const c = old.find((x) => x.type === g.conditionType);
      if (!c) gates.push(`corresponding condition of pod readiness gate "${g.conditionType}" does not exist.`);
      else if (c.status !== 'True') gates.push(`the status of pod readiness gate "${g.conditionType}" is not "True", but ${c.status}`);
    }
    ready = gates.length > 0 ? { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', message: gates.join(', ') } : { type: 'Ready', status: 'True' };
  }
  const owned: PodCondition[] = [{ type: 'PodReadyToStartContainers', status: sandboxReady ? 'True' : 'False' }, initialized, ready, containersReady];
  const t = metaTime(now);
  const out: PodCondition[] = owned.map((c) => {
    const prev = old.find((x) => x.type === c.type);
    return { ...c, lastProbeTime: null, lastTransitionTime: prev && prev.status === c.status ? (prev.lastTransitionTime ?? t) : t };
  });
  const scheduled = old.find((c) => c.type === 'PodScheduled') ?? { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: (pod.status?.['startTime'] as string | undefined) ?? t };
  out.push(scheduled as PodCondition, ...old.filter((c) => !KUBELET_CONDITIONS.has(c.type) && c.type !== 'PodScheduled'));
  return out;
}

export { sameJson };
