// How objects travel to and from the store: JSON text without metadata.resourceVersion (the
// store's revision is the resourceVersion), like upstream's etcd3 storage.

import type { KeyValue } from '../../store/types.ts';
import type { KubeObject } from '../../api/types.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeObject(obj: KubeObject): Uint8Array {
  const rv = obj.metadata.resourceVersion;
  if (rv === undefined) return encoder.encode(JSON.stringify(obj));
  delete obj.metadata.resourceVersion;
  try {
    return encoder.encode(JSON.stringify(obj));
  } finally {
    obj.metadata.resourceVersion = rv;
  }
}

export function decodeObject(kv: KeyValue): KubeObject {
  const obj = JSON.parse(decoder.decode(kv.value)) as KubeObject;
  obj.metadata.resourceVersion = String(kv.modRevision);
  return obj;
}

/** Store key of an object: /registry/<group|core>/<resource>/[<namespace>/]<name>. */
export function storagePrefix(group: string, resource: string): string {
  return `/registry/${group || 'core'}/${resource}/`;
}

export function objectKey(prefix: string, namespace: string | undefined, name: string): string {
  return namespace ? `${prefix}${namespace}/${name}` : `${prefix}${name}`;
}

/** A deep copy for mutation; cached objects are frozen. */
export function clone<T>(obj: T): T {
  return structuredClone(obj);
}

/** Structural equality of JSON values (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ak = Object.keys(a as object);
  const bo = b as Record<string, unknown>;
  if (ak.length !== Object.keys(bo).length) return false;
  for (const k of ak) {
    if (!(k in bo) || !jsonEqual((a as Record<string, unknown>)[k], bo[k])) return false;
  }
  return true;
}
