// NodeName (Filter): a pod that names its node fits only there.

import type { Node } from '../../api-types.ts';
import { ActionType, QueueingHint, type ClusterEventWithHint } from '../../framework/events.ts';
import type { FilterPlugin } from '../../framework/interface.ts';
import { Status } from '../../framework/status.ts';
import { Names } from '../names.ts';

export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";
const REJECT = Status.unresolvable(Names.NodeName, ERR_REASON_NODE_NAME);

export function newNodeName(): FilterPlugin {
  return {
    name: Names.NodeName,
    filter(_state, pod, nodeInfo) {
      const wanted = pod.pod.spec?.nodeName;
      return wanted && wanted !== nodeInfo.name ? REJECT : undefined;
    },
    eventsToRegister(): ClusterEventWithHint[] {
      return [
        {
          event: { resource: 'Node', actionType: ActionType.Add },
          hint: (pod, _old, node) => {
            const wanted = pod.pod.spec?.nodeName;
            return !wanted || wanted === (node as Node).metadata.name ? QueueingHint.Queue : QueueingHint.Skip;
          },
        },
      ];
    },
  } satisfies FilterPlugin;
}
