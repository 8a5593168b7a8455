// InterPodAffinity (PreFilter, Filter, PreScore, Score): required pod affinity and anti-affinity of
// the incoming pod, required anti-affinity of existing pods against it, and the preferred terms of
// both sides as scores. Namespaces come from the term's namespaces list and namespaceSelector.

import type { Pod } from '../../api-types.ts';
import { ActionType, QueueingHint, type ClusterEventWithHint } from '../../framework/events.ts';
import type { FilterPlugin, Handle, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../../framework/interface.ts';
import { PodInfo, termMatches } from '../../framework/pod-info.ts';
import { Status } from '../../framework/status.ts';
import { Names } from '../names.ts';
import {
  computePreFilterState,
  ERR_REASON_AFFINITY,
  ERR_REASON_ANTI_AFFINITY,
  ERR_REASON_EXISTING_ANTI_AFFINITY,
  PreFilterState,
  satisfiesExistingPodsAntiAffinity,
  satisfiesPodAffinity,
  satisfiesPodAntiAffinity,
} from './filtering.ts';
import { computePreScoreState, normalize, PreScoreState, scoreNode, type InterPodAffinityArgs } from './scoring.ts';

const PREFILTER_KEY = 'PreFilter' + Names.InterPodAffinity;
const PRESCORE_KEY = 'PreScore' + Names.InterPodAffinity;

const AFFINITY = Status.unresolvable(Names.InterPodAffinity, ERR_REASON_AFFINITY);
const ANTI = Status.unschedulable(Names.InterPodAffinity, ERR_REASON_ANTI_AFFINITY);
const EXISTING_ANTI = Status.unschedulable(Names.InterPodAffinity, ERR_REASON_EXISTING_ANTI_AFFINITY);

export function newInterPodAffinity(rawArgs: unknown, handle: Handle): PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin {
  const a = (rawArgs ?? {}) as InterPodAffinityArgs;
  const args = { hardPodAffinityWeight: a.hardPodAffinityWeight ?? 1, ignorePreferredTermsOfExistingPods: a.ignorePreferredTermsOfExistingPods ?? false };
  return {
    name: Names.InterPodAffinity,
    preFilter(state, pod) {
      const snap = handle.snapshot();
      const s = computePreFilterState(pod, handle.listers, snap.nodeInfoList, snap.havePodsWithRequiredAntiAffinityList);
      if (s.existingAntiAffinityCounts.size === 0 && s.requiredAffinity.length === 0 && s.requiredAntiAffinity.length === 0) return Status.skip(Names.InterPodAffinity);
      state.write(PREFILTER_KEY, s);
      return undefined;
    },
    preFilterExtensions: {
      addPod(state, _pod, toAdd, nodeInfo) {
        state.read<PreFilterState>(PREFILTER_KEY)?.updateWithPod(toAdd, nodeInfo.node, 1);
        return undefined;
      },
      removePod(state, _pod, toRemove, nodeInfo) {
        state.read<PreFilterState>(PREFILTER_KEY)?.updateWithPod(toRemove, nodeInfo.node, -1);
        return undefined;
      },
    },
    filter(state, _pod, nodeInfo) {
      const s = state.read<PreFilterState>(PREFILTER_KEY);
      if (!s) return undefined;
      if (!satisfiesPodAffinity(s, nodeInfo)) return AFFINITY;
      if (!satisfiesPodAntiAffinity(s, nodeInfo)) return ANTI;
      if (!satisfiesExistingPodsAntiAffinity(s, nodeInfo)) return EXISTING_ANTI;
      return undefined;
    },
    preScore(state, pod, nodes) {
      if (nodes.length === 0) return undefined;
      const snap = handle.snapshot();
      const s = computePreScoreState(pod, args, handle.listers, snap.nodeInfoList, snap.havePodsWithAffinityList);
      if (!s) return Status.skip(Names.InterPodAffinity);
      state.write(PRESCORE_KEY, s);
      return undefined;
    },
    score(state, _pod, nodeInfo) {
      const s = state.read<PreScoreState>(PRESCORE_KEY);
      return s ? scoreNode(s, nodeInfo) : 0;
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
            // An added or relabelled pod may satisfy affinity; a removed or relabelled one may lift anti-affinity.
            const changed = (newObj ?? oldObj) as Pod;
            const other = new PodInfo(changed);
            const touches = (p: Pod | undefined): boolean =>
              !!p && ([...pod.requiredAffinityTerms, ...pod.requiredAntiAffinityTerms].some((t) => termMatches(t, p, undefined)) || other.requiredAntiAffinityTerms.some((t) => termMatches(t, pod.pod, undefined)));
            return touches(oldObj as Pod | undefined) || touches(newObj as Pod | undefined) ? QueueingHint.Queue : QueueingHint.Skip;
          },
        },
        { event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeLabel } },
      ];
    },
  } satisfies PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin;
}
