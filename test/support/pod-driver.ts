// A stand-in for the scheduler and kubelets until those land (issues 5 and 6): it registers a
// few Nodes, binds unscheduled pods to them round-robin through pods/binding, and plays the
// kubelet's status part — Running with a pod IP, Ready (after an optional delay), Job-style pods
// that exit, graceful deletion finished by a delete with grace 0. Tests and benchmarks drive
// controllers against a real API server with it. Annotations on a pod (or its template) steer it:
//   sim.strata.dev/exit-code: "N"   the pod's containers exit with N after run-ms (Succeeded/Failed)
//   sim.strata.dev/run-ms: "N"      how long such a pod runs (default 300)
//   sim.strata.dev/never-ready: "true"  Running but never Ready
//   sim.strata.dev/exit-code-by-index: "1=3,4=0"  for Indexed Job pods (by their completion index
//                                   annotation) the exit code of those indexes; others use exit-code
// A pod being deleted that still holds finalizers (Job pods keep batch.kubernetes.io/job-tracking
// until counted) first turns Failed, as the kubelet's termination does, then gets the grace-0 delete.

import { Controller, type Reconciler } from '../../src/controllers/runtime/index.ts';
import { isConflict, isNotFound, isInvalid } from '../../src/machinery/status-error.ts';
import { microTime, SharedInformerFactory, type RestClient } from '../../src/client/index.ts';
import { podCondition, type Pod } from '../../src/controllers/util/pods.ts';
import { metaTime } from '../../src/controllers/util/conditions.ts';
import { LEASES, NODES, PODS } from '../../src/controllers/util/refs.ts';
import type { KubeObject } from '../../src/api/types.ts';

export const EXIT_CODE = 'sim.strata.dev/exit-code';
export const RUN_MS = 'sim.strata.dev/run-ms';
export const NEVER_READY = 'sim.strata.dev/never-ready';
export const EXIT_CODE_BY_INDEX = 'sim.strata.dev/exit-code-by-index';
const COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';

export interface PodDriverOptions {
  nodes?: string[];
  /** Bind pods without spec.nodeName (no scheduler yet). */
  bind?: boolean;
  /** Delay between Running and Ready, ms. */
  readyDelayMs?: number;
  workers?: number;
}

interface ContainerSpec {
  name: string;
  image?: string;
}

export class PodDriver {
  readonly nodes: string[];
  readonly #client: RestClient;
  readonly #options: PodDriverOptions;
  readonly #ac = new AbortController();
  #run: Promise<void> | undefined;
  #next = 0;
  #ip = 0;
  /** When each pod (by uid) was reported Running, in ms (startTime has second precision only). */
  readonly #runningSince = new Map<string, number>();

  constructor(client: RestClient, options: PodDriverOptions = {}) {
    this.#client = client;
    this.#options = options;
    this.nodes = options.nodes ?? ['node-1', 'node-2', 'node-3'];
  }

  async start(): Promise<void> {
    for (const name of this.nodes) await this.ensureNode(name);
    // Node heartbeats, as a kubelet renews its Lease: the node lifecycle controller would
    // otherwise call the nodes unreachable after 40 s and taint them.
    const renew = (): void => {
      for (const name of this.nodes) void this.#renewLease(name).catch(() => undefined);
    };
    renew();
    const timer = setInterval(renew, 5_000);
    this.#ac.signal.addEventListener('abort', () => clearInterval(timer), { once: true });
    const informers = new SharedInformerFactory(this.#client);
    const pods = informers.informerFor<Pod>(PODS);
    const reconciler: Reconciler = { reconcile: (key, signal) => this.#reconcile(pods.indexer.get(key), signal) };
    const controller = new Controller({ name: 'pod-driver', reconciler, workers: this.#options.workers ?? 8 }).watch(pods);
    this.#run = controller.run(this.#ac.signal);
    await pods.hasSynced;
  }

  async stop(): Promise<void> {
    this.#ac.abort();
    await this.#run;
  }

  /** Creates (or re-readies) a Node with a Ready condition and a fresh heartbeat. */
  async ensureNode(name: string, labels: Record<string, string> = {}): Promise<void> {
    const node: KubeObject = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', ...labels } },
      spec: {},
    };
    try {
      await this.#client.create(NODES, node);
    } catch (err) {
      if (!(err as { status?: { reason?: string } }).status || (err as { status: { reason: string } }).status.reason !== 'AlreadyExists') throw err;
    }
    const now = metaTime(Date.now());
    const capacity = { cpu: '32', memory: '256Gi', pods: '110' };
    await this.#client.patch({ ...NODES, name }, 'merge', {
      status: {
        capacity,
        allocatable: capacity,
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'pod driver', lastHeartbeatTime: now, lastTransitionTime: now }],
        addresses: [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: name }],
      },
    }, { subresource: 'status' });
  }

  async #renewLease(node: string): Promise<void> {
    const ref = { ...LEASES, namespace: 'kube-node-lease' };
    const spec = { holderIdentity: node, leaseDurationSeconds: 40, renewTime: microTime(Date.now()) };
    try {
      await this.#client.patch({ ...ref, name: node }, 'merge', { spec });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await this.#client.create(ref, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: node, namespace: 'kube-node-lease' }, spec });
    }
  }

  async #reconcile(pod: Pod | undefined, signal: AbortSignal): Promise<{ requeueAfter?: number } | void> {
    if (!pod) return;
    const ref = { ...PODS, namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '' };
    try {
      if (pod.metadata.deletionTimestamp) {
        const phase = pod.status?.phase;
        if (pod.metadata.finalizers?.length && this.nodes.includes(pod.spec?.nodeName ?? '') && phase !== 'Succeeded' && phase !== 'Failed') {
          await this.#writeStatus(pod, 'Failed', false, 137, signal);
        }
        await this.#client.delete({ ...ref }, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid ?? '' }, signal });
        return;
      }
      const nodeName = pod.spec?.nodeName;
      if (!nodeName) {
        if (this.#options.bind === false) return;
        const target = pinnedNode(pod) ?? this.nodes[this.#next++ % this.nodes.length] ?? 'node-1';
        await this.#client.request('POST', `/api/v1/namespaces/${ref.namespace}/pods/${ref.name}/binding`, {
          apiVersion: 'v1', kind: 'Binding', metadata: { name: ref.name, namespace: ref.namespace }, target: { apiVersion: 'v1', kind: 'Node', name: target },
        }, { signal });
        return;
      }
      if (!this.nodes.includes(nodeName)) return;
      return await this.#advance(pod, signal);
    } catch (err) {
      if (isNotFound(err) || isConflict(err) || isInvalid(err)) return;
      throw err;
    }
  }

  /** Moves a bound pod one step: Pending → Running(+Ready) → (for exiting pods) Succeeded/Failed. */
  async #advance(pod: Pod, signal: AbortSignal): Promise<{ requeueAfter?: number } | void> {
    const phase = pod.status?.phase ?? 'Pending';
    if (phase === 'Succeeded' || phase === 'Failed') return;
    const annotations = pod.metadata.annotations ?? {};
    const now = Date.now();
    if (phase === 'Pending') {
      const readyDelay = this.#options.readyDelayMs ?? 0;
      const ready = annotations[NEVER_READY] !== 'true' && readyDelay === 0;
      await this.#writeStatus(pod, 'Running', ready, undefined, signal);
      this.#runningSince.set(pod.metadata.uid ?? '', Date.now());
      if (exitCodeOf(annotations) !== undefined) return { requeueAfter: Number(annotations[RUN_MS] ?? 300) };
      return ready || annotations[NEVER_READY] === 'true' ? undefined : { requeueAfter: readyDelay };
    }
    const exit = exitCodeOf(annotations);
    if (exit !== undefined) {
      const started = Date.parse(pod.status?.startTime ?? '') || now;
      const remaining = started + Number(annotations[RUN_MS] ?? 300) - now;
      if (remaining > 0) return { requeueAfter: remaining };
      await this.#writeStatus(pod, Number(exit) === 0 ? 'Succeeded' : 'Failed', false, Number(exit), signal);
      return;
    }
    if (annotations[NEVER_READY] !== 'true' && podCondition(pod, 'Ready')?.status !== 'True') {
      // The Running write itself wakes this pod again: Ready only once the delay has passed.
      const runningSince = this.#runningSince.get(pod.metadata.uid ?? '') ?? now;
      const wait = runningSince + (this.#options.readyDelayMs ?? 0) - now;
      if (wait > 0) return { requeueAfter: wait };
      await this.#writeStatus(pod, 'Running', true, undefined, signal);
      this.#runningSince.delete(pod.metadata.uid ?? '');
    }
  }

  async #writeStatus(pod: Pod, phase: string, ready: boolean, exitCode: number | undefined, signal: AbortSignal): Promise<void> {
    const now = metaTime(Date.now());
    const containers = (pod.spec?.['containers'] as ContainerSpec[] | undefined) ?? [];
    const old = pod.status ?? {};
    const cond = (type: string, status: boolean) => {
      const prev = podCondition(pod, type);
      const s = status ? 'True' : 'False';
      return { type, status: s, lastProbeTime: null, lastTransitionTime: prev?.status === s ? (prev.lastTransitionTime ?? now) : now };
    };
    const terminated = exitCode !== undefined;
    const podIP = old.podIP ?? this.#nextIp();
    const status = {
      ...old,
      phase,
      hostIP: '127.0.0.1',
      podIP,
      podIPs: [{ ip: podIP }],
      startTime: old.startTime ?? now,
      conditions: [cond('PodReadyToStartContainers', !terminated), cond('Initialized', true), cond('ContainersReady', ready), cond('Ready', ready), cond('PodScheduled', true)],
      containerStatuses: containers.map((c) => ({
        name: c.name,
        image: c.image ?? '',
        imageID: '',
        ready,
        restartCount: 0,
        started: !terminated,
        state: terminated
          ? { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: old.startTime ?? now, finishedAt: now } }
          : { running: { startedAt: old.startTime ?? now } },
      })),
    };
    await this.#client.updateStatus({ ...PODS, namespace: pod.metadata.namespace ?? '' }, { ...pod, status }, { signal });
  }

  #nextIp(): string {
    const n = ++this.#ip;
    return `10.244.${(n >> 8) & 255}.${n & 255}`;
  }
}

/** The exit code a pod's containers end with: by completion index when listed, else exit-code; undefined for pods that keep running. */
function exitCodeOf(annotations: Record<string, string>): string | undefined {
  const index = annotations[COMPLETION_INDEX];
  if (index !== undefined && annotations[EXIT_CODE_BY_INDEX]) {
    for (const pair of annotations[EXIT_CODE_BY_INDEX].split(',')) {
      const [ix, code] = pair.split('=');
      if (ix?.trim() === index && code !== undefined) return code.trim();
    }
  }
  return annotations[EXIT_CODE];
}

/** The node a pod is pinned to by required node affinity on metadata.name (DaemonSet pods) or the hostname label. */
function pinnedNode(pod: Pod): string | undefined {
  const spec = pod.spec as {
    nodeSelector?: Record<string, string>;
    affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: { matchFields?: { key: string; operator: string; values?: string[] }[] }[] } } };
  } | undefined;
  for (const term of spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of term.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.[0]) return f.values[0];
  }
  return spec?.nodeSelector?.['kubernetes.io/hostname'];
}
