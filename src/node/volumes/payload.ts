// The files of API-data volumes, as upstream's MakePayload functions build them: a ConfigMap's
// or Secret's keys (all of them, or the listed items at their paths, with per-item modes), and
// downward-API items. Shared by the configMap, secret, downwardAPI and projected plugins.

import type { KubeObject } from '../../api/types.ts';
import { isNotFound } from '../../machinery/status-error.ts';
import { fieldValue, resourceValue } from '../agent/downward-values.ts';
import type { FileProjection, Payload } from './atomic-writer.ts';
import type { DownwardAPIVolumeFile, KeyToPath, VolumeContext } from './types.ts';

export const DEFAULT_MODE = 0o644;

interface DataObject extends KubeObject {
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

/** A volume's SetUp failure; the message is what the FailedMount event and status carry. */
export class VolumeSetUpError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'VolumeSetUpError';
  }
}

/** The keys of a ConfigMap or Secret as files; undefined when it is missing and optional. */
export async function objectPayload(
  kind: 'configmap' | 'secret', name: string, items: readonly KeyToPath[] | undefined, mode: number, optional: boolean, ctx: VolumeContext,
): Promise<Payload | undefined> {
  let obj: DataObject;
  try {
    obj = await ctx.objects.get<DataObject>(kind, ctx.pod.metadata.namespace ?? 'default', name);
  } catch (err) {
    if (isNotFound(err) && optional) return undefined;
    throw new VolumeSetUpError(err instanceof Error ? err.message : String(err), { cause: err });
  }
  // A Secret's data and a ConfigMap's binaryData are base64; a ConfigMap's data is text.
  const values = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(obj.data ?? {})) values.set(k, kind === 'secret' ? Buffer.from(v, 'base64') : Buffer.from(v, 'utf8'));
  if (kind === 'configmap') for (const [k, v] of Object.entries(obj.binaryData ?? {})) values.set(k, Buffer.from(v, 'base64'));
  const payload: Payload = new Map();
  if (!items || items.length === 0) {
    for (const [k, data] of values) payload.set(k, { data, mode });
    return payload;
  }
  for (const item of items) {
    const data = values.get(item.key);
    if (data === undefined) {
      if (optional) continue;
      throw new VolumeSetUpError(`${kind === 'configmap' ? 'configmap' : 'secret'} references non-existent ${kind === 'configmap' ? 'config' : 'secret'} key: ${item.key}`);
    }
    payload.set(item.path, { data, mode: item.mode ?? mode });
  }
  return payload;
}

/** Downward-API items as files. */
export function downwardPayload(items: readonly DownwardAPIVolumeFile[], mode: number, ctx: VolumeContext): Payload {
  const payload: Payload = new Map();
  for (const item of items) {
    let value: string;
    try {
      if (item.fieldRef) value = fieldValue(ctx.pod, item.fieldRef.fieldPath, ctx.facts, true);
      else if (item.resourceFieldRef) value = resourceValue(ctx.pod, undefined, item.resourceFieldRef, ctx.allocatable);
      else continue;
    } catch (err) {
      throw new VolumeSetUpError(err instanceof Error ? err.message : String(err), { cause: err });
    }
    const file: FileProjection = { data: Buffer.from(value, 'utf8'), mode: item.mode ?? mode };
    payload.set(item.path, file);
  }
  return payload;
}
