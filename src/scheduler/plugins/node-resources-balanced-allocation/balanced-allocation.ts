// NodeResourcesBalancedAllocation (PreScore, Score): prefers nodes whose cpu and memory (or the
// configured resources) would be used in similar fractions after placing the pod. Pods that
// request nothing are not scored (upstream skips best-effort pods so they do not pile up).

import type { StateData } from '../../framework/cycle-state.ts';
import type { PreScorePlugin, ScorePlugin } from '../../framework/interface.ts';
import { Status } from '../../framework/status.ts';
import { Names } from '../names.ts';
import { balancedScorer, nodeVectors, podRequestVector, type ResourceSpec } from '../node-resources-fit/scoring.ts';

export interface BalancedAllocationArgs {
  resources?: ResourceSpec[];
}

const STATE_KEY = 'PreScore' + Names.NodeResourcesBalancedAllocation;

class PreScoreState implements StateData {
  readonly podRequests: number[];
  constructor(r: number[]) {
    this.podRequests = r;
  }
  clone(): StateData {
    return this;
  }
}

export function newBalancedAllocation(rawArgs: unknown): PreScorePlugin & ScorePlugin {
  const args = (rawArgs ?? {}) as BalancedAllocationArgs;
  const resources = args.resources?.length ? args.resources : [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }];
  const alloc = new Array<number>(resources.length).fill(0);
  const req = new Array<number>(resources.length).fill(0);
  return {
    name: Names.NodeResourcesBalancedAllocation,
    preScore(state, pod) {
      const podRequests = podRequestVector(pod, resources, false);
      if (podRequests.every((r) => r === 0)) return Status.skip(Names.NodeResourcesBalancedAllocation);
      state.write(STATE_KEY, new PreScoreState(podRequests));
      return undefined;
    },
    score(state, pod, nodeInfo) {
      const podRequests = state.read<PreScoreState>(STATE_KEY)?.podRequests ?? podRequestVector(pod, resources, false);
      nodeVectors(nodeInfo, resources, podRequests, true, alloc, req);
      return balancedScorer(req, alloc);
    },
  } satisfies PreScorePlugin & ScorePlugin;
}
