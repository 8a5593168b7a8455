// PrioritySort (QueueSort): higher priority first, then the pod that entered the queue first.

import type { QueueSortPlugin, QueuedPodInfo } from '../../framework/interface.ts';
import { Names } from '../names.ts';

export function newPrioritySort(): QueueSortPlugin {
  return {
    name: Names.PrioritySort,
    less(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
      const p1 = a.podInfo.priority;
      const p2 = b.podInfo.priority;
      return p1 > p2 || (p1 === p2 && a.timestamp < b.timestamp);
    },
  } satisfies QueueSortPlugin;
}
