// x-kubernetes-list-type semantics on write: a `set` holds no value twice, a `map` holds no two
// items with the same x-kubernetes-list-map-keys values (`spec.ports[1]: Duplicate value: ...`).

import { jsonEqual } from '../../machinery/index.ts';
import type { FieldError } from '../../machinery/index.ts';
import { child, crdFieldErrors, index, isRecord } from './field-errors.ts';
import { fieldNode, MAX_SCHEMA_DEPTH, walkNodes, type SchemaNode } from './structural.ts';

/** Whether the schema declares any set or map list (most do not; then there is nothing to walk). */
export function hasListTypes(root: SchemaNode): boolean {
  for (const node of walkNodes(root)) if (node.listType === 'set' || node.listType === 'map') return true;
  return false;
}

export function validateListTypes(root: SchemaNode, value: unknown): FieldError[] {
  const out: FieldError[] = [];
  walk(root, value, '', out, 0);
  return out;
}

function walk(node: SchemaNode | undefined, value: unknown, path: string, out: FieldError[], depth: number): void {
  if (!node || depth > MAX_SCHEMA_DEPTH * 2 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    if (node.listType === 'set') checkSet(value, path, out);
    else if (node.listType === 'map') checkMap(value, node.mapKeys, node.items, path, out);
    for (let i = 0; i < value.length; i++) walk(node.items, value[i], index(path, i), out, depth + 1);
    return;
  }
  for (const [key, v] of Object.entries(value)) walk(fieldNode(node, key), v, child(path, key), out, depth + 1);
}

function checkSet(items: unknown[], path: string, out: FieldError[]): void {
  const scalars = new Set<string>();
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item === null || typeof item !== 'object') {
      const key = `${typeof item}:${String(item)}`;
      if (scalars.has(key)) out.push(crdFieldErrors.duplicate(index(path, i), item));
      scalars.add(key);
    } else if (items.slice(0, i).some((earlier) => jsonEqual(earlier, item))) {
      out.push(crdFieldErrors.duplicate(index(path, i), item));
    }
  }
}

function checkMap(items: unknown[], keys: readonly string[], itemNode: SchemaNode | undefined, path: string, out: FieldError[]): void {
  const seen = new Set<string>();
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (!isRecord(item)) continue;
    const keyValues: Record<string, unknown> = {};
    for (const k of keys) {
      // A missing key counts as its default (upstream defaults before this check).
      const sub = itemNode?.properties?.get(k);
      keyValues[k] = k in item ? item[k] : sub?.hasDefault ? sub.default : null;
    }
    const id = JSON.stringify(keys.map((k) => keyValues[k]));
    if (seen.has(id)) out.push(crdFieldErrors.duplicate(index(path, i), keyValues));
    seen.add(id);
  }
}
