// DaemonSet status (upstream updateDaemonSetStatus and storeDaemonSetStatus): over the nodes that
// should run it, how many have a pod, how many of those (the oldest pod per node) are ready,
// available and of the current template; pods on nodes that should not run it are misscheduled.
// observedGeneration moves only when the controller acted on that generation. Written only when
// something changed, retrying once against a fresh copy on conflict.

import type { RestClient } from '../../client/index.ts';
import { isConflict } from '../../machinery/index.ts';
import { isPodAvailable, isPodReady, type Pod } from '../util/pods.ts';
import { DAEMON_SETS } from '../util/refs.ts';
import { compareDaemonPods, isPodUpdated } from './daemon-pods.ts';
import type { Placement } from './placement.ts';
import type { DaemonSet, DaemonSetStatus, Node } from './types.ts';

export type DaemonSetCounts = Required<Pick<DaemonSetStatus,
  'desiredNumberScheduled' | 'currentNumberScheduled' | 'numberMisscheduled' | 'numberReady' | 'updatedNumberScheduled' | 'numberAvailable' | 'numberUnavailable'>>;

export interface StatusInput {
  nodes: readonly Node[];
  placementOf(node: Node): Placement;
  /** Pods by node, including terminating and finished ones. */
  nodeToPods: ReadonlyMap<string, readonly Pod[]>;
  hash: string;
  generation: number | undefined;
  minReadySeconds: number;
  nowMs: number;
}

export function computeStatus(i: StatusInput): DaemonSetCounts {
  const c: DaemonSetCounts = { desiredNumberScheduled: 0, currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, updatedNumberScheduled: 0, numberAvailable: 0, numberUnavailable: 0 };
  for (const node of i.nodes) {
    const pods = i.nodeToPods.get(node.metadata.name ?? '') ?? [];
    const scheduled = pods.length > 0;
    if (!i.placementOf(node).shouldRun) {
      if (scheduled) c.numberMisscheduled++;
      continue;
    }
    c.desiredNumberScheduled++;
    if (!scheduled) continue;
    c.currentNumberScheduled++;
    const pod = [...pods].sort(compareDaemonPods)[0]!;
    if (isPodReady(pod)) {
      c.numberReady++;
      if (isPodAvailable(pod, i.minReadySeconds, i.nowMs)) c.numberAvailable++;
    }
    if (isPodUpdated(pod, i.hash, i.generation)) c.updatedNumberScheduled++;
  }
  c.numberUnavailable = c.desiredNumberScheduled - c.numberAvailable;
  return c;
}

const COUNT_FIELDS = ['desiredNumberScheduled', 'currentNumberScheduled', 'numberMisscheduled', 'numberReady', 'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable'] as const;

/** Writes the counts (and observedGeneration when `observed`) unless they are already there. */
export async function storeStatus(client: RestClient, ds: DaemonSet, counts: DaemonSetCounts, observed: boolean, signal?: AbortSignal): Promise<void> {
  const generation = ds.metadata.generation ?? 0;
  const same = (s: DaemonSetStatus | undefined): boolean =>
    COUNT_FIELDS.every((f) => (s?.[f] ?? 0) === counts[f]) && (!observed || (s?.observedGeneration ?? 0) >= generation);
  if (same(ds.status)) return;
  const ref = { ...DAEMON_SETS, namespace: ds.metadata.namespace ?? '' };
  let target = ds;
  for (let attempt = 0; ; attempt++) {
    const status: DaemonSetStatus = { ...(target.status ?? { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 }), ...counts };
    if (observed) status.observedGeneration = generation;
    try {
      await client.updateStatus(ref, { ...target, status }, signal ? { signal } : {});
      return;
    } catch (err) {
      if (!isConflict(err) || attempt >= 1) throw err;
      target = await client.get<DaemonSet>({ ...ref, name: ds.metadata.name ?? '' }, signal ? { signal } : {});
      if (same(target.status)) return;
    }
  }
}
