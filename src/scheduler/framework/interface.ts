// The plugin contract (upstream framework/interface.go). A plugin is an object with a name and
// the methods of the extension points it implements; `satisfies FilterPlugin` etc. checks it.
// Everything up to Reserve runs synchronously inside one scheduling cycle (JS has one thread, so a
// cycle that never awaits sees a consistent snapshot); PreBind, Bind and PostFilter's API calls
// run in the background binding cycle. A plugin returns a Status or undefined (= Success).

import type { Logger } from 'pino';
import type { Clock, EventRecorder, RestClient } from '../../client/index.ts';
import type { NodeInfo } from '../cache/node-info.ts';
import type { Snapshot } from '../cache/snapshot.ts';
import type { CycleState } from './cycle-state.ts';
import type { ClusterEventWithHint } from './events.ts';
import type { ClusterListers } from './listers.ts';
import type { PodInfo } from './pod-info.ts';
import type { Status } from './status.ts';

export const MAX_NODE_SCORE = 100;
export const MIN_NODE_SCORE = 0;
export const MAX_TOTAL_SCORE = Number.MAX_SAFE_INTEGER;

export interface Plugin {
  readonly name: string;
  /** EnqueueExtensions: the cluster events that may resolve this plugin's rejections. */
  eventsToRegister?(): ClusterEventWithHint[];
}

/** What the queue keeps per pod. */
export interface QueuedPodInfo {
  podInfo: PodInfo;
  /** When the pod was (last) added to the queue, ms. */
  timestamp: number;
  /** When the pod first entered the queue, ms. */
  initialAttemptTimestamp: number;
  attempts: number;
  /** Plugins that rejected the pod in its last attempt (Unschedulable/Unresolvable). */
  unschedulablePlugins: Set<string>;
  /** Plugins that returned Pending. */
  pendingPlugins: Set<string>;
  /** Rejected by a PreEnqueue plugin: waits in the unschedulable pool. */
  gatingPlugin: string;
  /** Ended with an Error (not a rejection): always backs off. */
  failedWithError: boolean;
}

export interface PreEnqueuePlugin extends Plugin {
  preEnqueue(pod: PodInfo): Status | undefined;
}

export interface QueueSortPlugin extends Plugin {
  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean;
}

/** Narrows the nodes Filter looks at (e.g. NodeAffinity pinning metadata.name). */
export interface PreFilterResult {
  nodeNames: Set<string>;
}

export interface PreFilterExtensions {
  addPod(state: CycleState, podToSchedule: PodInfo, podToAdd: PodInfo, nodeInfo: NodeInfo): Status | undefined;
  removePod(state: CycleState, podToSchedule: PodInfo, podToRemove: PodInfo, nodeInfo: NodeInfo): Status | undefined;
}

export interface PreFilterPlugin extends Plugin {
  /** A Status (Skip skips this plugin's Filter), a PreFilterResult, or undefined. */
  preFilter(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status | PreFilterResult | undefined;
  /** Incremental updates of the PreFilter state when preemption adds or removes pods. */
  readonly preFilterExtensions?: PreFilterExtensions;
}

export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): Status | undefined;
}

/** Statuses of the nodes a pod was tried on; nodes not listed get `absent`. */
export interface NodeToStatus {
  readonly map: ReadonlyMap<string, Status>;
  readonly absent: Status;
}

export interface PostFilterResult {
  /** The node to nominate ('' clears a nomination). */
  nominatedNodeName: string;
}

export interface PostFilterPlugin extends Plugin {
  postFilter(state: CycleState, pod: PodInfo, statuses: NodeToStatus): { result?: PostFilterResult; status: Status };
}

export interface PreScorePlugin extends Plugin {
  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status | undefined;
}

export interface NodeScore {
  name: string;
  score: number;
}

export interface ScorePlugin extends Plugin {
  /** A score in [0, 100] (or any range NormalizeScore maps into it), or a failure Status. */
  score(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): number | Status;
  normalizeScore?(state: CycleState, pod: PodInfo, scores: NodeScore[]): Status | undefined;
}

export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: PodInfo, nodeName: string): Status | undefined;
  unreserve(state: CycleState, pod: PodInfo, nodeName: string): void;
}

export interface PermitPlugin extends Plugin {
  /** Wait holds the pod before binding up to `timeoutMs`; Allow/Reject come through the waiting pod. */
  permit(state: CycleState, pod: PodInfo, nodeName: string): { status?: Status; timeoutMs?: number };
}

export interface PreBindPlugin extends Plugin {
  preBind(state: CycleState, pod: PodInfo, nodeName: string, signal: AbortSignal): Promise<Status | undefined>;
}

export interface BindPlugin extends Plugin {
  /** Skip passes the pod to the next bind plugin. */
  bind(state: CycleState, pod: PodInfo, nodeName: string, signal: AbortSignal): Promise<Status | undefined>;
}

export interface PostBindPlugin extends Plugin {
  postBind(state: CycleState, pod: PodInfo, nodeName: string): void;
}

/** Nominated pods per node (upstream PodNominator): pods that preempted and wait for room. */
export interface PodNominator {
  nominatedPodsForNode(nodeName: string): readonly PodInfo[];
  /** How many pods are nominated in all, when known (0 lets Filter skip the per-node lookup). */
  readonly size?: number;
}

/** What a plugin gets from its framework (upstream framework.Handle). */
export interface Handle {
  readonly schedulerName: string;
  /** The snapshot of the current cycle. */
  snapshot(): Snapshot;
  readonly listers: ClusterListers;
  readonly client: RestClient | undefined;
  readonly recorder: EventRecorder | undefined;
  readonly nominator: PodNominator;
  readonly clock: Clock;
  readonly logger: Logger | undefined;
  /** Runs the Filter plugins, counting nominated pods of at least the pod's priority as present. */
  runFilterPluginsWithNominatedPods(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): Status;
  runPreFilterExtensionAddPod(state: CycleState, pod: PodInfo, toAdd: PodInfo, nodeInfo: NodeInfo): Status;
  runPreFilterExtensionRemovePod(state: CycleState, pod: PodInfo, toRemove: PodInfo, nodeInfo: NodeInfo): Status;
  /** Moves pods from the unschedulable pool or backoff straight to the active queue. */
  activate(pods: readonly PodInfo[]): void;
  /** Re-runs PreEnqueue for pods a PreEnqueue plugin holds back; those now admitted go to the active queue. */
  ungate(pods: readonly PodInfo[]): void;
  /** Rejects a pod waiting in Permit (preemption of a waiting pod). */
  rejectWaitingPod(uid: string, plugin: string, message: string): boolean;
}

/** Makes a plugin from its (defaulted, validated) args. */
export type PluginFactory = (args: unknown, handle: Handle) => Plugin;

export const isPreEnqueue = (p: Plugin): p is PreEnqueuePlugin => typeof (p as PreEnqueuePlugin).preEnqueue === 'function';
export const isQueueSort = (p: Plugin): p is QueueSortPlugin => typeof (p as QueueSortPlugin).less === 'function';
export const isPreFilter = (p: Plugin): p is PreFilterPlugin => typeof (p as PreFilterPlugin).preFilter === 'function';
export const isFilter = (p: Plugin): p is FilterPlugin => typeof (p as FilterPlugin).filter === 'function';
export const isPostFilter = (p: Plugin): p is PostFilterPlugin => typeof (p as PostFilterPlugin).postFilter === 'function';
export const isPreScore = (p: Plugin): p is PreScorePlugin => typeof (p as PreScorePlugin).preScore === 'function';
export const isScore = (p: Plugin): p is ScorePlugin => typeof (p as ScorePlugin).score === 'function';
export const isReserve = (p: Plugin): p is ReservePlugin => typeof (p as ReservePlugin).reserve === 'function';
export const isPermit = (p: Plugin): p is PermitPlugin => typeof (p as PermitPlugin).permit === 'function';
export const isPreBind = (p: Plugin): p is PreBindPlugin => typeof (p as PreBindPlugin).preBind === 'function';
export const isBind = (p: Plugin): p is BindPlugin => typeof (p as BindPlugin).bind === 'function';
export const isPostBind = (p: Plugin): p is PostBindPlugin => typeof (p as PostBindPlugin).postBind === 'function';
