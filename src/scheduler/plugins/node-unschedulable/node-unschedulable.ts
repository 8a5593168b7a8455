// NodeUnschedulable (Filter): cordoned nodes (spec.unschedulable) take only pods that tolerate the
// node.kubernetes.io/unschedulable:NoSchedule taint.

import type { Node, Pod, Toleration } from '../../api-types.ts';
import { ActionType, QueueingHint, type ClusterEventWithHint } from '../../framework/events.ts';
import type { FilterPlugin } from '../../framework/interface.ts';
import { Status } from '../../framework/status.ts';
import { NO_SCHEDULE, TAINT_NODE_UNSCHEDULABLE, tolerationsTolerateTaint } from '../../framework/taints.ts';
import { Names } from '../names.ts';

export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
const REJECT = Status.unresolvable(Names.NodeUnschedulable, ERR_REASON_UNSCHEDULABLE);
const TAINT = { key: TAINT_NODE_UNSCHEDULABLE, effect: NO_SCHEDULE };

const tolerates = (tolerations: Toleration[] | undefined): boolean => tolerationsTolerateTaint(tolerations, TAINT);

export function newNodeUnschedulable(): FilterPlugin {
  return {
    name: Names.NodeUnschedulable,
    filter(_state, pod, nodeInfo) {
      if (!nodeInfo.unschedulable) return undefined;
      return tolerates(pod.pod.spec?.tolerations) ? undefined : REJECT;
    },
    eventsToRegister(): ClusterEventWithHint[] {
      return [
        {
          event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeTaint },
          hint: (pod, oldObj, newObj) => {
            const node = newObj as Node;
            const old = oldObj as Node | undefined;
            if (old && !old.spec?.unschedulable) return QueueingHint.Skip;
            return !node.spec?.unschedulable || tolerates(pod.pod.spec?.tolerations) ? QueueingHint.Queue : QueueingHint.Skip;
          },
        },
        {
          event: { resource: 'UnscheduledPod', actionType: ActionType.UpdatePodToleration },
          hint: (pod, _old, newObj) => ((newObj as Pod).metadata.uid === pod.uid && tolerates((newObj as Pod).spec?.tolerations) ? QueueingHint.Queue : QueueingHint.Skip),
        },
      ];
    },
  } satisfies FilterPlugin;
}
