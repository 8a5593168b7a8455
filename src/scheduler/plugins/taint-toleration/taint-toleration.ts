// TaintToleration (Filter, PreScore, Score): a node's NoSchedule/NoExecute taints must be
// tolerated; among feasible nodes, fewer untolerated PreferNoSchedule taints score higher.

import type { Node, Pod, Taint, Toleration } from '../../api-types.ts';
import type { StateData } from '../../framework/cycle-state.ts';
import { ActionType, QueueingHint, type ClusterEventWithHint } from '../../framework/events.ts';
import { MAX_NODE_SCORE, type FilterPlugin, type PreScorePlugin, type ScorePlugin } from '../../framework/interface.ts';
import { Status } from '../../framework/status.ts';
import { findUntoleratedTaint, PREFER_NO_SCHEDULE, tolerationsTolerateTaint } from '../../framework/taints.ts';
import { defaultNormalizeScore } from '../helpers/normalize-score.ts';
import { Names } from '../names.ts';

const STATE_KEY = 'PreScore' + Names.TaintToleration;

class PreScoreState implements StateData {
  readonly tolerations: Toleration[];
  constructor(tolerations: Toleration[]) {
    this.tolerations = tolerations;
  }
  clone(): StateData {
    return this;
  }
}

export const untoleratedTaintReason = (taint: Taint): string => `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;

function countIntolerablePreferNoSchedule(taints: readonly Taint[], tolerations: Toleration[]): number {
  let n = 0;
  for (const t of taints) if (t.effect === PREFER_NO_SCHEDULE && !tolerationsTolerateTaint(tolerations, t)) n++;
  return n;
}

export function newTaintToleration(): FilterPlugin & PreScorePlugin & ScorePlugin {
  return {
    name: Names.TaintToleration,
    filter(_state, pod, nodeInfo) {
      if (nodeInfo.taints.length === 0) return undefined;
      const taint = findUntoleratedTaint(nodeInfo.taints, pod.pod.spec?.tolerations);
      return taint ? Status.unresolvable(Names.TaintToleration, untoleratedTaintReason(taint)) : undefined;
    },
    preScore(state, pod) {
      const prefer = (pod.pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === PREFER_NO_SCHEDULE);
      state.write(STATE_KEY, new PreScoreState(prefer));
      return undefined;
    },
    score(state, _pod, nodeInfo) {
      if (nodeInfo.taints.length === 0) return 0;
      const s = state.read<PreScoreState>(STATE_KEY);
      return countIntolerablePreferNoSchedule(nodeInfo.taints, s?.tolerations ?? []);
    },
    normalizeScore(_state, _pod, scores) {
      defaultNormalizeScore(MAX_NODE_SCORE, true, scores);
      return undefined;
    },
    eventsToRegister(): ClusterEventWithHint[] {
      return [
        {
          event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeTaint },
          hint: (pod, oldObj, newObj) => {
            const tolerations = pod.pod.spec?.tolerations;
            const wasTolerated = oldObj ? !findUntoleratedTaint((oldObj as Node).spec?.taints, tolerations) : false;
            const isTolerated = !findUntoleratedTaint((newObj as Node).spec?.taints, tolerations);
            return isTolerated && !wasTolerated ? QueueingHint.Queue : QueueingHint.Skip;
          },
        },
        {
          event: { resource: 'UnscheduledPod', actionType: ActionType.UpdatePodToleration },
          hint: (pod, _old, newObj) => ((newObj as Pod).metadata.uid === pod.uid ? QueueingHint.Queue : QueueingHint.Skip),
        },
      ];
    },
  } satisfies FilterPlugin & PreScorePlugin & ScorePlugin;
}
