// ControllerRevisions as values (upstream pkg/controller/history): the ordering by revision
// number, the next number, equality by recorded content, building a new revision for an owner,
// and which old revisions to delete so at most revisionHistoryLimit non-live ones remain.

import type { KubeObject } from '../../api/types.ts';
import { jsonEqual } from '../../machinery/index.ts';
import { newControllerRef } from '../util/owner-refs.ts';
import { controllerRevisionName } from './hash.ts';

/** apps/v1 ControllerRevision: an immutable snapshot of an owner's state with a revision number. */
export interface ControllerRevision extends KubeObject {
  data?: unknown;
  revision: number;
}

/** The label pods carry naming their revision (StatefulSet: its name; DaemonSet: its hash); DaemonSet revisions carry it too. */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash';
/** The label history.NewControllerRevision puts on revisions: the hash of their data (StatefulSets). */
export const CONTROLLER_HASH_LABEL = 'controller.kubernetes.io/hash';

const created = (r: ControllerRevision): number => Date.parse(r.metadata.creationTimestamp ?? '') || 0;

/** history.SortControllerRevisions: ascending revision, then creation time, then name. */
export function sortRevisions<T extends ControllerRevision>(revisions: readonly T[]): T[] {
  return [...revisions].sort((a, b) => {
    if (a.revision !== b.revision) return a.revision - b.revision;
    if (created(a) !== created(b)) return created(a) - created(b);
    const an = a.metadata.name ?? '';
    const bn = b.metadata.name ?? '';
    return an < bn ? -1 : an > bn ? 1 : 0;
  });
}

/** The highest revision number (0 for none). */
export const maxRevision = (revisions: readonly ControllerRevision[]): number => revisions.reduce((m, r) => Math.max(m, r.revision), 0);

/** The number the next revision gets: one past the highest. */
export const nextRevision = (revisions: readonly ControllerRevision[]): number => maxRevision(revisions) + 1;

/** history.EqualRevision: the same recorded content (JSON equality, key order ignored). */
export function equalRevision(a: ControllerRevision | undefined, b: ControllerRevision | undefined): boolean {
  if (!a || !b) return a === b;
  return jsonEqual(a.data ?? null, b.data ?? null);
}

/** The revisions whose content equals `needle`'s, in the order given. */
export const findEqualRevisions = <T extends ControllerRevision>(revisions: readonly T[], needle: ControllerRevision): T[] =>
  revisions.filter((r) => equalRevision(r, needle));

export interface NewRevisionOptions {
  owner: KubeObject;
  /** The pod template's labels, so the owner's selector finds its revisions (kubectl rollout history lists them so). */
  labels: Record<string, string> | undefined;
  annotations?: Record<string, string> | undefined;
  data: unknown;
  revision: number;
  /** Becomes the hash label's value and the name suffix. */
  hash: string;
  /** The label holding the hash: controller.kubernetes.io/hash unless said otherwise (DaemonSets use controller-revision-hash). */
  hashLabel?: string;
}

/** history.NewControllerRevision: owned by `owner` as controller, named "<owner>-<hash>", labelled with the hash. */
export function newControllerRevision(o: NewRevisionOptions): ControllerRevision {
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: controllerRevisionName(o.owner.metadata.name ?? '', o.hash),
      namespace: o.owner.metadata.namespace ?? 'default',
      labels: { ...(o.labels ?? {}), [o.hashLabel ?? CONTROLLER_HASH_LABEL]: o.hash },
      ...(o.annotations && Object.keys(o.annotations).length ? { annotations: { ...o.annotations } } : {}),
      ownerReferences: [newControllerRef(o.owner)],
    },
    data: o.data,
    revision: o.revision,
  };
}

export interface TruncateOptions {
  /** Revisions still in use (the current and update revisions, those pods run): never deleted. */
  live: (revision: ControllerRevision) => boolean;
  limit: number;
  /**
   * Whether live revisions count toward the limit. StatefulSets keep `limit` non-live revisions;
   * DaemonSets keep `limit` old ones, live or not (deleting only non-live ones to get there).
   */
  countLive?: boolean;
}

/** The oldest non-live revisions beyond the history limit, oldest first. */
export function revisionsToTruncate<T extends ControllerRevision>(revisions: readonly T[], o: TruncateOptions): T[] {
  const sorted = sortRevisions(revisions);
  const candidates = sorted.filter((r) => !o.live(r));
  const excess = (o.countLive ? sorted.length : candidates.length) - Math.max(0, o.limit);
  return excess > 0 ? candidates.slice(0, excess) : [];
}
