// The objects the benchmark writes: ConfigMaps whose `data` values total a given size, their API
// paths, and the store keys the raw-store baselines use for the same objects.

import type { HttpClient } from './clients.ts';

const PAD_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

function pad(bytes: number): string {
  let s = '';
  while (s.length < bytes) s += PAD_ALPHABET;
  return s.slice(0, Math.max(0, bytes));
}

/** A ConfigMap as JSON bytes; `data` holds `extra` plus a payload so the values total `dataBytes`. */
export function configMap(namespace: string, name: string, dataBytes: number, extra: Record<string, string> = {}): Buffer {
  let used = 0;
  for (const v of Object.values(extra)) used += v.length;
  const data = { ...extra, payload: pad(dataBytes - used) };
  return Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels: { app: 'bench' } }, data }));
}

export const configMapsPath = (namespace: string): string => `/api/v1/namespaces/${namespace}/configmaps`;
export const configMapPath = (namespace: string, name: string): string => `${configMapsPath(namespace)}/${name}`;
/** Where the server keeps a ConfigMap (objectKey in the registry), used for the raw-store baseline. */
export const configMapKey = (namespace: string, name: string): string => `/registry/configmaps/${namespace}/${name}`;

/** Creates the namespace if it is missing (writes into a missing namespace are refused). */
export async function ensureNamespace(client: HttpClient, name: string): Promise<void> {
  const res = await client.request('POST', '/api/v1/namespaces', Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })));
  if (res.status !== 201 && res.status !== 409) throw new Error(`create namespace ${name}: HTTP ${res.status} ${res.body.toString().slice(0, 300)}`);
}

/** POSTs a ConfigMap and throws unless it was created; returns the response body. */
export async function mustCreate(client: HttpClient, namespace: string, body: Buffer): Promise<Buffer> {
  const res = await client.request('POST', configMapsPath(namespace), body);
  if (res.status !== 201) throw new Error(`create configmap in ${namespace}: HTTP ${res.status} ${res.body.toString().slice(0, 300)}`);
  return res.body;
}
