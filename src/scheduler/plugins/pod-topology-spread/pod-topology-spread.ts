// PodTopologySpread (PreFilter, Filter, PreScore, Score): spreads matching pods across topology
// domains within maxSkew (DoNotSchedule) and prefers the emptier domains (ScheduleAnyway). Pods
// without constraints get the profile's default constraints (System: by hostname and zone).

import type { Node, Pod, TopologySpreadConstraint } from '../../api-types.ts';
import { ActionType, QueueingHint, type ClusterEventWithHint } from '../../framework/events.ts';
import type { FilterPlugin, Handle, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../../framework/interface.ts';
import type { PodInfo } from '../../framework/pod-info.ts';
import { Status } from '../../framework/status.ts';
import { Names } from '../names.ts';
import { constraintsFor, DO_NOT_SCHEDULE, HONOR, nodeHasAllKeys, SCHEDULE_ANYWAY, SYSTEM_DEFAULT_CONSTRAINTS, type PodTopologySpreadArgs } from './common.ts';
import { DomainCountsCache } from './domain-counts.ts';
import { computePreFilterState, filterNode, PREFILTER_KEY, preFilterStateFrom, PreFilterState, updateWithPod } from './filtering.ts';
import { computePreScoreState, normalize, PreScoreState, scoreNode } from './scoring.ts';

const PRESCORE_KEY = 'PreScore' + Names.PodTopologySpread;

export function newPodTopologySpread(rawArgs: unknown, handle: Handle): PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin {
  const args = (rawArgs ?? {}) as PodTopologySpreadArgs;
  const systemDefaulted = (args.defaultingType ?? 'System') === 'System';
  const defaults: readonly TopologySpreadConstraint[] = systemDefaulted ? SYSTEM_DEFAULT_CONSTRAINTS : (args.defaultConstraints ?? []);
  const hard = (pod: PodInfo) => constraintsFor(pod, DO_NOT_SCHEDULE, defaults, handle.listers);
  const allConstraints = (pod: PodInfo) => [...hard(pod), ...constraintsFor(pod, SCHEDULE_ANYWAY, defaults, handle.listers)];
  const counts = new DomainCountsCache();
  return {
    name: Names.PodTopologySpread,
    preFilter(state, pod, nodes) {
      const constraints = hard(pod);
      if (constraints.length === 0) return Status.skip(Names.PodTopologySpread);
      const snapshot = handle.snapshot();
      // Over the snapshot's own list the counts are kept across cycles; any other list is counted afresh.
      const s =
        nodes === snapshot.nodeInfoList
          ? preFilterStateFrom(pod, constraints, counts.get(pod, constraints, 'filter', nodes, snapshot.changes))
          : computePreFilterState(pod, constraints, nodes);
      state.write(PREFILTER_KEY, s);
      return undefined;
    },
    preFilterExtensions: {
      addPod(state, pod, toAdd, nodeInfo) {
        const s = state.read<PreFilterState>(PREFILTER_KEY);
        if (s) updateWithPod(s, toAdd, pod, nodeInfo.node, 1);
        return undefined;
      },
      removePod(state, pod, toRemove, nodeInfo) {
        const s = state.read<PreFilterState>(PREFILTER_KEY);
        if (s) updateWithPod(s, toRemove, pod, nodeInfo.node, -1);
        return undefined;
      },
    },
    filter(state, pod, nodeInfo) {
      const s = state.read<PreFilterState>(PREFILTER_KEY);
      if (!s || s.constraints.length === 0) return undefined;
      return filterNode(s, pod, nodeInfo);
    },
    preScore(state, pod, nodes) {
      const constraints = constraintsFor(pod, SCHEDULE_ANYWAY, defaults, handle.listers);
      if (constraints.length === 0) return Status.skip(Names.PodTopologySpread);
      const requireAll = (pod.pod.spec?.topologySpreadConstraints?.length ?? 0) > 0 || !systemDefaulted;
      const snapshot = handle.snapshot();
      const all = snapshot.nodeInfoList;
      const dc = counts.get(pod, constraints, requireAll ? 'score-all' : 'score', all, snapshot.changes);
      state.write(PRESCORE_KEY, computePreScoreState(pod, constraints, nodes, all, requireAll, dc));
      return undefined;
    },
    score(state, pod, nodeInfo) {
      const s = state.read<PreScoreState>(PRESCORE_KEY);
      return s ? scoreNode(s, pod, nodeInfo) : 0;
    },
    normalizeScore(state, _pod, scores) {
      const s = state.read<PreScoreState>(PRESCORE_KEY);
      if (s) normalize(s, scores);
      return undefined;
    },
    eventsToRegister(): ClusterEventWithHint[] {
      return [
        {
          event: { resource: 'AssignedPod', actionType: ActionType.Add | ActionType.UpdatePodLabel | ActionType.Delete },
          hint: (pod, oldObj, newObj) => {
            const constraints = allConstraints(pod);
            if (constraints.length === 0) return QueueingHint.Skip;
            const relevant = (p: unknown): boolean => {
              const o = p as Pod | undefined;
              return !!o && o.metadata.uid !== pod.uid && (o.metadata.namespace ?? '') === pod.namespace && constraints.some((c) => c.selector.matches(o.metadata.labels));
            };
            return relevant(oldObj) || relevant(newObj) ? QueueingHint.Queue : QueueingHint.Skip;
          },
        },
        {
          event: { resource: 'Node', actionType: ActionType.Add | ActionType.Delete | ActionType.UpdateNodeLabel | ActionType.UpdateNodeTaint },
          hint: (pod, oldObj, newObj) => {
            const constraints = allConstraints(pod);
            const old = oldObj as Node | undefined;
            const node = newObj as Node | undefined;
            if (!node) return old && nodeHasAllKeys(old.metadata.labels, constraints) ? QueueingHint.Queue : QueueingHint.Skip;
            if (!nodeHasAllKeys(node.metadata.labels, constraints)) return QueueingHint.Skip;
            if (!old) return QueueingHint.Queue;
            const keysChanged = constraints.some((c) => old.metadata.labels?.[c.topologyKey] !== node.metadata.labels?.[c.topologyKey]);
            const taintsMatter = constraints.some((c) => c.nodeTaintsPolicy === HONOR) && JSON.stringify(old.spec?.taints) !== JSON.stringify(node.spec?.taints);
            return keysChanged || taintsMatter || !nodeHasAllKeys(old.metadata.labels, constraints) ? QueueingHint.Queue : QueueingHint.Skip;
          },
        },
      ];
    },
  } satisfies PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin;
}
