// revisionHistoryLimit: once a rollout is complete (or while paused), old ReplicaSets beyond the
// limit are deleted, lowest revision first — only those fully scaled down, with no pods left and
// their latest spec observed, so no pod is ever lost to history cleanup.

import { isNotFound } from '../../machinery/index.ts';
import type { ReplicaSet } from '../replicaset/index.ts';
import { REPLICA_SETS } from '../util/index.ts';
import { byRevision, rsReplicas } from './replica-set-util.ts';
import type { SyncContext } from './sync-context.ts';
import { MAX_INT32, type Deployment } from './types.ts';

/** The old ReplicaSets history cleanup would delete now. */
export function replicaSetsToCleanUp(d: Deployment, oldRSs: readonly ReplicaSet[]): ReplicaSet[] {
  const limit = d.spec?.revisionHistoryLimit;
  if (limit === undefined || limit === MAX_INT32) return [];
  const alive = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
  const diff = alive.length - limit;
  if (diff <= 0) return [];
  return [...alive]
    .sort(byRevision)
    .slice(0, diff)
    .filter((rs) => (rs.status?.replicas ?? 0) === 0 && rsReplicas(rs) === 0 && (rs.metadata.generation ?? 0) <= (rs.status?.observedGeneration ?? 0));
}

export async function cleanupDeployment(sc: SyncContext, oldRSs: readonly ReplicaSet[]): Promise<void> {
  for (const rs of replicaSetsToCleanUp(sc.d, oldRSs)) {
    try {
      await sc.deps.client.delete({ ...REPLICA_SETS, namespace: sc.namespace, name: rs.metadata.name ?? '' }, { preconditions: { uid: rs.metadata.uid ?? '' }, signal: sc.signal });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
