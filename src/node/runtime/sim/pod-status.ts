// The API status of a pod from what the runtime reports, as upstream's kubelet generates it:
// phase by getPhase's rules, the kubelet-owned conditions (PodReadyToStartContainers,
// Initialized, Ready, ContainersReady) with upstream's reasons and messages, PodScheduled kept
// or added, container statuses with state/lastState/ready/started/restartCount/image/imageID/
// containerID, and a merge patch carrying only the top-level fields that changed.

import type { ContainerStatus } from '../cri.ts';
import { sameJson } from '../../../machinery/same-json.ts';

/** metav1.Time: RFC 3339, second precision. */
export const metaTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** One container of the pod spec as the agent sees it in the runtime. */
export interface ContainerView {
  name: string;
  image: string;
  /** The latest attempt (undefined: not created yet). */
  current: ContainerStatus | undefined;
  /** The attempt before it, when the current one replaced it. */
  previous: ContainerStatus | undefined;
  restartCount: number;
  ready: boolean;
  /** Set while the container waits to be (re)started: CrashLoopBackOff, ContainerCreating. */
  waiting?: { reason: string; message?: string };
  /** An init container with restartPolicy Always. */
  sidecar?: boolean;
}

export interface PodCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastProbeTime?: null;
  lastTransitionTime?: string;
}

export interface StatusInput {
  restartPolicy: string;
  /** The pod finished for good (deleted or its containers done): podIsTerminal in upstream. */
  terminal: boolean;
  sandboxReady: boolean;
  hostIP: string;
  podIP: string;
  startTime: number;
  init: ContainerView[];
  containers: ContainerView[];
  readinessGates: string[];
  now: number;
}

type Status = Record<string, unknown>;

const isRunning = (v: ContainerView): boolean => !v.waiting && v.current?.state === 'CONTAINER_RUNNING';
const isExited = (v: ContainerView): boolean => !v.waiting && v.current?.state === 'CONTAINER_EXITED';

/** Upstream's getPhase over the regular containers (init containers complete before they start). */
export function podPhase(input: Pick<StatusInput, 'restartPolicy' | 'terminal' | 'init' | 'containers'>): string {
  const failedInit = input.init.some((v) => !v.sidecar && isExited(v) && v.current!.exitCode !== 0);
  const pendingInit = input.init.some((v) => !v.sidecar && !(isExited(v) && v.current!.exitCode === 0) && !(v.waiting && v.previous));
  if (failedInit && input.restartPolicy === 'Never') return 'Failed';
  let running = 0, waiting = 0, stopped = 0, succeeded = 0, unknown = 0;
  for (const v of input.containers) {
    if (!v.current) unknown++;
    else if (v.waiting) (v.current.state === 'CONTAINER_EXITED' ? stopped++ : waiting++);
    else if (v.current.state === 'CONTAINER_RUNNING') running++;
    else if (v.current.state === 'CONTAINER_EXITED') {
      stopped++;
      if (v.current.exitCode === 0) succeeded++;
    } else waiting++;
  }
  if (pendingInit || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (input.terminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (input.restartPolicy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    return input.restartPolicy === 'Never' ? 'Failed' : 'Running';
  }
  return 'Pending';
}

function terminatedState(c: ContainerStatus): Status {
  return {
    terminated: {
      exitCode: c.exitCode,
      reason: c.reason,
      startedAt: metaTime(c.startedAt),
      finishedAt: metaTime(c.finishedAt),
      containerID: `sim://${c.id}`,
    },
  };
}

function apiContainerStatus(v: ContainerView, init: boolean): Status {
  const c = v.current;
  let state: Status;
  let lastState: Status = v.previous?.state === 'CONTAINER_EXITED' ? terminatedState(v.previous) : {};
  if (v.waiting) {
    state = { waiting: { reason: v.waiting.reason, ...(v.waiting.message ? { message: v.waiting.message } : {}) } };
    if (c?.state === 'CONTAINER_EXITED') lastState = terminatedState(c);
  } else if (c?.state === 'CONTAINER_RUNNING') {
    state = { running: { startedAt: metaTime(c.startedAt) } };
  } else if (c?.state === 'CONTAINER_EXITED') {
    state = terminatedState(c);
  } else {
    state = { waiting: { reason: 'ContainerCreating' } };
  }
  const completedInit = init && !v.sidecar && !v.waiting && c?.state === 'CONTAINER_EXITED' && c.exitCode === 0;
  return {
    name: v.name,
    state,
    lastState,
    ready: completedInit || (isRunning(v) && v.ready),
    restartCount: v.restartCount,
    image: v.image,
    imageID: c?.imageRef ?? '',
    ...(c ? { containerID: `sim://${c.id}` } : {}),
    started: isRunning(v),
  };
}

function readyConditions(input: StatusInput, phase: string, conditions: readonly PodCondition[]): [PodCondition, PodCondition] {
  let containersReady: PodCondition;
  if (phase === 'Succeeded' || phase === 'Failed') {
    containersReady = { type: 'ContainersReady', status: 'False', reason: phase === 'Succeeded' ? 'PodCompleted' : 'PodFailed' };
  } else {
    const unready = [...input.init.filter((v) => v.sidecar), ...input.containers].filter((v) => !(isRunning(v) && v.ready)).map((v) => v.name);
    containersReady = unready.length > 0
      ? { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: [${unready.join(' ')}]` }
      : { type: 'ContainersReady', status: 'True' };
  }
  if (containersReady.status !== 'True') return [{ ...containersReady, type: 'Ready' }, containersReady];
  const gates: string[] = [];
  for (const gate of input.readinessGates) {
    const c = conditions.find((x) => x.type === gate);
    if (!c) gates.push(`corresponding condition of pod readiness gate "${gate}" does not exist.`);
    else if (c.status !== 'True') gates.push(`the status of pod readiness gate "${gate}" is not "True", but ${c.status}`);
  }
  const ready: PodCondition = gates.length > 0 ? { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', message: gates.join(', ') } : { type: 'Ready', status: 'True' };
  return [ready, containersReady];
}

const KUBELET_CONDITIONS = new Set(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady']);

/** The pod's status as the agent reports it; fields the agent does not own are kept from `old`. */
export function buildPodStatus(old: Status, input: StatusInput): Status {
  const phase = podPhase(input);
  const oldConditions = (old['conditions'] as PodCondition[] | undefined) ?? [];
  const incomplete = input.init.filter((v) => !v.sidecar && !(isExited(v) && v.current!.exitCode === 0)).map((v) => v.name);
  const initialized: PodCondition = phase === 'Succeeded'
    ? { type: 'Initialized', status: 'True', reason: 'PodCompleted' }
    : incomplete.length === 0 || input.containers.some((v) => v.current?.startedAt)
      ? { type: 'Initialized', status: 'True' }
      : { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: `containers with incomplete status: [${incomplete.join(' ')}]` };
  const [ready, containersReady] = readyConditions(input, phase, oldConditions);
  const owned: PodCondition[] = [{ type: 'PodReadyToStartContainers', status: input.sandboxReady ? 'True' : 'False' }, initialized, ready, containersReady];
  const now = metaTime(input.now);
  const conditions = owned.map((c) => {
    const prev = oldConditions.find((x) => x.type === c.type);
    return { ...c, lastProbeTime: null, lastTransitionTime: prev && prev.status === c.status ? (prev.lastTransitionTime ?? now) : now };
  });
  const scheduled = oldConditions.find((c) => c.type === 'PodScheduled') ?? { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: metaTime(input.startTime) };
  conditions.push(scheduled as (typeof conditions)[number], ...(oldConditions.filter((c) => !KUBELET_CONDITIONS.has(c.type) && c.type !== 'PodScheduled') as typeof conditions));
  const status: Status = {
    ...old,
    phase,
    conditions,
    hostIP: input.hostIP,
    hostIPs: [{ ip: input.hostIP }],
    startTime: metaTime(input.startTime),
    containerStatuses: input.containers.map((v) => apiContainerStatus(v, false)),
  };
  if (input.podIP) {
    status['podIP'] = input.podIP;
    status['podIPs'] = [{ ip: input.podIP }];
  }
  if (input.init.length > 0) status['initContainerStatuses'] = input.init.map((v) => apiContainerStatus(v, true));
  return status;
}

/** The top-level status fields of `next` that differ from `old` (undefined when none do). */
export function statusPatch(old: Status, next: Status): Status | undefined {
  const patch: Status = {};
  let changed = false;
  for (const [k, v] of Object.entries(next)) {
    if (sameJson(v, old[k])) continue;
    patch[k] = v;
    changed = true;
  }
  for (const k of Object.keys(old)) {
    if (!(k in next) && old[k] !== null && old[k] !== undefined) {
      patch[k] = null;
      changed = true;
    }
  }
  return changed ? patch : undefined;
}

export { sameJson };
