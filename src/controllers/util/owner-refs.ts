// Controller references: the one ownerReference with controller=true names the object that
// manages another. Controllers look up what they own through an informer index on it, adopt
// orphans their selector matches and release what it no longer matches (upstream's
// ControllerRefManager), always by patch with the object's uid as a precondition.

import type { KubeObject, OwnerReference } from '../../api/types.ts';
import type { RestClient, ResourceRef } from '../../client/index.ts';
import type { LabelSelector } from '../../machinery/labels.ts';
import { isNotFound, isInvalid } from '../../machinery/status-error.ts';

/** Informer index of objects by their controller's uid. */
export const CONTROLLER_UID_INDEX = 'controller-uid';

export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

export const controllerUidIndex = (obj: KubeObject): string[] => {
  const ref = controllerOf(obj);
  return ref ? [ref.uid] : [];
};

/** The ownerReference a controller puts on what it creates. */
export function newControllerRef(owner: KubeObject): OwnerReference {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name ?? '', uid: owner.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

/** True when `ref` points at `owner` (same kind and uid). */
export const refersTo = (ref: OwnerReference | undefined, owner: KubeObject): boolean => !!ref && ref.uid === owner.metadata.uid && ref.kind === owner.kind;

export interface ClaimOptions {
  client: RestClient;
  /** The type of the claimed objects (pods, replicasets, controllerrevisions...). */
  type: Omit<ResourceRef, 'namespace' | 'name'>;
  owner: KubeObject;
  selector: LabelSelector;
  /**
   * Re-reads the owner before the first adoption; adoption is refused when it is gone, replaced
   * (uid differs) or being deleted, so a stale cache never makes a deleted owner adopt.
   */
  recheckOwner: () => Promise<KubeObject | undefined>;
  signal?: AbortSignal;
}

/**
 * Returns the candidates `owner` controls after adopting matching orphans and releasing owned
 * objects that no longer match. Candidates owned by another controller are never touched.
 */
export async function claimObjects<T extends KubeObject>(candidates: readonly T[], o: ClaimOptions): Promise<T[]> {
  const claimed: T[] = [];
  const ownerDeleting = !!o.owner.metadata.deletionTimestamp;
  let canAdopt: boolean | undefined;
  for (const obj of candidates) {
    const ref = controllerOf(obj);
    const matches = o.selector.matches(obj.metadata.labels);
    if (ref) {
      if (ref.uid !== o.owner.metadata.uid) continue;
      if (matches || ownerDeleting) {
        claimed.push(obj);
        continue;
      }
      if (!obj.metadata.deletionTimestamp) await release(obj, o);
      continue;
    }
    if (!matches || ownerDeleting || obj.metadata.deletionTimestamp) continue;
    canAdopt ??= await ownerStillValid(o);
    if (!canAdopt) continue;
    if (await adopt(obj, o)) claimed.push(obj);
  }
  return claimed;
}

async function ownerStillValid(o: ClaimOptions): Promise<boolean> {
  const fresh = await o.recheckOwner();
  return !!fresh && fresh.metadata.uid === o.owner.metadata.uid && !fresh.metadata.deletionTimestamp;
}

async function adopt(obj: KubeObject, o: ClaimOptions): Promise<boolean> {
  const patch = { metadata: { ownerReferences: [newControllerRef(o.owner)], uid: obj.metadata.uid } };
  try {
    await o.client.patch({ ...o.type, namespace: obj.metadata.namespace ?? '', name: obj.metadata.name ?? '' }, 'strategic', patch, o.signal ? { signal: o.signal } : {});
    return true;
  } catch (err) {
    // Gone, or replaced by a new object with the same name (the uid precondition failed).
    if (isNotFound(err) || isInvalid(err)) return false;
    throw err;
  }
}

async function release(obj: KubeObject, o: ClaimOptions): Promise<void> {
  const patch = { metadata: { ownerReferences: [{ $patch: 'delete', uid: o.owner.metadata.uid }], uid: obj.metadata.uid } };
  try {
    await o.client.patch({ ...o.type, namespace: obj.metadata.namespace ?? '', name: obj.metadata.name ?? '' }, 'strategic', patch, o.signal ? { signal: o.signal } : {});
  } catch (err) {
    if (isNotFound(err) || isInvalid(err)) return;
    throw err;
  }
}
