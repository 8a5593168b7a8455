// Writing ControllerRevisions (upstream's realHistory): create one under its content hash, and
// when another revision already holds that name with different content (a hash collision) bump
// the caller's collision count and try the next name; renumber a revision (a rollback to an older
// template makes it the newest); delete one. The informer cache is never trusted for these.

import type { RestClient } from '../../client/index.ts';
import { isAlreadyExists, isConflict, isNotFound } from '../../machinery/index.ts';
import { CONTROLLER_REVISIONS } from '../util/refs.ts';
import { controllerRevisionName, hashControllerRevision } from './hash.ts';
import { CONTROLLER_HASH_LABEL, equalRevision, type ControllerRevision } from './revisions.ts';

/** Collisions tolerated before giving up; each one is a 1 in 2^32 event, so this only stops a bug looping. */
const MAX_COLLISIONS = 100;

export interface CreateRevisionResult {
  revision: ControllerRevision;
  /** The collision count the revision was finally named with (store it in the owner's status). */
  collisionCount: number;
}

/**
 * history.CreateControllerRevision: names `revision` from its data and `collisionCount`; an
 * existing revision with the same name and content is returned as is.
 */
export async function createControllerRevision(
  client: RestClient,
  ownerName: string,
  revision: ControllerRevision,
  collisionCount: number,
  signal?: AbortSignal,
): Promise<CreateRevisionResult> {
  const namespace = revision.metadata.namespace ?? 'default';
  for (let count = collisionCount; count < collisionCount + MAX_COLLISIONS; count++) {
    const hash = hashControllerRevision(revision.data, count);
    const candidate: ControllerRevision = {
      ...revision,
      metadata: { ...revision.metadata, name: controllerRevisionName(ownerName, hash), labels: { ...revision.metadata.labels, [CONTROLLER_HASH_LABEL]: hash } },
    };
    try {
      const created = await client.create<ControllerRevision>({ ...CONTROLLER_REVISIONS, namespace }, candidate, signal ? { signal } : {});
      return { revision: created, collisionCount: count };
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    const existing = await client.get<ControllerRevision>({ ...CONTROLLER_REVISIONS, namespace, name: candidate.metadata.name ?? '' }, signal ? { signal } : {});
    if (equalRevision(existing, candidate)) return { revision: existing, collisionCount: count };
  }
  throw new Error(`too many ControllerRevision name collisions for ${namespace}/${ownerName}`);
}

/** history.UpdateControllerRevision: sets the revision number, re-reading on conflict. */
export async function updateRevisionNumber(client: RestClient, revision: ControllerRevision, number: number, signal?: AbortSignal): Promise<ControllerRevision> {
  const ref = { ...CONTROLLER_REVISIONS, namespace: revision.metadata.namespace ?? '', name: revision.metadata.name ?? '' };
  let current = revision;
  for (let attempt = 0; ; attempt++) {
    if (current.revision === number) return current;
    try {
      return await client.update<ControllerRevision>(ref, { ...current, revision: number }, signal ? { signal } : {});
    } catch (err) {
      if (!isConflict(err) || attempt >= 5) throw err;
      current = await client.get<ControllerRevision>(ref, signal ? { signal } : {});
    }
  }
}

/** Deletes a revision; one already gone is fine. */
export async function deleteControllerRevision(client: RestClient, revision: ControllerRevision, signal?: AbortSignal): Promise<void> {
  try {
    await client.delete(
      { ...CONTROLLER_REVISIONS, namespace: revision.metadata.namespace ?? '', name: revision.metadata.name ?? '' },
      { ...(revision.metadata.uid ? { preconditions: { uid: revision.metadata.uid } } : {}), ...(signal ? { signal } : {}) },
    );
  } catch (err) {
    if (!isNotFound(err) && !isConflict(err)) throw err;
  }
}
