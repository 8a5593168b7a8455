// Merges an applied configuration into a live object (upstream TypedValue.Merge) and removes sets
// of fields from an object (upstream RemoveItems). Maps merge key by key, granular lists item by
// item (list maps by their keys, sets by value), everything else is replaced by the applied value.
// Neither function modifies its inputs; results share unchanged subtrees with them.

import { isJsonObject, setOwn, type JsonObject, type JsonValue } from '../patch/json-value.ts';
import type { FieldSet } from './field-set.ts';
import { fieldElement, type PathElement } from './path-element.ts';
import { DEDUCED, type ListType, type TypeNode } from './type-info.ts';
import { fieldType, indexItems, isGranularList, itemElement, ItemKeyError, resolve } from './typed.ts';

function isEmptyContainer(v: JsonValue | undefined): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  return isJsonObject(v) && Object.keys(v).length === 0;
}

/**
 * The live value with the applied value merged in; undefined means "no field". An applied null
 * clears a scalar but, as upstream, leaves a non-empty map or list alone.
 */
export function mergeValues(lhs: JsonValue | undefined, rhs: JsonValue | undefined, type: TypeNode): JsonValue | undefined {
  if (rhs === undefined) return lhs;
  const tl = resolve(type, lhs);
  if (rhs === null) {
    const keep = lhs !== undefined && ((tl.kind === 'map' && !tl.atomic) || isGranularList(tl)) && !isEmptyContainer(lhs);
    return keep ? lhs : undefined;
  }
  if (lhs === undefined || lhs === null) return withoutNulls(rhs);
  const tr = resolve(type, rhs);
  if (tl.kind !== tr.kind || (isEmptyContainer(lhs) && isEmptyContainer(rhs))) return withoutNulls(rhs);
  if (tl.kind === 'map' && tr.kind === 'map' && !tr.atomic) return mergeMaps(lhs as JsonObject, rhs as JsonObject, tr);
  if (isGranularList(tr)) return mergeLists(lhs as JsonValue[], rhs as JsonValue[], tr);
  return withoutNulls(rhs);
}

/** An applied value as stored: map entries set to null mean "no such key". */
function withoutNulls(value: JsonValue): JsonValue {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.some((v) => v !== null && typeof v === 'object') ? value.map(withoutNulls) : value;
  let out: JsonObject | undefined;
  for (const key of Object.keys(value)) {
    const v = value[key]!;
    const clean = v === null ? undefined : withoutNulls(v);
    if (clean !== v && !out) {
      out = {};
      for (const k of Object.keys(value)) {
        if (k === key) break;
        setOwn(out, k, value[k]!);
      }
    }
    if (out && clean !== undefined) setOwn(out, key, clean);
  }
  return out ?? value;
}

function mergeMaps(lhs: JsonObject, rhs: JsonObject, t: TypeNode & { kind: 'map' }): JsonValue | undefined {
  const out: JsonObject = {};
  for (const key of Object.keys(lhs)) {
    const has = Object.prototype.hasOwnProperty.call(rhs, key);
    const v = has ? mergeValues(lhs[key], rhs[key], fieldType(t, key)?.type ?? DEDUCED) : lhs[key];
    if (v !== undefined) {
      setOwn(out, key, v);
    }
  }
  for (const key of Object.keys(rhs)) {
    if (Object.prototype.hasOwnProperty.call(lhs, key)) continue;
    const v = mergeValues(undefined, rhs[key], fieldType(t, key)?.type ?? DEDUCED);
    if (v !== undefined) {
      setOwn(out, key, v);
    }
  }
  // Keys applied as null may leave the map empty: it stays, as {} (its fields are gone).
  return out;
}

interface LiveItem {
  readonly pe: PathElement | undefined;
  readonly value: JsonValue;
  /** A later item with the key of an earlier one (tolerated in live objects). */
  readonly duplicate: boolean;
}

function liveItems(t: ListType, items: readonly JsonValue[]): { items: LiveItem[]; byId: Map<string, JsonValue> } {
  const byId = new Map<string, JsonValue>();
  const out: LiveItem[] = [];
  for (const value of items) {
    let pe: PathElement | undefined;
    try {
      pe = itemElement(t, value);
    } catch (err) {
      if (!(err instanceof ItemKeyError)) throw err;
    }
    const duplicate = pe !== undefined && byId.has(pe.id);
    if (pe && !duplicate) byId.set(pe.id, value);
    out.push({ pe, value, duplicate });
  }
  return { items: out, byId };
}

/**
 * Merges list items keeping both orders where they agree: applied items come in applied order,
 * live-only items stay where they were relative to them (upstream's merge order).
 */
function mergeLists(lhs: JsonValue[], rhs: JsonValue[], t: ListType): JsonValue | undefined {
  const element = t.element();
  const right = indexItems(t, rhs);
  const left = liveItems(t, lhs);
  const shared = right.order.filter((pe) => left.byId.has(pe.id));
  let nextShared = 0;
  const merged = new Set<string>();
  const out: JsonValue[] = [];
  const push = (v: JsonValue | undefined): void => {
    if (v !== undefined) out.push(v);
  };
  let lI = 0;
  let rI = 0;
  const lLen = left.items.length;
  const rLen = right.order.length;
  while (lI < lLen || rI < rLen) {
    if (lI < lLen && rI < rLen) {
      const le = left.items[lI]!;
      const rpe = right.order[rI]!;
      if (le.pe && !le.duplicate && le.pe.id === rpe.id) {
        merged.add(rpe.id);
        push(mergeValues(le.value, right.byId.get(rpe.id), element));
        lI++;
        rI++;
        nextShared++;
        continue;
      }
      const want = shared[nextShared];
      if (le.pe && !le.duplicate && right.byId.has(le.pe.id) && want !== undefined && want.id !== le.pe.id) {
        // A shared item, but not the next one in applied order: it is written when its turn comes.
        lI++;
        continue;
      }
    }
    if (lI < lLen) {
      const le = left.items[lI]!;
      if (!le.pe || !right.byId.has(le.pe.id)) {
        out.push(le.value);
        lI++;
        continue;
      }
      if (le.duplicate || merged.has(le.pe.id)) {
        lI++;
        continue;
      }
    }
    if (rI < rLen) {
      const rpe = right.order[rI]!;
      merged.add(rpe.id);
      push(mergeValues(left.byId.get(rpe.id), right.byId.get(rpe.id), element));
      rI++;
      if (shared[nextShared]?.id === rpe.id) nextShared++;
    }
  }
  return out;
}

/**
 * The value without the paths in `set`: a member path goes with everything below it. A map or
 * list emptied by the removal goes too (undefined).
 */
export function removeItems(value: JsonValue, set: FieldSet, type: TypeNode): JsonValue | undefined {
  if (set.isEmpty()) return value;
  const t = resolve(type, value);
  if (t.kind === 'map' && !t.atomic) {
    const obj = value as JsonObject;
    const out: JsonObject = {};
    let size = 0;
    for (const key of Object.keys(obj)) {
      const pe = fieldElement(key);
      if (set.members.has(pe.id)) continue;
      const sub = set.children.get(pe.id);
      const v = sub ? removeItems(obj[key]!, sub.set, fieldType(t, key)?.type ?? DEDUCED) : obj[key];
      if (v !== undefined) {
        setOwn(out, key, v);
        size++;
      }
    }
    return size > 0 ? out : undefined;
  }
  if (isGranularList(t)) {
    const element = t.element();
    const out: JsonValue[] = [];
    for (const item of value as JsonValue[]) {
      let pe: PathElement | undefined;
      try {
        pe = itemElement(t, item);
      } catch (err) {
        if (!(err instanceof ItemKeyError)) throw err;
      }
      if (!pe) {
        out.push(item);
        continue;
      }
      if (set.members.has(pe.id)) continue;
      const sub = set.children.get(pe.id);
      const v = sub ? removeItems(item, sub.set, element) : item;
      if (v !== undefined) out.push(v);
    }
    return out.length > 0 ? out : undefined;
  }
  return value;
}
