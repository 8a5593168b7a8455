// NodePorts (PreFilter, Filter): a pod's hostPorts must be free on the node; 0.0.0.0 conflicts
// with every address for the same protocol and port.

import type { Pod } from '../../api-types.ts';
import { portsConflict } from '../../cache/node-info.ts';
import { ActionType, QueueingHint, type ClusterEventWithHint } from '../../framework/events.ts';
import type { FilterPlugin, PreFilterPlugin } from '../../framework/interface.ts';
import { PodInfo } from '../../framework/pod-info.ts';
import { Status } from '../../framework/status.ts';
import { Names } from '../names.ts';

export const ERR_REASON_PORTS = "node(s) didn't have free ports for the requested pod ports";
const REJECT = Status.unschedulable(Names.NodePorts, ERR_REASON_PORTS);

export function newNodePorts(): PreFilterPlugin & FilterPlugin {
  return {
    name: Names.NodePorts,
    preFilter(_state, pod) {
      return pod.hostPorts.length === 0 ? Status.skip(Names.NodePorts) : undefined;
    },
    filter(_state, pod, nodeInfo) {
      if (nodeInfo.usedPorts.size === 0) return undefined;
      for (const p of pod.hostPorts) if (portsConflict(nodeInfo.usedPorts, p)) return REJECT;
      return undefined;
    },
    eventsToRegister(): ClusterEventWithHint[] {
      return [
        {
          event: { resource: 'AssignedPod', actionType: ActionType.Delete },
          hint: (pod, oldObj) => {
            const deleted = new PodInfo(oldObj as Pod);
            const used = new Map<string, Set<string>>();
            for (const p of deleted.hostPorts) used.set(p.ip, (used.get(p.ip) ?? new Set()).add(`${p.protocol}/${p.port}`));
            return pod.hostPorts.some((p) => portsConflict(used, p)) ? QueueingHint.Queue : QueueingHint.Skip;
          },
        },
        { event: { resource: 'Node', actionType: ActionType.Add } },
      ];
    },
  } satisfies PreFilterPlugin & FilterPlugin;
}
