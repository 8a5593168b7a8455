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

export { jsonEqual } from '../../machinery/patch/json-value.ts';

/** A deep copy for mutation; cached objects are frozen. */
export function clone<T>(obj: T): T {
  return structuredClone(obj);
}
