// The Recreate strategy (upstream's rolloutRecreate): scale every old ReplicaSet to zero, wait
// until none of their pods is left (terminating pods included; finished ones do not count), and
// only then create or grow the new ReplicaSet to the full size.

import type { ReplicaSet } from '../replicaset/index.ts';
import type { Pod } from '../util/index.ts';
import { cleanupDeployment } from './cleanup.ts';
import { replicaSetsAndSyncRevision } from './new-replica-set.ts';
import { activeSets, actualCount } from './replica-set-util.ts';
import { deploymentComplete } from './status.ts';
import { syncRolloutStatus } from './sync-status.ts';
import type { SyncContext } from './sync-context.ts';
import { deploymentReplicas } from './types.ts';

/** Pods of the Deployment by the uid of the ReplicaSet that controls them. */
export type PodMap = ReadonlyMap<string, readonly Pod[]>;

export async function rolloutRecreate(sc: SyncContext, rsList: readonly ReplicaSet[], podMap: () => PodMap): Promise<void> {
  let { newRS, oldRSs } = await replicaSetsAndSyncRevision(sc, rsList, false);
  let allRSs: (ReplicaSet | undefined)[] = [...oldRSs, newRS];

  let scaledDown = false;
  for (const rs of activeSets(oldRSs)) if ((await sc.scaleAndRecord(rs, 0)).scaled) scaledDown = true;
  if (scaledDown) return syncRolloutStatus(sc, allRSs, newRS);

  if (oldPodsRunning(newRS, oldRSs, podMap())) return syncRolloutStatus(sc, allRSs, newRS);

  if (!newRS) {
    ({ newRS, oldRSs } = await replicaSetsAndSyncRevision(sc, rsList, true));
    allRSs = [...oldRSs, newRS];
  }
  if (newRS) await sc.scaleAndRecord(newRS, deploymentReplicas(sc.d));
  if (deploymentComplete(sc.d, sc.d.status ?? {})) await cleanupDeployment(sc, oldRSs);
  return syncRolloutStatus(sc, allRSs, newRS);
}

/** Old ReplicaSets still report pods, or some old pod is not finished yet. */
export function oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[], podMap: PodMap): boolean {
  if (actualCount(oldRSs) > 0) return true;
  for (const [uid, pods] of podMap) {
    if (newRS && uid === newRS.metadata.uid) continue;
    for (const pod of pods) {
      const phase = pod.status?.phase;
      // Finished pods do not count; Unknown is the deprecated phase of buggy kubelets, kept for compatibility.
      if (phase === 'Failed' || phase === 'Succeeded' || phase === 'Unknown') continue;
      return true;
    }
  }
  return false;
}
