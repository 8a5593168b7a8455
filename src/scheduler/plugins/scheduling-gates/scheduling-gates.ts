// SchedulingGates (PreEnqueue): a pod with spec.schedulingGates waits outside the active queue
// until the last gate is removed.

import { ActionType, QueueingHint, type ClusterEventWithHint } from '../../framework/events.ts';
import type { PreEnqueuePlugin } from '../../framework/interface.ts';
import type { PodInfo } from '../../framework/pod-info.ts';
import { Status } from '../../framework/status.ts';
import type { Pod } from '../../api-types.ts';
import { Names } from '../names.ts';

export function newSchedulingGates(): PreEnqueuePlugin {
  return {
    name: Names.SchedulingGates,
    preEnqueue(pod: PodInfo): Status | undefined {
      const gates = pod.pod.spec?.schedulingGates ?? [];
      if (gates.length === 0) return undefined;
      return Status.unresolvable(Names.SchedulingGates, `waiting for scheduling gates: [${gates.map((g) => g.name).join(' ')}]`);
    },
    eventsToRegister(): ClusterEventWithHint[] {
      return [
        {
          event: { resource: 'UnscheduledPod', actionType: ActionType.UpdatePodSchedulingGatesEliminated },
          hint: (pod, _old, updated) => ((updated as Pod | undefined)?.metadata.uid === pod.uid ? QueueingHint.Queue : QueueingHint.Skip),
        },
      ];
    },
  } satisfies PreEnqueuePlugin;
}
