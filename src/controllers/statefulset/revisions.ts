// A StatefulSet's revisions (upstream stateful_set_control.go getStatefulSetRevisions): what a
// revision records is a strategic merge patch replacing spec.template, the same document
// `kubectl rollout undo` sends back. The update revision is the newest one when the template is
// unchanged, an older equal one renumbered to the newest on a rollback, or a new one otherwise; the
// current revision is the one status names (or the update revision on a fresh set).

import type { RestClient } from '../../client/index.ts';
import { applyStrategicMergePatch } from '../../machinery/index.ts';
import {
  createControllerRevision,
  equalRevision,
  findEqualRevisions,
  hashControllerRevision,
  newControllerRevision,
  nextRevision,
  sortRevisions,
  updateRevisionNumber,
  type ControllerRevision,
} from '../history/index.ts';
import type { StatefulSet } from './types.ts';

const STATEFUL_SET_DEFINITION = 'io.k8s.api.apps.v1.StatefulSet';

/** The revision's content: {"spec":{"template":{...,"$patch":"replace"}}}. */
export function statefulSetPatch(set: StatefulSet): Record<string, unknown> {
  return { spec: { template: { ...structuredClone(set.spec.template ?? {}), $patch: 'replace' } } };
}

/** The set as it was at `revision` (its template restored from the recorded patch). */
export function applyRevision(set: StatefulSet, revision: ControllerRevision): StatefulSet {
  return applyStrategicMergePatch(set, revision.data ?? {}, STATEFUL_SET_DEFINITION) as unknown as StatefulSet;
}

/** A new (unsaved) revision of the set's current template. */
export function newRevision(set: StatefulSet, revision: number, collisionCount: number): ControllerRevision {
  const data = statefulSetPatch(set);
  return newControllerRevision({
    owner: set,
    labels: set.spec.template?.metadata?.labels,
    annotations: set.metadata.annotations,
    data,
    revision,
    hash: hashControllerRevision(data, collisionCount),
  });
}

export interface SetRevisions {
  current: ControllerRevision;
  update: ControllerRevision;
  collisionCount: number;
  /** All revisions after any create, sorted oldest first. */
  revisions: ControllerRevision[];
}

/** Finds or makes the update revision and finds the current one; writes through `client`. */
export async function resolveRevisions(client: RestClient, set: StatefulSet, existing: readonly ControllerRevision[], signal?: AbortSignal): Promise<SetRevisions> {
  let revisions = sortRevisions(existing);
  let collisionCount = set.status?.collisionCount ?? 0;
  const wanted = newRevision(set, nextRevision(revisions), collisionCount);
  const equal = findEqualRevisions(revisions, wanted);
  const latest = revisions[revisions.length - 1];
  const lastEqual = equal[equal.length - 1];
  let update: ControllerRevision;
  if (lastEqual && equalRevision(latest, lastEqual)) {
    update = latest!;
  } else if (lastEqual) {
    update = await updateRevisionNumber(client, lastEqual, wanted.revision, signal);
    revisions = sortRevisions(revisions.map((r) => (r.metadata.name === update.metadata.name ? update : r)));
  } else {
    const created = await createControllerRevision(client, set.metadata.name ?? '', wanted, collisionCount, signal);
    update = created.revision;
    collisionCount = created.collisionCount;
    revisions = sortRevisions([...revisions.filter((r) => r.metadata.name !== update.metadata.name), update]);
  }
  const current = revisions.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
  return { current, update, collisionCount, revisions };
}
