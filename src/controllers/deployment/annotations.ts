// The annotations that carry a Deployment's history on its ReplicaSets: the revision (and, when a
// rollback reuses an old ReplicaSet, the revisions it had before in revision-history), the
// desired and max replicas proportional scaling reads, and the Deployment's own annotations
// (change-cause among them) copied to the new ReplicaSet. All functions mutate the copy passed in.

import type { Logger } from 'pino';
import type { ReplicaSet } from '../replicaset/index.ts';
import {
  DEPRECATED_ROLLBACK_TO,
  DESIRED_REPLICAS,
  LAST_APPLIED,
  MAX_REPLICAS,
  REVISION,
  REVISION_HISTORY,
  type Deployment,
} from './types.ts';

/** How long revision-history may grow (upstream's maxRevHistoryLengthInChars). */
export const MAX_REVISION_HISTORY_CHARS = 2000;

const SKIPPED = new Set([LAST_APPLIED, REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, DEPRECATED_ROLLBACK_TO]);

/** The revision annotation as a number; 0 when absent, undefined when it is not an integer. */
export function revisionOf(obj: { metadata: { annotations?: Record<string, string> } }): number | undefined {
  const raw = obj.metadata.annotations?.[REVISION];
  if (raw === undefined || raw === '') return 0;
  return /^-?\d+$/.test(raw) ? Number(raw) : undefined;
}

/** The highest revision among `sets` (unparseable ones are skipped, as upstream logs and skips them). */
export function maxRevision(sets: readonly ReplicaSet[], logger?: Logger): number {
  let max = 0;
  for (const rs of sets) {
    const v = revisionOf(rs);
    if (v === undefined) logger?.warn({ replicaSet: rs.metadata.name }, 'could not parse revision annotation');
    else if (v > max) max = v;
  }
  return max;
}

/** Copies the Deployment's annotations onto the ReplicaSet, except the controller's own; true when something changed. */
export function copyDeploymentAnnotations(d: Deployment, rs: ReplicaSet): boolean {
  let changed = false;
  const target = (rs.metadata.annotations ??= {});
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (SKIPPED.has(k) || target[k] === v) continue;
    target[k] = v;
    changed = true;
  }
  return changed;
}

/** Sets desired-replicas and max-replicas; true when either changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = (rs.metadata.annotations ??= {});
  let changed = false;
  if (a[DESIRED_REPLICAS] !== String(desired)) {
    a[DESIRED_REPLICAS] = String(desired);
    changed = true;
  }
  if (a[MAX_REPLICAS] !== String(max)) {
    a[MAX_REPLICAS] = String(max);
    changed = true;
  }
  return changed;
}

export const replicasAnnotationsNeedUpdate = (rs: ReplicaSet, desired: number, max: number): boolean =>
  rs.metadata.annotations?.[DESIRED_REPLICAS] !== String(desired) || rs.metadata.annotations?.[MAX_REPLICAS] !== String(max);

/** An integer annotation, or undefined when absent or malformed. */
export function intAnnotation(rs: ReplicaSet, key: string): number | undefined {
  const raw = rs.metadata.annotations?.[key];
  return raw !== undefined && /^-?\d+$/.test(raw) ? Number(raw) : undefined;
}

/**
 * Upstream's SetNewReplicaSetAnnotations: copy the Deployment's annotations, raise the revision
 * to `newRevision` when it is higher, and when an existing revision is replaced (a rollback to
 * this ReplicaSet) append it to revision-history, dropping the oldest entries past the length
 * limit. A ReplicaSet about to be created also gets its replicas annotations. True when changed.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, exists: boolean, surge: number, logger?: Logger): boolean {
  let changed = copyDeploymentAnnotations(d, rs);
  const a = (rs.metadata.annotations ??= {});
  const oldRaw = a[REVISION];
  const had = oldRaw !== undefined;
  let old = 0;
  if (had && oldRaw !== '') {
    if (!/^-?\d+$/.test(oldRaw)) {
      logger?.warn({ replicaSet: rs.metadata.name, revision: oldRaw }, 'replica set revision is not an integer');
      return false;
    }
    old = Number(oldRaw);
  }
  if (old < newRevision) {
    a[REVISION] = String(newRevision);
    changed = true;
    if (had) {
      const history = a[REVISION_HISTORY] ?? '';
      if (history === '') {
        a[REVISION_HISTORY] = oldRaw;
      } else {
        const entries = history.split(',');
        let total = history.length + oldRaw.length + 1;
        let start = 0;
        while (total > MAX_REVISION_HISTORY_CHARS && start < entries.length) total -= entries[start++]!.length + 1;
        if (total <= MAX_REVISION_HISTORY_CHARS) a[REVISION_HISTORY] = [...entries.slice(start), oldRaw].join(',');
      }
    }
  }
  const replicas = d.spec?.replicas ?? 1;
  if (!exists && setReplicasAnnotations(rs, replicas, replicas + surge)) changed = true;
  return changed;
}
