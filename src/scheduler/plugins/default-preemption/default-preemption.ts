// DefaultPreemption (PostFilter, PreEnqueue): when a pod fits nowhere, find nodes where evicting
// lower-priority pods would make room (only nodes whose rejection was Unschedulable, never
// UnschedulableAndUnresolvable), dry-run the victims on a sample of them, prefer candidates that
// violate no PodDisruptionBudget, nominate the pod to the best node and evict the victims in the
// background. Pods with preemptionPolicy Never, and pods whose earlier victims are still
// terminating on their nominated node, do not preempt.

import type { PodDisruptionBudget } from '../../api-types.ts';
import { fitErrorMessage, NodeStatusMap } from '../../framework/fit-error.ts';
import type { Handle, NodeToStatus, PostFilterPlugin, PostFilterResult, PreEnqueuePlugin } from '../../framework/interface.ts';
import type { PodInfo } from '../../framework/pod-info.ts';
import { Code, Status, SUCCESS } from '../../framework/status.ts';
import { Names } from '../names.ts';
import { PreemptionExecutor } from './executor.ts';
import { pickOneNode, selectVictimsOnNode, type Candidate } from './victims.ts';

export interface DefaultPreemptionArgs {
  minCandidateNodesPercentage?: number;
  minCandidateNodesAbsolute?: number;
}

export const PREEMPTION_NOT_HELPFUL = 'Preemption is not helpful for scheduling';

export interface DefaultPreemption extends PostFilterPlugin, PreEnqueuePlugin {
  readonly executor: PreemptionExecutor;
}

export function newDefaultPreemption(rawArgs: unknown, handle: Handle, random: (n: number) => number = (n) => Math.floor(Math.random() * n)): DefaultPreemption {
  const args = (rawArgs ?? {}) as DefaultPreemptionArgs;
  const pct = args.minCandidateNodesPercentage ?? 10;
  const abs = args.minCandidateNodesAbsolute ?? 100;
  const executor = new PreemptionExecutor(handle, Names.DefaultPreemption);
  const numCandidates = (n: number): number => Math.min(n, Math.max(Math.trunc((n * pct) / 100), abs));

  const preemptionPolicy = (pod: PodInfo): string => {
    const spec = pod.pod.spec;
    if (spec?.preemptionPolicy) return spec.preemptionPolicy;
    const pc = spec?.priorityClassName ? handle.listers.priorityClass(spec.priorityClassName) : undefined;
    return pc?.preemptionPolicy ?? 'PreemptLowerPriority';
  };

  const eligible = (pod: PodInfo, nominated: string, statuses: NodeToStatus): string | undefined => {
    if (preemptionPolicy(pod) === 'Never') return 'not eligible due to preemptionPolicy=Never.';
    if (!nominated) return undefined;
    const s = statuses.map.get(nominated) ?? statuses.absent;
    if (s.code === Code.UnschedulableAndUnresolvable) return undefined;
    const ni = handle.snapshot().get(nominated);
    const terminatingVictim = ni?.pods.some(
      (p) =>
        p.priority < pod.priority &&
        p.terminating &&
        p.pod.status?.conditions?.some((c) => c.type === 'DisruptionTarget' && c.status === 'True' && c.reason === 'PreemptionByScheduler'),
    );
    return terminatingVictim ? 'not eligible due to a terminating pod on the nominated node.' : undefined;
  };

  const noCandidates = (numAllNodes: number, statuses: NodeStatusMap): { result: PostFilterResult; status: Status } => {
    statuses.absent = new Status(Code.UnschedulableAndUnresolvable, [PREEMPTION_NOT_HELPFUL]);
    const msg = fitErrorMessage(numAllNodes, { nodeToStatus: statuses, preFilterMsg: '', postFilterMsg: '' });
    return { result: { nominatedNodeName: '' }, status: new Status(Code.Unschedulable, [`preemption: ${msg}`], Names.DefaultPreemption) };
  };

  return {
    name: Names.DefaultPreemption,
    executor,
    preEnqueue(pod) {
      return executor.isPreempting(pod.uid) ? Status.unresolvable(Names.DefaultPreemption, 'waiting for the preemption for this pod to be finished') : undefined;
    },
    // No cluster event lifts this gate: the executor does when it finishes.
    eventsToRegister: () => [],
    postFilter(state, podInfo, statuses) {
      const latest = handle.listers.pod(podInfo.namespace, podInfo.pod.metadata.name ?? '');
      if (!latest) return { status: Status.error(Names.DefaultPreemption, new Error(`pod ${podInfo.key} not found`)) };
      const reason = eligible(podInfo, latest.status?.nominatedNodeName ?? '', statuses);
      if (reason) return { status: new Status(Code.Unschedulable, [`preemption: ${reason}`], Names.DefaultPreemption) };

      const snapshot = handle.snapshot();
      const all = snapshot.nodeInfoList;
      const potential = all.filter((ni) => (statuses.map.get(ni.name) ?? statuses.absent).code === Code.Unschedulable);
      const dryRun = new NodeStatusMap();
      if (potential.length === 0) return noCandidates(all.length, dryRun);

      const pdbs: readonly PodDisruptionBudget[] = handle.listers.pdbs();
      const offset = random(potential.length);
      const wanted = numCandidates(potential.length);
      const nonViolating: Candidate[] = [];
      const violating: Candidate[] = [];
      for (let i = 0; i < potential.length; i++) {
        const ni = potential[(offset + i) % potential.length]!;
        const { victims, status } = selectVictimsOnNode(handle, state.clone(), podInfo, ni.clone(), pdbs);
        if (status.isSuccess && victims.pods.length > 0) {
          (victims.numPDBViolations === 0 ? nonViolating : violating).push({ name: ni.name, victims });
          if (nonViolating.length > 0 && nonViolating.length + violating.length >= wanted) break;
          continue;
        }
        if (status.code === Code.Error) return { status: status.withPlugin(Names.DefaultPreemption) };
        dryRun.set(ni.name, status);
      }
      const candidates = [...nonViolating, ...violating];
      if (candidates.length === 0) return noCandidates(all.length, dryRun);

      const best = pickOneNode(candidates, handle.clock.now());
      if (!best) return { status: new Status(Code.Unschedulable, ['preemption: no candidate node for preemption'], Names.DefaultPreemption) };
      handle.logger?.info({ pod: podInfo.key, node: best.name, victims: best.victims.pods.map((v) => v.key) }, 'preempting');
      executor.start(podInfo, best);
      return { result: { nominatedNodeName: best.name }, status: SUCCESS };
    },
  } satisfies DefaultPreemption;
}
