// A DaemonSet's ControllerRevisions (upstream daemon/update.go constructHistory, snapshot,
// dedupCurHistories, cleanupHistory): the revision whose recorded patch equals the current
// template is current, renumbered to the newest if it was older (a rollback), and created when
// none matches, named "<ds>-<hash of the template and collision count>". A name taken by different
// content bumps status.collisionCount and retries. Duplicates of the current revision are merged
// (pods relabelled first); old revisions beyond revisionHistoryLimit that no pod runs are deleted.

import type { RestClient } from '../../client/index.ts';
import { isAlreadyExists, jsonEqual } from '../../machinery/index.ts';
import {
  CONTROLLER_REVISION_HASH_LABEL,
  computeTemplateHash,
  deleteControllerRevision,
  maxRevision,
  newControllerRevision,
  revisionsToTruncate,
  updateRevisionNumber,
  type ControllerRevision,
} from '../history/index.ts';
import type { Pod } from '../util/pods.ts';
import { CONTROLLER_REVISIONS, DAEMON_SETS, PODS } from '../util/refs.ts';
import type { DaemonSet } from './types.ts';

/** The revision's content: {"spec":{"template":{...,"$patch":"replace"}}}, what `kubectl rollout undo` patches back. */
export function daemonSetPatch(ds: DaemonSet): Record<string, unknown> {
  return { spec: { template: { ...structuredClone(ds.spec.template ?? {}), $patch: 'replace' } } };
}

/** The revision records the DaemonSet's current template. */
export const matchesDaemonSet = (ds: DaemonSet, revision: ControllerRevision): boolean => jsonEqual(revision.data ?? null, daemonSetPatch(ds));

export const revisionHash = (revision: ControllerRevision): string => revision.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '';

export interface DaemonSetHistory {
  current: ControllerRevision;
  old: ControllerRevision[];
}

const opts = (signal?: AbortSignal): { signal?: AbortSignal } => (signal ? { signal } : {});

export async function constructHistory(client: RestClient, ds: DaemonSet, revisions: readonly ControllerRevision[], pods: () => readonly Pod[], signal?: AbortSignal): Promise<DaemonSetHistory> {
  const current: ControllerRevision[] = [];
  const old: ControllerRevision[] = [];
  for (let revision of revisions) {
    if (!revisionHash(revision)) {
      // Revisions made without the label are labelled with their name, which is unique.
      const labels = { ...revision.metadata.labels, [CONTROLLER_REVISION_HASH_LABEL]: revision.metadata.name ?? '' };
      revision = await client.update<ControllerRevision>({ ...CONTROLLER_REVISIONS, namespace: revision.metadata.namespace ?? '' }, { ...revision, metadata: { ...revision.metadata, labels } }, opts(signal));
    }
    (matchesDaemonSet(ds, revision) ? current : old).push(revision);
  }
  const next = maxRevision(old) + 1;
  if (current.length === 0) return { current: await snapshot(client, ds, next, signal), old };
  let cur = await dedupCurrent(client, current, pods, signal);
  if (cur.revision < next) cur = await updateRevisionNumber(client, cur, next, signal);
  return { current: cur, old };
}

async function snapshot(client: RestClient, ds: DaemonSet, revision: number, signal?: AbortSignal): Promise<ControllerRevision> {
  const namespace = ds.metadata.namespace ?? '';
  const hash = computeTemplateHash(ds.spec.template ?? {}, ds.status?.collisionCount);
  const wanted = newControllerRevision({
    owner: ds, labels: ds.spec.template?.metadata?.labels, annotations: ds.metadata.annotations, data: daemonSetPatch(ds), revision, hash, hashLabel: CONTROLLER_REVISION_HASH_LABEL,
  });
  try {
    return await client.create<ControllerRevision>({ ...CONTROLLER_REVISIONS, namespace }, wanted, opts(signal));
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    const existing = await client.get<ControllerRevision>({ ...CONTROLLER_REVISIONS, namespace, name: wanted.metadata.name ?? '' }, opts(signal));
    if (matchesDaemonSet(ds, existing)) return existing;
    // A hash collision: bump the collision count (unless ours was stale) and try again next time.
    const fresh = await client.get<DaemonSet>({ ...DAEMON_SETS, namespace, name: ds.metadata.name ?? '' }, opts(signal));
    if ((fresh.status?.collisionCount ?? -1) !== (ds.status?.collisionCount ?? -1)) {
      throw new Error(`found a stale collision count of DaemonSet ${namespace}/${ds.metadata.name}; will retry until it is updated`, { cause: err });
    }
    const status = { ...(fresh.status ?? { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 }), collisionCount: (fresh.status?.collisionCount ?? 0) + 1 };
    await client.updateStatus({ ...DAEMON_SETS, namespace }, { ...fresh, status }, opts(signal));
    throw new Error(`hash collision for ControllerRevision ${wanted.metadata.name}; bumped collisionCount`, { cause: err });
  }
}

/** Keeps the highest-numbered of several revisions equal to the template, moving their pods onto its hash first. */
async function dedupCurrent(client: RestClient, current: readonly ControllerRevision[], pods: () => readonly Pod[], signal?: AbortSignal): Promise<ControllerRevision> {
  if (current.length === 1) return current[0]!;
  const keep = current.reduce((best, r) => (r.revision >= best.revision ? r : best));
  const keepHash = revisionHash(keep);
  for (const dup of current) {
    if (dup === keep) continue;
    for (const pod of pods()) {
      if (pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] !== revisionHash(dup)) continue;
      await client.patch({ ...PODS, namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '' }, 'strategic', { metadata: { labels: { [CONTROLLER_REVISION_HASH_LABEL]: keepHash } } }, opts(signal));
    }
    await deleteControllerRevision(client, dup, signal);
  }
  return keep;
}

/** Deletes the oldest old revisions beyond revisionHistoryLimit whose hash no pod carries. */
export async function cleanupHistory(client: RestClient, ds: DaemonSet, old: readonly ControllerRevision[], pods: readonly Pod[], signal?: AbortSignal): Promise<void> {
  const liveHashes = new Set(pods.map((p) => p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL]).filter((h): h is string => !!h));
  const doomed = revisionsToTruncate(old, { live: (r) => liveHashes.has(revisionHash(r)), limit: ds.spec.revisionHistoryLimit ?? 10, countLive: true });
  for (const r of doomed) await deleteControllerRevision(client, r, signal);
}
