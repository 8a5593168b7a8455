// One profile's framework (upstream frameworkImpl): instantiates the profile's plugins, expands
// multiPoint into the extension points each plugin implements, and runs the extension points in
// their configured order. It is also the Handle plugins use to reach the snapshot, listers,
// client and nominator.

import type { Logger } from 'pino';
import type { Clock, EventRecorder, RestClient } from '../../client/index.ts';
import type { NodeInfo } from '../cache/node-info.ts';
import type { Snapshot } from '../cache/snapshot.ts';
import type { ExtensionPoint, ResolvedProfile } from '../profile/types.ts';
import type { CycleState } from './cycle-state.ts';
import { WILDCARD_EVENT, type ClusterEvent, type QueueingHintFn } from './events.ts';
import * as I from './interface.ts';
import type { ClusterListers } from './listers.ts';
import type { PodInfo } from './pod-info.ts';
import { Code, Status, SUCCESS } from './status.ts';
import { WaitingPod, WaitingPods } from './waiting-pods.ts';
import { runPostFilter, runScorePlugins } from './run-score.ts';

export type Registry = ReadonlyMap<string, I.PluginFactory>;

export interface FrameworkDeps {
  registry: Registry;
  snapshot: () => Snapshot;
  listers: ClusterListers;
  nominator: I.PodNominator;
  clock: Clock;
  client?: RestClient | undefined;
  recorder?: EventRecorder | undefined;
  logger?: Logger | undefined;
  activate?: (pods: readonly PodInfo[]) => void;
  ungate?: (pods: readonly PodInfo[]) => void;
}

/** A registered event and the plugin (and hint) that registered it. */
export interface RegisteredHint {
  event: ClusterEvent;
  plugin: string;
  hint: QueueingHintFn | undefined;
}

const POINT_CHECK: Record<ExtensionPoint, [(p: I.Plugin) => boolean, string]> = {
  preEnqueue: [I.isPreEnqueue, 'PreEnqueuePlugin'],
  queueSort: [I.isQueueSort, 'QueueSortPlugin'],
  preFilter: [I.isPreFilter, 'PreFilterPlugin'],
  filter: [I.isFilter, 'FilterPlugin'],
  postFilter: [I.isPostFilter, 'PostFilterPlugin'],
  preScore: [I.isPreScore, 'PreScorePlugin'],
  score: [I.isScore, 'ScorePlugin'],
  reserve: [I.isReserve, 'ReservePlugin'],
  permit: [I.isPermit, 'PermitPlugin'],
  preBind: [I.isPreBind, 'PreBindPlugin'],
  bind: [I.isBind, 'BindPlugin'],
  postBind: [I.isPostBind, 'PostBindPlugin'],
};

/** An Error status whose message names the extension point and plugin, as upstream wraps them. */
function wrapped(point: string, plugin: string, s: Status | undefined, err?: unknown): Status {
  const message = s ? s.message : err instanceof Error ? err.message : String(err);
  return new Status(Code.Error, [`running ${point} plugin "${plugin}": ${message}`], plugin, s?.error ?? err);
}

/** Longest a Permit plugin may hold a pod (upstream maxTimeout). */
const MAX_PERMIT_TIMEOUT_MS = 15 * 60_000;

export class Framework implements I.Handle {
  readonly schedulerName: string;
  readonly percentageOfNodesToScore: number | undefined;
  readonly plugins = new Map<string, I.Plugin>();
  readonly points: Record<ExtensionPoint, I.Plugin[]>;
  readonly scoreWeights = new Map<string, number>();
  readonly waitingPods = new WaitingPods();
  readonly listers: ClusterListers;
  readonly client: RestClient | undefined;
  readonly recorder: EventRecorder | undefined;
  readonly nominator: I.PodNominator;
  readonly clock: Clock;
  readonly logger: Logger | undefined;
  readonly #deps: FrameworkDeps;

  constructor(profile: ResolvedProfile, deps: FrameworkDeps) {
    this.#deps = deps;
    this.schedulerName = profile.schedulerName;
    this.percentageOfNodesToScore = profile.percentageOfNodesToScore;
    this.listers = deps.listers;
    this.client = deps.client;
    this.recorder = deps.recorder;
    this.nominator = deps.nominator;
    this.clock = deps.clock;
    this.logger = deps.logger;
    const wanted = new Set<string>();
    for (const set of Object.values(profile.plugins)) for (const p of set.enabled) wanted.add(p.name);
    for (const name of wanted) {
      const factory = deps.registry.get(name);
      if (!factory) throw new Error(`plugin "${name}" does not exist`);
      const plugin = factory(profile.pluginArgs.get(name), this);
      this.plugins.set(name, plugin);
    }
    this.points = {} as Record<ExtensionPoint, I.Plugin[]>;
    for (const point of Object.keys(POINT_CHECK) as ExtensionPoint[]) this.points[point] = this.#expand(profile, point);
    if (this.points.queueSort.length === 0) throw new Error('no queue sort plugin is enabled');
    if (this.points.queueSort.length > 1) throw new Error('only one queue sort plugin can be enabled');
    if (this.points.bind.length === 0) throw new Error('at least one bind plugin is needed');
    let total = 0;
    for (const ref of [...profile.plugins.score.enabled, ...profile.plugins.multiPoint.enabled]) {
      const pl = this.plugins.get(ref.name);
      if (!pl || !I.isScore(pl) || this.scoreWeights.has(ref.name)) continue;
      const w = ref.weight || 1;
      this.scoreWeights.set(ref.name, w);
      total += w * I.MAX_NODE_SCORE;
      if (total > I.MAX_TOTAL_SCORE) throw new Error('total score of Score plugins could overflow');
    }
  }

  /** Upstream's per-point list followed by the multiPoint expansion (overrides keep the specific order). */
  #expand(profile: ResolvedProfile, point: ExtensionPoint): I.Plugin[] {
    const [implementsPoint, typeName] = POINT_CHECK[point];
    const set = profile.plugins[point];
    const enabled: string[] = [];
    for (const ref of set.enabled) {
      const pl = this.plugins.get(ref.name)!;
      if (!implementsPoint(pl)) throw new Error(`plugin "${ref.name}" does not extend ${typeName} plugin`);
      if (enabled.includes(ref.name)) throw new Error(`plugin "${ref.name}" already registered as "${typeName}"`);
      enabled.push(ref.name);
    }
    const disabled = new Set(set.disabled.map((d) => d.name));
    if (disabled.has('*')) return enabled.map((n) => this.plugins.get(n)!);
    const multi: string[] = [];
    const overrides = new Set<string>();
    for (const ref of profile.plugins.multiPoint.enabled) {
      const pl = this.plugins.get(ref.name)!;
      if (!implementsPoint(pl) || disabled.has(ref.name)) continue;
      if (enabled.includes(ref.name)) {
        overrides.add(ref.name);
        continue;
      }
      if (multi.includes(ref.name)) throw new Error(`plugin "${ref.name}" already registered as "${typeName}"`);
      multi.push(ref.name);
    }
    const ordered = [...enabled.filter((n) => overrides.has(n)), ...multi, ...enabled.filter((n) => !overrides.has(n))];
    return ordered.map((n) => this.plugins.get(n)!);
  }

  get queueSort(): I.QueueSortPlugin {
    return this.points.queueSort[0] as I.QueueSortPlugin;
  }

  get hasFilterPlugins(): boolean {
    return this.points.filter.length > 0;
  }

  get hasScorePlugins(): boolean {
    return this.points.score.length > 0;
  }

  get hasPostFilterPlugins(): boolean {
    return this.points.postFilter.length > 0;
  }

  // ---- Handle ----

  snapshot(): Snapshot {
    return this.#deps.snapshot();
  }

  activate(pods: readonly PodInfo[]): void {
    this.#deps.activate?.(pods);
  }

  ungate(pods: readonly PodInfo[]): void {
    this.#deps.ungate?.(pods);
  }

  rejectWaitingPod(uid: string, plugin: string, message: string): boolean {
    const wp = this.waitingPods.get(uid);
    if (!wp) return false;
    wp.reject(plugin, message);
    return true;
  }

  /** Every event a plugin with a rejecting extension point registered; plugins without EnqueueExtensions get all. */
  queueingHints(): RegisteredHint[] {
    const out: RegisteredHint[] = [];
    const rejecting = new Set([...this.points.preEnqueue, ...this.points.preFilter, ...this.points.filter, ...this.points.reserve, ...this.points.permit]);
    for (const pl of rejecting) {
      if (!pl.eventsToRegister) {
        out.push({ event: { ...WILDCARD_EVENT }, plugin: pl.name, hint: undefined });
        continue;
      }
      for (const e of pl.eventsToRegister()) out.push({ event: e.event, plugin: pl.name, hint: e.hint });
    }
    return out;
  }

  // ---- scheduling cycle ----

  runPreEnqueuePlugins(pod: PodInfo): Status {
    for (const pl of this.points.preEnqueue as I.PreEnqueuePlugin[]) {
      const s = pl.preEnqueue(pod);
      if (s && !s.isSuccess) return s.isRejected ? s.withPlugin(pl.name) : new Status(Code.Error, s.reasons, pl.name, s.error);
    }
    return SUCCESS;
  }

  /** Runs PreFilter; returns the narrowed node names (if any plugin narrowed them) and a status. */
  runPreFilterPlugins(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): { nodeNames: Set<string> | undefined; status: Status; narrowing: string[] } {
    let names: Set<string> | undefined;
    const narrowing: string[] = [];
    for (const pl of this.points.preFilter as I.PreFilterPlugin[]) {
      let r: Status | I.PreFilterResult | undefined;
      try {
        r = pl.preFilter(state, pod, nodes);
      } catch (err) {
        return { nodeNames: undefined, status: Status.error(pl.name, err), narrowing };
      }
      if (r instanceof Status) {
        if (r.isSkip) {
          state.skipFilterPlugins.add(pl.name);
          continue;
        }
        if (r.isSuccess) continue;
        if (r.isRejected) return { nodeNames: undefined, status: r.withPlugin(pl.name), narrowing };
        return { nodeNames: undefined, status: new Status(Code.Error, r.reasons, pl.name, r.error), narrowing };
      }
      if (r) {
        narrowing.push(pl.name);
        names = names ? new Set([...names].filter((n) => r.nodeNames.has(n))) : new Set(r.nodeNames);
        if (names.size === 0) {
          const msg =
            narrowing.length === 1 ? `node(s) didn't satisfy plugin ${narrowing[0]}` : `node(s) didn't satisfy plugin(s) [${narrowing.join(' ')}] simultaneously`;
          return { nodeNames: names, status: new Status(Code.UnschedulableAndUnresolvable, [msg], narrowing[0]), narrowing };
        }
      }
    }
    state.activeFilters = (this.points.filter as I.FilterPlugin[]).filter((p) => !state.skipFilterPlugins.has(p.name));
    return { nodeNames: names, status: SUCCESS, narrowing };
  }

  /** Filter plugins in order; the first failure decides (the hot path: no allocation on success). */
  runFilterPlugins(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): Status {
    const plugins = (state.activeFilters ?? this.points.filter) as I.FilterPlugin[];
    for (let i = 0; i < plugins.length; i++) {
      const pl = plugins[i]!;
      const s = pl.filter(state, pod, nodeInfo);
      if (s !== undefined && s.code !== Code.Success) {
        if (s.isRejected) return s.plugin ? s : s.withPlugin(pl.name);
        return new Status(Code.Error, s.reasons, pl.name, s.error);
      }
    }
    return SUCCESS;
  }

  runFilterPluginsWithNominatedPods(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): Status {
    // Pass 1 counts nominated pods of at least this priority as running; pass 2 (only when they
    // exist and pass 1 fits) checks without them, since affinity may depend on their absence.
    const all = this.nominator.nominatedPodsForNode(nodeInfo.name);
    if (all.length === 0) return this.runFilterPlugins(state, pod, nodeInfo);
    const nominated = all.filter((np) => np.priority >= pod.priority && np.uid !== pod.uid);
    if (nominated.length === 0) return this.runFilterPlugins(state, pod, nodeInfo);
    const stateWith = state.clone();
    const infoWith = nodeInfo.clone();
    for (const np of nominated) {
      infoWith.addPod(np);
      const s = this.runPreFilterExtensionAddPod(stateWith, pod, np, infoWith);
      if (!s.isSuccess) return s;
    }
    const first = this.runFilterPlugins(stateWith, pod, infoWith);
    if (!first.isSuccess) return first;
    return this.runFilterPlugins(state, pod, nodeInfo);
  }

  runPreFilterExtensionAddPod(state: CycleState, pod: PodInfo, toAdd: PodInfo, nodeInfo: NodeInfo): Status {
    return this.#runExtension(state, (ext) => ext.addPod(state, pod, toAdd, nodeInfo) ?? SUCCESS);
  }

  runPreFilterExtensionRemovePod(state: CycleState, pod: PodInfo, toRemove: PodInfo, nodeInfo: NodeInfo): Status {
    return this.#runExtension(state, (ext) => ext.removePod(state, pod, toRemove, nodeInfo) ?? SUCCESS);
  }

  #runExtension(state: CycleState, run: (ext: I.PreFilterExtensions) => Status): Status {
    for (const pl of this.points.preFilter as I.PreFilterPlugin[]) {
      if (!pl.preFilterExtensions || state.skipFilterPlugins.has(pl.name)) continue;
      const s = run(pl.preFilterExtensions);
      if (!s.isSuccess) return new Status(Code.Error, s.reasons, pl.name, s.error);
    }
    return SUCCESS;
  }

  runPostFilterPlugins(state: CycleState, pod: PodInfo, statuses: I.NodeToStatus): { result: I.PostFilterResult | undefined; status: Status } {
    return runPostFilter(this.points.postFilter as I.PostFilterPlugin[], state, pod, statuses);
  }

  runPreScorePlugins(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status {
    for (const pl of this.points.preScore as I.PreScorePlugin[]) {
      const s = pl.preScore(state, pod, nodes);
      if (!s || s.isSuccess) continue;
      if (s.isSkip) {
        state.skipScorePlugins.add(pl.name);
        continue;
      }
      return new Status(Code.Error, s.reasons, pl.name, s.error);
    }
    return SUCCESS;
  }

  /** Weighted, normalized score totals, index-aligned with `nodes`; or an error Status. */
  runScorePlugins(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): number[] | Status {
    const plugins = (this.points.score as I.ScorePlugin[]).filter((p) => !state.skipScorePlugins.has(p.name));
    return runScorePlugins(plugins, this.scoreWeights, state, pod, nodes);
  }

  runReservePluginsReserve(state: CycleState, pod: PodInfo, nodeName: string): Status {
    for (const pl of this.points.reserve as I.ReservePlugin[]) {
      const s = pl.reserve(state, pod, nodeName);
      if (s && !s.isSuccess) return s.isRejected ? s.withPlugin(pl.name) : wrapped('Reserve', pl.name, s);
    }
    return SUCCESS;
  }

  runReservePluginsUnreserve(state: CycleState, pod: PodInfo, nodeName: string): void {
    const plugins = this.points.reserve as I.ReservePlugin[];
    for (let i = plugins.length - 1; i >= 0; i--) {
      try {
        plugins[i]!.unreserve(state, pod, nodeName);
      } catch (err) {
        this.logger?.error({ err, plugin: plugins[i]!.name, pod: pod.key }, 'unreserve failed');
      }
    }
  }

  /** Success, a rejection, or Wait (the pod is then held until waitOnPermit settles). */
  runPermitPlugins(state: CycleState, pod: PodInfo, nodeName: string): Status {
    const waits = new Map<string, number>();
    for (const pl of this.points.permit as I.PermitPlugin[]) {
      const { status: s, timeoutMs } = pl.permit(state, pod, nodeName);
      if (!s || s.isSuccess) continue;
      if (s.isRejected) return s.withPlugin(pl.name);
      if (s.code === Code.Wait) waits.set(pl.name, Math.min(timeoutMs ?? MAX_PERMIT_TIMEOUT_MS, MAX_PERMIT_TIMEOUT_MS));
      else return wrapped('Permit', pl.name, s);
    }
    if (waits.size === 0) return SUCCESS;
    this.waitingPods.add(new WaitingPod(pod, waits, this.clock));
    return new Status(Code.Wait, [], [...waits.keys()][0]);
  }

  waitOnPermit(pod: PodInfo): Promise<Status> {
    return this.waitingPods.get(pod.uid)?.done ?? Promise.resolve(SUCCESS);
  }

  async runPreBindPlugins(state: CycleState, pod: PodInfo, nodeName: string, signal: AbortSignal): Promise<Status> {
    for (const pl of this.points.preBind as I.PreBindPlugin[]) {
      let s: Status | undefined;
      try {
        s = await pl.preBind(state, pod, nodeName, signal);
      } catch (err) {
        return wrapped('PreBind', pl.name, undefined, err);
      }
      if (!s || s.isSuccess || s.isSkip) continue;
      return s.isRejected ? s.withPlugin(pl.name) : wrapped('PreBind', pl.name, s);
    }
    return SUCCESS;
  }

  async runBindPlugins(state: CycleState, pod: PodInfo, nodeName: string, signal: AbortSignal): Promise<Status> {
    for (const pl of this.points.bind as I.BindPlugin[]) {
      let s: Status | undefined;
      try {
        s = await pl.bind(state, pod, nodeName, signal);
      } catch (err) {
        return wrapped('Bind', pl.name, undefined, err);
      }
      if (s?.isSkip) continue;
      if (!s || s.isSuccess) return SUCCESS;
      return s.isRejected ? s.withPlugin(pl.name) : wrapped('Bind', pl.name, s);
    }
    return Status.skip();
  }

  runPostBindPlugins(state: CycleState, pod: PodInfo, nodeName: string): void {
    for (const pl of this.points.postBind as I.PostBindPlugin[]) {
      try {
        pl.postBind(state, pod, nodeName);
      } catch (err) {
        this.logger?.error({ err, plugin: pl.name, pod: pod.key }, 'postBind failed');
      }
    }
  }
}
