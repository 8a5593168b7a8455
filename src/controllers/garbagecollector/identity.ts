// Who an object in the garbage collector's graph is: the coordinates an ownerReference carries
// (apiVersion, kind, name, uid) plus the namespace it lives in ('' for cluster-scoped). Upstream
// calls this objectReference. Coordinates are compared by API group, not version: an owner
// reference written as apps/v1beta2 names the same ReplicaSet the apps/v1 informer observes.

import type { OwnerReference } from '../../api/types.ts';

export interface ObjectIdentity {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  /** '' for cluster-scoped objects (and virtual owners known to be of a cluster-scoped kind). */
  namespace: string;
}

/** The coordinates of an owner reference: what a reference and an identity have in common. */
export type Coordinates = Pick<OwnerReference, 'apiVersion' | 'kind' | 'name' | 'uid'>;

export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

export function versionOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
}

/** True when `ref` names the object `id` (uid, name, kind and API group agree). */
export function matchesCoordinates(ref: Coordinates, id: Coordinates): boolean {
  return ref.uid === id.uid && ref.name === id.name && ref.kind === id.kind && groupOf(ref.apiVersion) === groupOf(id.apiVersion);
}

export function sameIdentity(a: ObjectIdentity, b: ObjectIdentity): boolean {
  return matchesCoordinates(a, b) && a.namespace === b.namespace;
}

/** The identity an owner reference of an object in `namespace` points at. */
export function ownerIdentity(ref: Coordinates, namespace: string): ObjectIdentity {
  return { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, uid: ref.uid, namespace };
}

/** Upstream's objectReference.String(), used in event messages and logs. */
export function identityString(id: ObjectIdentity): string {
  return `[${id.apiVersion}/${id.kind}, namespace: ${id.namespace}, name: ${id.name}, uid: ${id.uid}]`;
}

/** A map key for an identity (the absent-owner cache). */
export function identityKey(id: ObjectIdentity): string {
  return [id.uid, groupOf(id.apiVersion), id.kind, id.namespace, id.name].join('\u0000');
}
