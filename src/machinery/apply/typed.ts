// Walks a JSON value with its type: the set of fields a value sets (upstream ToFieldSet), the path
// element that names a list item, and the check of an applied configuration against the schema
// (duplicate keys, missing keys, undeclared fields, wrong shapes) that upstream reports as
// "failed to create typed patch object".

import { hasOwn, isJsonObject, type JsonObject, type JsonValue } from '../patch/json-value.ts';
import { FieldSet } from './field-set.ts';
import { fieldElement, keyElement, pathString, valueElement, type PathElement } from './path-element.ts';
import { DEDUCED, SCALAR, UNTYPED_ATOMIC, type ListType, type MapType, type TypeNode } from './type-info.ts';

/** A deduced map: every key is an undeclared field, each deduced again. */
export const DEDUCED_MAP: MapType = Object.freeze({
  kind: 'map',
  atomic: false,
  struct: false,
  implicit: false,
  field: () => undefined,
  elements: () => DEDUCED,
});

const ATOMIC_LIST: ListType = Object.freeze({
  kind: 'list',
  listType: 'atomic',
  keys: [],
  keyDefaults: new Map<string, JsonValue>(),
  element: () => UNTYPED_ATOMIC,
});

/**
 * The concrete type of a value: untyped types resolve by what the value holds, and a value of the
 * wrong shape for its type (or null, or no value) resolves to a scalar (a leaf compared whole).
 */
export function resolve(type: TypeNode, value: JsonValue | undefined): TypeNode {
  if (value === undefined || value === null) return SCALAR;
  switch (type.kind) {
    case 'untyped':
      if (type.atomic) return SCALAR;
      if (Array.isArray(value)) return ATOMIC_LIST;
      return typeof value === 'object' ? DEDUCED_MAP : SCALAR;
    case 'map':
      return isJsonObject(value) ? type : SCALAR;
    case 'list':
      return Array.isArray(value) ? type : SCALAR;
    default:
      return type;
  }
}

/** The type of key `key` of a map, or undefined when the map declares no such field. */
export function fieldType(type: MapType, key: string): { type: TypeNode; declared: boolean } | undefined {
  const declared = type.field(key);
  if (declared) return { type: declared, declared: true };
  const elements = type.elements();
  return elements ? { type: elements, declared: false } : undefined;
}

export class ItemKeyError extends Error {}

/** The path element naming a list item: its keys for a list map, its value for a set. */
export function itemElement(list: ListType, item: JsonValue): PathElement {
  if (list.listType === 'map') {
    if (item === null) throw new ItemKeyError('associative list with keys may not have a null element');
    if (!isJsonObject(item)) throw new ItemKeyError('associative list with keys may not have non-map elements');
    const fields: [string, JsonValue][] = [];
    for (const key of list.keys) {
      if (hasOwn(item, key) && item[key] !== null) fields.push([key, item[key]!]);
      else {
        const def = list.keyDefaults.get(key);
        if (def === undefined) throw new ItemKeyError(`associative list with keys has an element that omits key field ${JSON.stringify(key)} (and doesn't have default value)`);
        fields.push([key, def]);
      }
    }
    return keyElement(fields);
  }
  if (item === null) throw new ItemKeyError("associative list without keys has an element that's an explicit null");
  if (Array.isArray(item)) throw new ItemKeyError('not supported: associative list with lists as elements');
  if (typeof item === 'object') throw new ItemKeyError("associative list without keys has an element that's a map type");
  return valueElement(item);
}

/**
 * Indexes the items of a granular list. Items whose key cannot be read or repeats an earlier one
 * are reported through `onError` (config) or skipped (live objects, like upstream's tolerance of
 * duplicates already stored).
 */
export function indexItems(list: ListType, items: readonly JsonValue[], onError?: (index: number, message: string) => void): { order: PathElement[]; byId: Map<string, JsonValue> } {
  const order: PathElement[] = [];
  const byId = new Map<string, JsonValue>();
  for (let i = 0; i < items.length; i++) {
    let pe: PathElement;
    try {
      pe = itemElement(list, items[i]!);
    } catch (err) {
      if (!(err instanceof ItemKeyError)) throw err;
      onError?.(i, `element ${i}: ${err.message}`);
      continue;
    }
    if (byId.has(pe.id)) {
      onError?.(i, `duplicate entries for key ${pathString([pe])}`);
      continue;
    }
    byId.set(pe.id, items[i]!);
    order.push(pe);
  }
  return { order, byId };
}

/** Whether a list is granular (items tracked one by one) for this value. */
export function isGranularList(t: TypeNode): t is ListType {
  return t.kind === 'list' && t.listType !== 'atomic';
}

/**
 * The fields a value sets (upstream ToFieldSet): leaves, atomic maps and lists, list items, keys of
 * maps that are not declared struct fields, and declared fields holding null or {}.
 * With `errors`, the value is checked strictly against the type and problems are collected.
 */
export function toFieldSet(value: JsonObject, type: TypeNode, errors?: string[]): FieldSet {
  const set = new FieldSet();
  const path: PathElement[] = [];
  walkSet(value, type, path, set, errors);
  return set;
}

function walkSet(value: JsonValue, type: TypeNode, path: PathElement[], set: FieldSet, errors: string[] | undefined): void {
  // A null sets its own path, which the parent records.
  if (value === null) return;
  if (errors) checkShape(value, type, path, errors);
  const t = resolve(type, value);
  if (t.kind === 'map') {
    if (t.atomic) {
      set.insert(path);
      return;
    }
    const obj = value as JsonObject;
    for (const key of Object.keys(obj)) {
      let ft = fieldType(t, key);
      const pe = fieldElement(key);
      if (!ft) {
        if (errors) {
          errors.push(`${pathString([...path, pe])}: field not declared in schema`);
          continue;
        }
        // A stored field the schema does not know is tracked like untyped data.
        ft = { type: DEDUCED, declared: false };
      }
      const child = obj[key]!;
      path.push(pe);
      walkSet(child, ft.type, path, set, errors);
      if (child === null || (isJsonObject(child) && Object.keys(child).length === 0) || !ft.declared) set.insert(path);
      path.pop();
    }
    return;
  }
  if (t.kind === 'list') {
    if (t.listType === 'atomic') {
      set.insert(path);
      return;
    }
    const items = value as JsonValue[];
    const { order, byId } = indexItems(t, items, errors ? (_, message) => errors.push(`${pathString(path)}: ${message}`) : undefined);
    const element = t.element();
    for (const pe of order) {
      path.push(pe);
      walkSet(byId.get(pe.id)!, element, path, set, errors);
      set.insert(path);
      path.pop();
    }
    return;
  }
  set.insert(path);
}

function checkShape(value: JsonValue, type: TypeNode, path: PathElement[], errors: string[]): void {
  const shape = Array.isArray(value) ? 'list' : typeof value === 'object' ? 'map' : 'scalar';
  const want = type.kind === 'map' ? 'map' : type.kind === 'list' ? 'list' : type.kind === 'scalar' ? 'scalar' : shape;
  if (shape !== want) errors.push(`${pathString(path) || '.'}: expected ${want}, got ${shape}`);
}

/**
 * Adds, for every path that goes through a declared struct field, that field itself (upstream
 * EnsureNamedFieldsAreMembers), so removing a field a manager stopped applying removes it whole.
 */
export function ensureNamedFieldsAreMembers(set: FieldSet, type: TypeNode): FieldSet {
  if (set.children.size === 0) return set;
  const out = new FieldSet();
  for (const [id, pe] of set.members) out.members.set(id, pe);
  for (const [id, c] of set.children) {
    let childType: TypeNode = DEDUCED;
    if (type.kind === 'map' && c.pe.kind === 'field') {
      const declared = type.field(c.pe.name);
      if (declared) {
        out.members.set(id, c.pe);
        childType = declared;
      } else childType = type.elements() ?? DEDUCED;
    } else if (type.kind === 'list') childType = type.element();
    else if (type.kind === 'untyped' && !type.atomic && c.pe.kind === 'field') childType = DEDUCED;
    out.children.set(id, { pe: c.pe, set: ensureNamedFieldsAreMembers(c.set, childType) });
  }
  return out;
}
