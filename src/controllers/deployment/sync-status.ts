// Writing a Deployment's status at the end of a sync: with progress tracking for rollouts
// (syncRolloutStatus), or the plain counts when only scaling (syncDeploymentStatus). Nothing is
// written when nothing changed; an unfinished rollout then asks to be looked at again when its
// progress deadline would pass.

import { jsonEqual } from '../../machinery/index.ts';
import type { ReplicaSet } from '../replicaset/index.ts';
import { progressCheckAfterMs, rolloutStatus } from './progress.ts';
import { calculateStatus } from './status.ts';
import type { SyncContext } from './sync-context.ts';

export async function syncRolloutStatus(sc: SyncContext, allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): Promise<void> {
  const now = sc.now();
  const status = rolloutStatus(sc.d, allRSs, newRS, now);
  if (jsonEqual(sc.d.status ?? {}, status)) {
    sc.requeueAfter = progressCheckAfterMs(sc.d, status, now);
    return;
  }
  await sc.writeStatus(status);
}

export async function syncDeploymentStatus(sc: SyncContext, allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): Promise<void> {
  const status = calculateStatus(sc.d, allRSs, newRS, sc.now());
  if (jsonEqual(sc.d.status ?? {}, status)) return;
  await sc.writeStatus(status);
}
