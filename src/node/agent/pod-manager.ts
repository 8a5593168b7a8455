// The pod side of the node agent (upstream's kubelet syncLoop + status manager, in small): an
// informer on the pods bound to this node feeds the pod workers (update on add and change, remove
// once the pod is gone from the API); the workers' statuses are written to pods/status, and a pod
// that finished terminating for deletion is deleted with grace 0 (uid precondition), as the
// kubelet does. After the first list, runtime state of pods this node no longer has is removed.
// stop() leaves containers running for the next agent to re-adopt, unless asked to stop them
// (`strata up`, where stopping the cluster means stopping its pods).

import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { KubeObject } from '../../api/types.ts';
import { EventRecorder, Informer, listWatchFor, realClock, type Clock, type RestClient } from '../../client/index.ts';
import { isConflict, isNotFound } from '../../machinery/status-error.ts';
import type { RuntimeService } from '../runtime/cri.ts';
import { TokenManager, VolumeManager } from '../volumes/index.ts';
import { ContainerResolver } from './container-resolver.ts';
import { CachedObjectSource } from './object-source.ts';
import { CachedServiceLister } from './service-env.ts';
import type { PodEventRecorder } from './pod-containers.ts';
import { sameJson } from './pod-status.ts';
import { ANNOTATION_GRACE_PERIOD, LABEL_POD_UID, podUid, type AgentPod } from './pod-types.ts';
import { PodWorkers } from './pod-workers.ts';
import { admitPod, type NodeView } from './pod-admission.ts';

const PODS = { group: '', version: 'v1', resource: 'pods' } as const;

/** Status fields the agent owns: when a new status lacks one the API has, the patch clears it. */
const OWNED_STATUS_FIELDS = [
  'phase', 'conditions', 'message', 'reason', 'hostIP', 'hostIPs', 'podIP', 'podIPs', 'startTime',
  'initContainerStatuses', 'containerStatuses', 'ephemeralContainerStatuses', 'qosClass',
];

export interface PodManagerOptions {
  client: RestClient;
  nodeName: string;
  runtime: RuntimeService;
  /** The runtime's name in containerID values and events (`process://<id>`). */
  runtimeName: string;
  hostIP: string;
  logger: Logger;
  clock?: Clock;
  /** How often each pod is re-synced against the runtime (1 s). */
  resyncMs?: number;
  /** How long start() waits for the first list before returning not ready (10 s). */
  syncTimeoutMs?: number;
  /** stop() also stops every container (each within its pod's grace, at most this many seconds). */
  stopContainersOnStop?: { maxGraceSeconds: number };
  /** Where pods' volumes and termination-message files live; without it pods get no volumes. */
  podsDir?: string;
  /** How long a read ConfigMap, Secret, claim or Node is reused (5 s): updates reach pods within it. */
  objectTtlMs?: number;
  /** The runtime can bind-mount: each container gets a host file at its terminationMessagePath. */
  terminationLogs?: boolean;
}

export interface RunningPodManager {
  readonly workers: PodWorkers;
  ready(): { ready: boolean; message?: string };
  stop(): Promise<void>;
}

/** Starts the informer and the workers; resolves once the first list is in (or syncTimeoutMs passed). */
export async function startPodManager(options: PodManagerOptions): Promise<RunningPodManager> {
  const { client, nodeName, runtime, logger } = options;
  const log = logger.child({ component: 'pod-manager' });
  const clock = options.clock ?? realClock;
  const ac = new AbortController();
  const events = new EventRecorder(client, { source: { component: 'kubelet', host: nodeName }, reportingController: 'kubelet', reportingInstance: nodeName, clock, logger: log });
  const recorder: PodEventRecorder = {
    event: (pod, type, reason, message) => void events.event(asPod(pod), type, reason, message),
  };
  const objects = CachedObjectSource.forClient(client, clock, options.objectTtlMs ?? 5000);
  // Limits a container leaves unset are the node's allocatable (resourceFieldRef); refreshed with the objects' TTL.
  let allocatable: Record<string, unknown> = {};
  // What pod admission reads of the Node: allocatable and conditions (MemoryPressure).
  let nodeView: NodeView = {};
  const refreshAllocatable = (): void => void objects.get<KubeObject & { status?: NodeView }>('node', '', nodeName)
    .then((n) => {
      allocatable = n.status?.allocatable ?? allocatable;
      nodeView = n.status ?? nodeView;
    }, () => undefined);
  refreshAllocatable();
  const allocatableTimer = setInterval(refreshAllocatable, options.objectTtlMs ?? 5000);
  allocatableTimer.unref();
  const volumes = options.podsDir
    ? new VolumeManager({ podsDir: options.podsDir, objects, tokens: TokenManager.forClient(client, clock), clock, allocatable: () => allocatable })
    : undefined;
  const resolver = new ContainerResolver({
    objects, allocatable: () => allocatable, recorder,
    services: new CachedServiceLister(client, clock, options.objectTtlMs ?? 5000),
    ...(volumes ? { volumes } : {}),
    terminationLogs: options.terminationLogs === true && volumes !== undefined,
  });
  const workers = new PodWorkers({
    runtime,
    resolver,
    ...(volumes ? { volumes } : {}),
    ...(volumes && options.terminationLogs ? {
      messages: {
        readMessageFile: async (c) => (await readFile(volumes.terminationLogPath(c.labels[LABEL_POD_UID] ?? '', c.metadata.name, c.metadata.attempt))).toString('utf8'),
      },
    } : {}),
    clock,
    hostIP: options.hostIP,
    runtimeName: options.runtimeName,
    resyncMs: options.resyncMs ?? 1000,
    recorder,
    statusWriter: (pod, status) => writeStatus(client, pod, status, ac.signal),
    onTerminated: (pod, how) => (how.deleted ? deletePod(client, pod, log) : undefined),
    onError: (pod, err) => log.warn({ err, pod: `${pod.metadata.namespace}/${pod.metadata.name}` }, 'pod sync failed'),
  });
  const removing = new Set<Promise<void>>();
  const remove = (pod: AgentPod): void => {
    const p = workers.remove(podUid(pod)).catch((err: unknown) => log.warn({ err, pod: `${pod.metadata.namespace}/${pod.metadata.name}` }, 'removing the pod\'s containers failed'));
    removing.add(p);
    void p.finally(() => removing.delete(p));
  };
  const informer = new Informer<AgentPod>(
    listWatchFor<AgentPod>(client, PODS, { fieldSelector: `spec.nodeName=${nodeName}` }),
    { clock, logger: log },
  );
  // Pods admission turned away: they never get a worker; deleting one removes it at once.
  const rejected = new Set<string>();
  const handle = (pod: AgentPod): void => {
    const uid = podUid(pod);
    if (rejected.has(uid)) {
      if (pod.metadata.deletionTimestamp) void deletePod(client, pod, log).catch(() => undefined);
      return;
    }
    if (!workers.get(uid) && needsAdmission(pod)) {
      const active = informer.indexer.list().filter((p) => podUid(p) !== uid && workers.get(podUid(p)) !== undefined && !isTerminal(p));
      const rejection = admitPod(pod, active, nodeView);
      if (rejection) {
        rejected.add(uid);
        recorder.event(pod, 'Warning', rejection.reason, rejection.message);
        void writeStatus(client, pod, { phase: 'Failed', reason: rejection.reason, message: rejection.message }, ac.signal)
          .catch((err: unknown) => log.warn({ err, pod: `${pod.metadata.namespace}/${pod.metadata.name}` }, 'writing the rejected pod\'s status failed'));
        return;
      }
    }
    void workers.update(pod);
  };
  informer.addEventHandler({
    onAdd: handle,
    onUpdate: (_old, pod) => handle(pod),
    onDelete: (pod) => {
      rejected.delete(podUid(pod));
      remove(pod);
    },
  });
  const running = informer.run(ac.signal);
  let synced = false;
  let runtimeError: string | undefined;
  const sync = informer.hasSynced.then(async () => {
    try {
      const orphans = await workers.cleanupOrphans(informer.indexer.list().map(podUid));
      if (orphans.length > 0) log.info({ pods: orphans }, 'removed containers of pods no longer on this node');
      const dirs = await volumes?.cleanupOrphans(informer.indexer.list().map(podUid)) ?? [];
      if (dirs.length > 0) log.info({ pods: dirs }, 'removed volumes of pods no longer on this node');
    } catch (err) {
      runtimeError = `container runtime is down: ${err instanceof Error ? err.message : String(err)}`;
      log.error({ err }, 'listing the runtime failed');
    }
    synced = true;
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([sync, new Promise<void>((r) => (timer = setTimeout(r, options.syncTimeoutMs ?? 10_000)))]);
  clearTimeout(timer);

  return {
    workers,
    ready() {
      if (runtimeError) return { ready: false, message: runtimeError };
      return synced ? { ready: true } : { ready: false, message: 'pods bound to this node not listed yet' };
    },
    async stop() {
      ac.abort();
      clearInterval(allocatableTimer);
      await running;
      // A sync under way finishes (bounded: a graceful kill may take its whole grace period).
      const busy = workers.uids().map((uid) => workers.get(uid)?.idle());
      workers.dispose();
      await Promise.race([Promise.all([...busy, ...removing]), new Promise((r) => setTimeout(r, 5000).unref())]);
      if (options.stopContainersOnStop) await stopAll(runtime, options.stopContainersOnStop.maxGraceSeconds, log);
    },
  };
}

/** A pod that has not run here yet (still Pending, not being deleted) must be admitted first. */
function needsAdmission(pod: AgentPod): boolean {
  return (pod.status?.phase ?? 'Pending') === 'Pending' && !pod.metadata.deletionTimestamp;
}

function isTerminal(pod: AgentPod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** Pods from a list carry no apiVersion and kind; Events need them for involvedObject. */
function asPod(pod: AgentPod): KubeObject {
  return { ...pod, apiVersion: 'v1', kind: 'Pod' };
}

/**
 * A merge patch of pods/status with the worker's status (lists replace whole, as the status is
 * generated whole); owned fields the new status dropped are cleared. Merge patches do not carry a
 * resourceVersion, so a conflict means the pod was replaced or is mid-write: re-read and retry.
 */
export async function writeStatus(client: RestClient, pod: AgentPod, status: Record<string, unknown>, signal?: AbortSignal): Promise<void> {
  const ref = { ...PODS, namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name ?? '' };
  let current = pod.status ?? {};
  for (let attempt = 0; ; attempt++) {
    const patch: Record<string, unknown> = { ...status };
    for (const k of OWNED_STATUS_FIELDS) if (!(k in status) && k in current) patch[k] = null;
    try {
      await client.patch(ref, 'merge', { metadata: { uid: podUid(pod) }, status: patch }, { subresource: 'status', ...(signal ? { signal } : {}) });
      return;
    } catch (err) {
      if (isNotFound(err)) return;
      if (!isConflict(err) || attempt >= 4) throw err;
      const fresh = await client.get<AgentPod>(ref, signal ? { signal } : {}).catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
      if (!fresh || podUid(fresh) !== podUid(pod)) return; // another pod of that name: ours is gone
      if (fresh.status && sameJson(fresh.status, status)) return;
      current = fresh.status ?? {};
    }
  }
}

/** The pod finished terminating for deletion: remove it from the API (grace 0, only this uid). */
async function deletePod(client: RestClient, pod: AgentPod, log: Logger): Promise<void> {
  const ref = { ...PODS, namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name ?? '' };
  try {
    await client.delete(ref, { gracePeriodSeconds: 0, preconditions: { uid: podUid(pod) } });
  } catch (err) {
    if (isNotFound(err) || isConflict(err)) return;
    log.warn({ err, pod: `${ref.namespace}/${ref.name}` }, 'deleting the terminated pod failed');
    throw err;
  }
}

/** Stops every running container, each with its pod's grace period (capped). */
async function stopAll(runtime: RuntimeService, maxGraceSeconds: number, log: Logger): Promise<void> {
  const running = await runtime.listContainers({ state: 'CONTAINER_RUNNING' });
  await Promise.all(running.map(async (c) => {
    const grace = Number(c.annotations[ANNOTATION_GRACE_PERIOD] ?? 30);
    try {
      await runtime.stopContainer(c.id, Math.min(Number.isFinite(grace) ? grace : 30, maxGraceSeconds));
    } catch (err) {
      log.warn({ err, container: c.id }, 'stopping the container failed');
    }
  }));
  if (running.length > 0) log.info({ containers: running.length }, 'stopped the pods\' containers');
}
