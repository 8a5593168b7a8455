// The bridge from client-side apply: the kubectl.kubernetes.io/last-applied-configuration
// annotation. When `kubectl apply --server-side` (manager "kubectl") first meets an object that
// client-side apply manages, fields whose live value still matches the annotation are not
// conflicts (upstream lastAppliedManager); and while the annotation exists, server-side apply by
// kubectl keeps it up to date so a later client-side apply still computes correct patches
// (upstream lastAppliedUpdater).

import { isJsonObject, type JsonObject, type JsonValue } from '../patch/json-value.ts';
import { compareObjects } from './compare.ts';
import type { FieldSet } from './field-set.ts';
import { goJson } from './path-element.ts';
import type { TypeNode } from './type-info.ts';
import { toFieldSet } from './typed.ts';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** The manager whose applies take part in the migration from client-side apply. */
export const KUBECTL_MANAGER = 'kubectl';

function annotations(obj: JsonObject): JsonObject | undefined {
  const meta = obj['metadata'];
  if (!isJsonObject(meta)) return undefined;
  const ann = meta['annotations'];
  return isJsonObject(ann) ? ann : undefined;
}

export function lastAppliedOf(obj: JsonObject): string | undefined {
  const value = annotations(obj)?.[LAST_APPLIED_ANNOTATION];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Fields of the last-applied configuration whose live values still match it: client-side apply
 * owned them, so server-side apply may take them over without a conflict. Undefined when the
 * object has no usable annotation.
 */
export function allowedConflictsFromLastApplied(live: JsonObject, liveWithoutManaged: JsonObject, type: TypeNode, apiVersion: string): FieldSet | undefined {
  const text = lastAppliedOf(live);
  if (text === undefined) return undefined;
  let parsed: JsonValue;
  try {
    parsed = JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
  if (!isJsonObject(parsed) || parsed['apiVersion'] !== apiVersion) return undefined;
  const errors: string[] = [];
  const lastAppliedSet = toFieldSet(parsed, type, errors);
  if (errors.length > 0) return undefined;
  const cmp = compareObjects(parsed, liveWithoutManaged, type);
  return lastAppliedSet.difference(cmp.modified).difference(cmp.added).difference(cmp.removed);
}

/** The annotation value for an applied configuration: its JSON without the annotation itself. */
export function lastAppliedValue(config: JsonObject): string {
  const copy: JsonObject = { ...config };
  const meta = config['metadata'];
  if (isJsonObject(meta)) {
    const ann = meta['annotations'];
    if (isJsonObject(ann) && Object.prototype.hasOwnProperty.call(ann, LAST_APPLIED_ANNOTATION)) {
      const rest: JsonObject = { ...ann };
      delete rest[LAST_APPLIED_ANNOTATION];
      copy['metadata'] = { ...meta, annotations: rest };
    }
  }
  // Go's json.Encoder: sorted keys, HTML characters escaped, a trailing newline.
  return `${goJson(copy)}\n`;
}

/** Sets the annotation on an object (copying the metadata it changes). */
export function withLastApplied(obj: JsonObject, value: string): JsonObject {
  const meta = isJsonObject(obj['metadata']) ? obj['metadata'] : {};
  const ann = isJsonObject(meta['annotations']) ? meta['annotations'] : {};
  return { ...obj, metadata: { ...meta, annotations: { ...ann, [LAST_APPLIED_ANNOTATION]: value } } };
}
