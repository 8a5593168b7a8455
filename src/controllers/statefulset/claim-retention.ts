// persistentVolumeClaimRetentionPolicy as owner references on the claims (upstream's
// StatefulSetAutoDeletePVC): whenDeleted: Delete makes the set an owner of its claims (the
// garbage collector deletes them with it); whenScaled: Delete makes a scaled-down pod the owner
// of its claims (they go with the pod). Retain keeps neither. The references are plain owners,
// not controllers. A claim still owned by an earlier pod of the same name is stale: the new pod
// waits for the garbage collector to remove it instead of inheriting it.

import type { KubeObject, OwnerReference } from '../../api/types.ts';
import type { Pod } from '../util/pods.ts';
import { podInOrdinalRange } from './identity.ts';
import type { PersistentVolumeClaim, StatefulSet } from './types.ts';

export interface ClaimOwners {
  set: boolean;
  pod: boolean;
}

export const retentionPolicy = (set: StatefulSet): { whenDeleted: string; whenScaled: string } => ({
  whenDeleted: set.spec.persistentVolumeClaimRetentionPolicy?.whenDeleted ?? 'Retain',
  whenScaled: set.spec.persistentVolumeClaimRetentionPolicy?.whenScaled ?? 'Retain',
});

/** Which of set and pod should own the claims of `pod` (an unknown policy is treated as Retain). */
export function desiredClaimOwners(set: StatefulSet, pod: Pod): ClaimOwners {
  const { whenDeleted, whenScaled } = retentionPolicy(set);
  const scaledDown = !podInOrdinalRange(pod, set);
  const deleteWithSet = whenDeleted === 'Delete';
  if (whenScaled !== 'Delete') return { set: deleteWithSet, pod: false };
  if (!deleteWithSet) return { set: false, pod: scaledDown };
  // Both Delete: a live pod's claims go with the set, a scaled-down pod's with the pod.
  return { set: !scaledDown, pod: scaledDown };
}

export const hasOwnerRef = (target: KubeObject, owner: KubeObject): boolean =>
  !!owner.metadata.uid && (target.metadata.ownerReferences ?? []).some((r) => r.uid === owner.metadata.uid);

/** The claim is owned by a pod that had this pod's name but another uid (or this pod has none yet). */
export const hasStaleOwnerRef = (claim: PersistentVolumeClaim, pod: Pod): boolean =>
  (claim.metadata.ownerReferences ?? []).some((r) => r.kind === 'Pod' && r.name === pod.metadata.name && r.uid !== pod.metadata.uid);

export function claimOwnersMatch(claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): boolean {
  const want = desiredClaimOwners(set, pod);
  return hasOwnerRef(claim, set) === want.set && hasOwnerRef(claim, pod) === want.pod;
}

const ownerRef = (owner: KubeObject, apiVersion: string, kind: string): OwnerReference => ({ apiVersion, kind, name: owner.metadata.name ?? '', uid: owner.metadata.uid ?? '' });

/** Returns `claim` with the owner references the policy asks for, or undefined when it already has them. */
export function withRetentionOwners(claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): PersistentVolumeClaim | undefined {
  if (claimOwnersMatch(claim, set, pod)) return undefined;
  const want = desiredClaimOwners(set, pod);
  let refs = [...(claim.metadata.ownerReferences ?? [])];
  const apply = (owner: KubeObject, wanted: boolean, apiVersion: string, kind: string): void => {
    const has = hasOwnerRef(claim, owner);
    if (wanted && !has && owner.metadata.uid) refs.push(ownerRef(owner, apiVersion, kind));
    if (!wanted && has) refs = refs.filter((r) => r.uid !== owner.metadata.uid);
  };
  apply(set, want.set, 'apps/v1', 'StatefulSet');
  apply(pod, want.pod, 'v1', 'Pod');
  const metadata = { ...claim.metadata };
  if (refs.length) metadata.ownerReferences = refs;
  else delete metadata.ownerReferences;
  return { ...claim, metadata };
}
