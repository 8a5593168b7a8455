// NodeAffinity (PreFilter, Filter, PreScore, Score): the pod's nodeSelector and required node
// affinity must match the node (plus the profile's addedAffinity, if configured); preferred terms
// add their weights to a node's score. Required terms that pin metadata.name narrow the nodes
// Filter looks at (a DaemonSet pod is checked against its one node only).

import type { Node, NodeAffinity as NodeAffinitySpec } from '../../api-types.ts';
import type { StateData } from '../../framework/cycle-state.ts';
import { ActionType, QueueingHint, type ClusterEventWithHint } from '../../framework/events.ts';
import { MAX_NODE_SCORE, type FilterPlugin, type PreFilterPlugin, type PreScorePlugin, type ScorePlugin } from '../../framework/interface.ts';
import { CompiledNodeSelector, compileTerm, nodeNamesFromSelector, RequiredNodeAffinity } from '../../framework/node-selector.ts';
import type { PodInfo } from '../../framework/pod-info.ts';
import { Status } from '../../framework/status.ts';
import { defaultNormalizeScore } from '../helpers/normalize-score.ts';
import { Names } from '../names.ts';

export interface NodeAffinityArgs {
  addedAffinity?: NodeAffinitySpec;
}

export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
export const ERR_REASON_ENFORCED = "node(s) didn't match scheduler-enforced node affinity";

const PREFILTER_KEY = 'PreFilter' + Names.NodeAffinity;
const PRESCORE_KEY = 'PreScore' + Names.NodeAffinity;

class PreFilterState implements StateData {
  readonly required: RequiredNodeAffinity;
  constructor(required: RequiredNodeAffinity) {
    this.required = required;
  }
  clone(): StateData {
    return this;
  }
}

type Preferred = { weight: number; matches: (labels: Readonly<Record<string, string>> | undefined, name: string) => boolean }[];

class PreScoreState implements StateData {
  readonly preferred: Preferred;
  constructor(p: Preferred) {
    this.preferred = p;
  }
  clone(): StateData {
    return this;
  }
}

function compilePreferred(spec: NodeAffinitySpec | undefined): Preferred {
  const out: Preferred = [];
  for (const t of spec?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
    if (!t.weight) continue;
    const matches = compileTerm(t.preference);
    if (matches) out.push({ weight: t.weight, matches });
  }
  return out;
}

export function newNodeAffinity(rawArgs: unknown): PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin {
  const args = (rawArgs ?? {}) as NodeAffinityArgs;
  const addedRequired = args.addedAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const added = addedRequired ? new CompiledNodeSelector(addedRequired) : undefined;
  const addedPreferred = compilePreferred(args.addedAffinity);
  const rejectPod = Status.unresolvable(Names.NodeAffinity, ERR_REASON_POD);
  const rejectEnforced = Status.unresolvable(Names.NodeAffinity, ERR_REASON_ENFORCED);
  const matchesAll = (pod: PodInfo, node: Node): boolean => (!added || added.matches(node)) && new RequiredNodeAffinity(pod.pod).matches(node);
  return {
    name: Names.NodeAffinity,
    preFilter(state, pod) {
      const required = new RequiredNodeAffinity(pod.pod);
      if (required.isEmpty && !added) return Status.skip(Names.NodeAffinity);
      state.write(PREFILTER_KEY, new PreFilterState(required));
      const names = nodeNamesFromSelector(pod.pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution);
      return names ? { nodeNames: names } : undefined;
    },
    filter(state, pod, nodeInfo) {
      if (!nodeInfo.node) return Status.error(Names.NodeAffinity, new Error('node not found'));
      const labels = nodeInfo.labels;
      if (added && !added.matchesLabels(labels, nodeInfo.name)) return rejectEnforced;
      const required = state.read<PreFilterState>(PREFILTER_KEY)?.required ?? new RequiredNodeAffinity(pod.pod);
      return required.matchesLabels(labels, nodeInfo.name) ? undefined : rejectPod;
    },
    preScore(state, pod) {
      const preferred = [...addedPreferred, ...compilePreferred(pod.pod.spec?.affinity?.nodeAffinity)];
      if (preferred.length === 0) return Status.skip(Names.NodeAffinity);
      state.write(PRESCORE_KEY, new PreScoreState(preferred));
      return undefined;
    },
    score(state, pod, nodeInfo) {
      const preferred = state.read<PreScoreState>(PRESCORE_KEY)?.preferred ?? [...addedPreferred, ...compilePreferred(pod.pod.spec?.affinity?.nodeAffinity)];
      let score = 0;
      const labels = nodeInfo.labels;
      for (const p of preferred) if (p.matches(labels, nodeInfo.name)) score += p.weight;
      return score;
    },
    normalizeScore(_state, _pod, scores) {
      defaultNormalizeScore(MAX_NODE_SCORE, false, scores);
      return undefined;
    },
    eventsToRegister(): ClusterEventWithHint[] {
      return [
        {
          event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeLabel },
          hint: (pod, oldObj, newObj) => {
            if (!matchesAll(pod, newObj as Node)) return QueueingHint.Skip;
            return !oldObj || !matchesAll(pod, oldObj as Node) ? QueueingHint.Queue : QueueingHint.Skip;
          },
        },
      ];
    },
  } satisfies PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin;
}
