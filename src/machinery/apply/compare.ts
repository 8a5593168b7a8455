// Compares two versions of an object field by field (upstream TypedValue.Compare): which paths
// were added, modified or removed. Update operations own what they added or modified, and every
// manager loses what was removed. This runs on every write, so it walks both values once and only
// records paths where they differ.

import { jsonEqual, type JsonObject, type JsonValue } from '../patch/json-value.ts';
import { FieldSet } from './field-set.ts';
import { fieldElement, type PathElement } from './path-element.ts';
import { DEDUCED, type TypeNode } from './type-info.ts';
import { fieldType, indexItems, isGranularList, resolve } from './typed.ts';

export interface Comparison {
  readonly added: FieldSet;
  readonly modified: FieldSet;
  readonly removed: FieldSet;
}

export function compareObjects(lhs: JsonValue | undefined, rhs: JsonValue | undefined, type: TypeNode): Comparison {
  const cmp = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  walk(lhs, rhs, type, [], false, cmp);
  return cmp;
}

export function isSame(c: Comparison): boolean {
  return c.added.isEmpty() && c.modified.isEmpty() && c.removed.isEmpty();
}

/** The comparison without `fields` and everything below them (upstream ExcludeFields). */
export function excludeFields(c: Comparison, fields: FieldSet | undefined): Comparison {
  if (!fields || fields.isEmpty()) return c;
  return {
    added: c.added.recursiveDifference(fields),
    modified: c.modified.recursiveDifference(fields),
    removed: c.removed.recursiveDifference(fields),
  };
}

function isEmptyContainer(v: JsonValue | undefined): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') {
    for (const _ in v) return false;
    return true;
  }
  return false;
}

function walk(l: JsonValue | undefined, r: JsonValue | undefined, type: TypeNode, path: PathElement[], declared: boolean, cmp: Comparison): void {
  if (l === r) return;
  const tl = resolve(type, l);
  const tr = resolve(type, r);
  const t = l === undefined ? tr : r === undefined ? tl : tl.kind === tr.kind ? tl : undefined;
  const granular = t !== undefined && ((t.kind === 'map' && !t.atomic) || isGranularList(t));
  if (!granular || (isEmptyContainer(l) && isEmptyContainer(r))) {
    if (l === undefined) cmp.added.insert(path);
    else if (r === undefined) cmp.removed.insert(path);
    else if (!jsonEqual(l, r)) cmp.modified.insert(path);
    return;
  }
  if (t.kind === 'map') {
    const lo = (l ?? {}) as JsonObject;
    const ro = (r ?? {}) as JsonObject;
    for (const key in lo) {
      const ft = fieldType(t, key);
      path.push(fieldElement(key));
      walk(lo[key], Object.prototype.hasOwnProperty.call(ro, key) ? ro[key] : undefined, ft?.type ?? DEDUCED, path, ft?.declared ?? false, cmp);
      path.pop();
    }
    for (const key in ro) {
      if (Object.prototype.hasOwnProperty.call(lo, key)) continue;
      const ft = fieldType(t, key);
      path.push(fieldElement(key));
      walk(undefined, ro[key], ft?.type ?? DEDUCED, path, ft?.declared ?? false, cmp);
      path.pop();
    }
    // A Go value struct is always there upstream: only what is inside it changes.
    if (declared && t.implicit) return;
  } else if (t.kind === 'list') {
    const element = t.element();
    const left = indexItems(t, (l ?? []) as JsonValue[]);
    const right = indexItems(t, (r ?? []) as JsonValue[]);
    for (const pe of right.order) {
      path.push(pe);
      walk(left.byId.get(pe.id), right.byId.get(pe.id), element, path, false, cmp);
      path.pop();
    }
    for (const pe of left.order) {
      if (right.byId.has(pe.id)) continue;
      path.push(pe);
      walk(left.byId.get(pe.id), undefined, element, path, false, cmp);
      path.pop();
    }
  }
  if (l === undefined) cmp.added.insert(path);
  else if (r === undefined) cmp.removed.insert(path);
}
