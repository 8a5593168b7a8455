// Pruning of unknown fields in custom objects, as upstream's structural pruning: a field the
// schema does not specify is dropped, unless the node says x-kubernetes-preserve-unknown-fields.
// The root and every x-kubernetes-embedded-resource keep apiVersion, kind and metadata, and
// their metadata keeps only ObjectMeta fields. The same walk lists the dropped paths for
// fieldValidation=Strict (`unknown field "spec.foo"`).

import { child, index, isRecord } from './field-errors.ts';
import { fieldNode, MAX_SCHEMA_DEPTH, type SchemaNode } from './structural.ts';

const OBJECT_META_FIELDS: ReadonlySet<string> = new Set([
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields',
]);

const TYPE_META_FIELDS: ReadonlySet<string> = new Set(['apiVersion', 'kind']);

/** Deletes unknown fields in place; returns their paths (in visiting order). */
export function pruneObject(root: SchemaNode, obj: unknown): string[] {
  const out: string[] = [];
  walk(root, obj, '', true, true, out, 0);
  return out;
}

/** The paths pruneObject would delete, without touching the object (`resource`: a whole object). */
export function unknownFieldPaths(root: SchemaNode, obj: unknown, resource = true): string[] {
  const out: string[] = [];
  walk(root, obj, '', resource, false, out, 0);
  return out;
}

function walk(node: SchemaNode | undefined, value: unknown, path: string, resource: boolean, remove: boolean, out: string[], depth: number): void {
  if (depth > MAX_SCHEMA_DEPTH * 2 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    const items = node?.items;
    if (!items) return;
    for (let i = 0; i < value.length; i++) walk(items, value[i], index(path, i), items.embedded, remove, out, depth + 1);
    return;
  }
  if (!node) return;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const at = child(path, key);
    if (resource && TYPE_META_FIELDS.has(key) && !node.properties?.has(key)) continue;
    if (resource && key === 'metadata') {
      pruneMeta(record[key], at, remove, out);
      continue;
    }
    const sub = fieldNode(node, key);
    if (sub) walk(sub, record[key], at, sub.embedded, remove, out, depth + 1);
    else if (!node.preserveUnknown) {
      out.push(at);
      if (remove) delete record[key];
    }
  }
}

function pruneMeta(meta: unknown, path: string, remove: boolean, out: string[]): void {
  if (!isRecord(meta)) return;
  for (const key of Object.keys(meta)) {
    if (OBJECT_META_FIELDS.has(key)) continue;
    out.push(child(path, key));
    if (remove) delete meta[key];
  }
}
