// Kubernetes strategic merge patch (application/strategic-merge-patch+json) for built-in kinds,
// following k8s.io/apimachinery/pkg/util/strategicpatch (the apply half): maps merge and null
// deletes; lists merge by patchMergeKey where the schema says patchStrategy "merge", primitive
// merge lists union; other lists replace. Directives: $patch (replace|delete|merge), $retainKeys,
// $setElementOrder/<list>, $deleteFromPrimitiveList/<list>. Outside the schema (unknown
// definitions, free-form maps) it degrades to merge-patch semantics. Element order follows
// upstream: patch order first, server-only items interleaved where the live order allows.

import { badRequest } from '../status-error.ts';
import { patchNotApplicable } from './json-patch.ts';
import { builtinListSemantics, DEFAULT_PATCH_META, type ListSemantics, type PatchMeta, type TypeRef } from './list-semantics.ts';
import {
  checkDepth,
  cloneJson,
  deleteOwn,
  describe,
  getOwn,
  hasOwn,
  isJsonObject,
  setOwn,
  type JsonObject,
  type JsonValue,
} from './json-value.ts';

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder/';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';

/** Marker for "this map was deleted by `$patch: delete`" while merging a value that was absent. */
const DELETED = Symbol('deleted');

/**
 * Applies a strategic merge patch to a copy of `doc`. `definition` is the OpenAPI definition of the
 * object (e.g. "io.k8s.api.apps.v1.Deployment"); unknown or omitted means no list merges.
 */
export function applyStrategicMergePatch(
  doc: unknown,
  patch: unknown,
  definition?: string,
  schema: ListSemantics = builtinListSemantics(),
): JsonObject {
  if (!isJsonObject(patch)) throw badRequest('invalid JSON document: a strategic merge patch must be a JSON object');
  if (doc !== undefined && doc !== null && !isJsonObject(doc)) throw badRequest('invalid JSON document: the object must be a JSON object');
  const original = isJsonObject(doc) ? (cloneJson(doc) as JsonObject) : {};
  const type = definition === undefined ? undefined : schema.root(definition);
  return new Merger(schema).mergeMap(original, patch, type, 1, true);
}

class Merger {
  readonly #schema: ListSemantics;
  constructor(schema: ListSemantics) {
    this.#schema = schema;
  }

  /**
   * Merges `patch` into `original` (owned, mutated) or into nothing. With `existed` false the
   * result of `$patch: delete` is DELETED (drop the field); with `existed` true it is `{}`, as
   * upstream does for a map that was present.
   */
  mergeMap(original: JsonObject | undefined, patch: JsonObject, type: TypeRef, depth: number, existed: true): JsonObject;
  mergeMap(original: JsonObject | undefined, patch: JsonObject, type: TypeRef, depth: number, existed: boolean): JsonObject | typeof DELETED;
  mergeMap(original: JsonObject | undefined, patch: JsonObject, type: TypeRef, depth: number, existed: boolean): JsonObject | typeof DELETED {
    checkDepth(depth);
    if (hasOwn(patch, DIRECTIVE)) {
      const directive = patch[DIRECTIVE];
      const rest = withoutKey(patch, DIRECTIVE);
      switch (directive) {
        case 'replace':
          return this.mergeMap(undefined, rest, type, depth + 1, true);
        case 'delete':
          return existed ? {} : DELETED;
        case 'merge':
          // Upstream rejects this; merging is what it asks for, so honour it.
          return this.mergeMap(original, rest, type, depth + 1, existed);
        default:
          throw badRequest(`unknown patch type: ${describe(directive)} in map: ${describe(patch)}`);
      }
    }
    const out: JsonObject = original ?? {};
    applyRetainKeys(out, patch);

    const handled = new Set<string>();
    for (const key of Object.keys(patch)) {
      if (key.startsWith(SET_ELEMENT_ORDER)) this.#setElementOrder(out, patch, key, type, depth, handled);
    }

    const deletions: string[] = [];
    for (const key of Object.keys(patch)) {
      if (key === RETAIN_KEYS || key.startsWith(SET_ELEMENT_ORDER) || handled.has(key)) continue;
      if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
        deletions.push(key);
        continue;
      }
      const value = patch[key] as JsonValue;
      if (value === null) {
        deleteOwn(out, key);
        continue;
      }
      const merged = this.#mergeValue(getOwn(out, key), value, this.#schema.lookup(type, key), depth + 1);
      if (merged === DELETED) deleteOwn(out, key);
      else setOwn(out, key, merged);
    }

    for (const key of deletions) {
      const listKey = key.slice(DELETE_FROM_PRIMITIVE_LIST.length);
      const remove = patch[key];
      if (!Array.isArray(remove) || listKey === '') throw badRequest('invalid patch format of primitive list');
      const current = getOwn(out, listKey);
      if (!Array.isArray(current)) continue;
      const doomed = new Set<unknown>(remove);
      setOwn(
        out,
        listKey,
        current.filter((v) => !doomed.has(v)),
      );
    }
    return out;
  }

  #mergeValue(current: JsonValue | undefined, patch: JsonValue, meta: PatchMeta, depth: number): JsonValue | typeof DELETED {
    if (isJsonObject(patch)) {
      if (isJsonObject(current) && meta.strategy !== 'replace') return this.mergeMap(current, patch, meta.type, depth, true);
      return this.mergeMap(undefined, patch, meta.type, depth, isJsonObject(current));
    }
    if (Array.isArray(patch)) {
      if (Array.isArray(current) && meta.strategy === 'merge') return this.mergeList(current, patch, meta, depth);
      return this.#normalizeList(patch, meta, depth);
    }
    return patch;
  }

  /** A patch list taken as the new value: nested directives applied, `$patch` elements dropped. */
  #normalizeList(list: JsonValue[], meta: PatchMeta, depth: number): JsonValue[] {
    checkDepth(depth);
    const out: JsonValue[] = [];
    for (const el of list) {
      if (isJsonObject(el)) {
        if (!hasOwn(el, DIRECTIVE)) out.push(this.mergeMap(undefined, el, meta.type, depth + 1, true));
      } else if (Array.isArray(el)) {
        out.push(this.#normalizeList(el, DEFAULT_PATCH_META, depth + 1));
      } else {
        out.push(el);
      }
    }
    return out;
  }

  /** Merges a patch list into a live list whose patchStrategy is "merge". */
  mergeList(current: JsonValue[], patch: JsonValue[], meta: PatchMeta, depth: number): JsonValue[] {
    checkDepth(depth);
    if (current.length === 0 && patch.length === 0) return current;
    const kind = elementKind(current, patch);
    if (kind !== 'object') {
      const seen = new Set<unknown>();
      const merged: JsonValue[] = [];
      for (const v of [...current, ...patch]) {
        if (!seen.has(v)) {
          seen.add(v);
          merged.push(v);
        }
      }
      return orderElements(merged, patch, current, '');
    }

    const mergeKey = meta.mergeKey;
    if (mergeKey === '') throw badRequest('cannot merge lists without merge key for type map');
    const plain: JsonObject[] = [];
    const doomed = new Set<unknown>();
    let replace = false;
    for (const el of patch as JsonObject[]) {
      if (!hasOwn(el, DIRECTIVE)) {
        plain.push(el);
        continue;
      }
      const directive = el[DIRECTIVE];
      if (directive === 'delete') {
        if (!hasOwn(el, mergeKey)) throw noMergeKey(el, mergeKey);
        doomed.add(el[mergeKey]);
      } else if (directive === 'replace') {
        replace = true;
      } else if (directive === 'merge') {
        // Upstream rejects this; treat the element as an ordinary one.
        const rest = withoutKey(el, DIRECTIVE);
        if (Object.keys(rest).length > 0) plain.push(rest);
      } else {
        throw badRequest(`unknown patch type: ${describe(directive)} in map: ${describe(el)}`);
      }
    }
    if (replace) return this.#normalizeList(plain, meta, depth);

    const base: JsonValue[] = current.filter((el) => !(isJsonObject(el) && hasOwn(el, mergeKey) && doomed.has(el[mergeKey])));
    const serverOrder = base.slice();
    const index = new Map<unknown, number>();
    base.forEach((el, i) => {
      if (isJsonObject(el) && hasOwn(el, mergeKey) && !index.has(el[mergeKey])) index.set(el[mergeKey], i);
    });
    for (const el of plain) {
      if (!hasOwn(el, mergeKey)) throw noMergeKey(el, mergeKey);
      const key = el[mergeKey];
      const at = index.get(key);
      if (at !== undefined) {
        base[at] = this.mergeMap(base[at] as JsonObject, el, meta.type, depth + 1, true);
      } else {
        base.push(this.mergeMap(undefined, el, meta.type, depth + 1, true));
        index.set(key, base.length - 1);
      }
    }
    return orderElements(base, plain, serverOrder, mergeKey);
  }

  /** `$setElementOrder/<list>`: merges <list> now (if patched) and imposes the given order. */
  #setElementOrder(out: JsonObject, patch: JsonObject, key: string, type: TypeRef, depth: number, handled: Set<string>): void {
    const order = patch[key];
    const listKey = key.slice(SET_ELEMENT_ORDER.length);
    if (!Array.isArray(order) || listKey === '') throw badRequest('invalid patch format of setElementOrder list');
    const patchList = getOwn(patch, listKey);
    if (patchList === null) return; // an explicit delete wins; the main loop handles it
    if (patchList !== undefined && !Array.isArray(patchList)) {
      throw badRequest(`invalid patch format of setElementOrder list: ${listKey} must be a list`);
    }
    handled.add(listKey);
    const meta = this.#schema.lookup(type, listKey);
    const mergeKey = meta.strategy === 'merge' ? meta.mergeKey : '';
    if (patchList !== undefined) validateOrder(patchList, order, mergeKey);

    const currentValue = getOwn(out, listKey);
    const current = Array.isArray(currentValue) ? currentValue : undefined;
    let merged: JsonValue[];
    if (current !== undefined && patchList !== undefined) {
      merged = meta.strategy === 'merge' ? this.mergeList(current, patchList, meta, depth + 1) : this.#normalizeList(patchList, meta, depth + 1);
    } else if (current !== undefined) {
      merged = current;
    } else if (patchList !== undefined) {
      merged = this.#normalizeList(patchList, meta, depth + 1);
    } else {
      return;
    }
    if (mergeKey !== '') {
      for (const el of order) if (!isJsonObject(el) || !hasOwn(el, mergeKey)) throw noMergeKey(el, mergeKey);
    }
    setOwn(out, listKey, orderElements(merged, order, current ?? [], mergeKey));
  }
}

function withoutKey(obj: JsonObject, key: string): JsonObject {
  const rest: JsonObject = {};
  for (const k of Object.keys(obj)) if (k !== key) setOwn(rest, k, obj[k] as JsonValue);
  return rest;
}

function noMergeKey(el: unknown, mergeKey: string) {
  return badRequest(`map: ${describe(el)} does not contain declared merge key: ${mergeKey}`);
}

/** `$retainKeys`: keys of `out` not listed are cleared; every key the patch sets must be listed. */
function applyRetainKeys(out: JsonObject, patch: JsonObject): void {
  if (!hasOwn(patch, RETAIN_KEYS)) return;
  const list = patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw badRequest('invalid patch format of retainKeys');
  const keep = new Set(list.filter((k): k is string => typeof k === 'string'));
  for (const k of Object.keys(patch)) {
    if (k === RETAIN_KEYS || patch[k] === null || k.startsWith(SET_ELEMENT_ORDER) || k.startsWith(DELETE_FROM_PRIMITIVE_LIST)) continue;
    if (!keep.has(k)) throw badRequest(`invalid patch format of retainKeys: ${JSON.stringify(k)} is set but not listed`);
  }
  for (const k of Object.keys(out)) if (!keep.has(k)) delete out[k];
}

type ElementKind = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';

function kindOf(v: JsonValue): ElementKind {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v as 'object' | 'string' | 'number' | 'boolean';
}

/** All elements of a merging list must share one kind, and lists of lists are not supported. */
function elementKind(a: JsonValue[], b: JsonValue[]): ElementKind {
  let kind: ElementKind | undefined;
  for (const list of [a, b]) {
    for (const v of list) {
      const k = kindOf(v);
      if (k === 'array') throw patchNotApplicable('lists of lists are not supported');
      if (kind === undefined) kind = k;
      else if (kind !== k) throw badRequest(`list element types are not identical: ${describe(a)} and ${describe(b)}`);
    }
  }
  return kind ?? 'null';
}

const NO_KEY = Symbol('no-key');

function identity(v: JsonValue, mergeKey: string): unknown {
  if (mergeKey === '') return isJsonObject(v) || Array.isArray(v) ? NO_KEY : v;
  return isJsonObject(v) && hasOwn(v, mergeKey) ? v[mergeKey] : NO_KEY;
}

function firstPositions(list: readonly JsonValue[], mergeKey: string): Map<unknown, number> {
  const positions = new Map<unknown, number>();
  list.forEach((v, i) => {
    const id = identity(v, mergeKey);
    if (id !== NO_KEY && !positions.has(id)) positions.set(id, i);
  });
  return positions;
}

/**
 * Upstream's normalizeElementOrder + mergeSortedSlice: items named in `order` come in that order;
 * the other (server-only) items keep their live order and are slotted in before a patch item only
 * when the live list had them before it.
 */
function orderElements(merged: JsonValue[], order: readonly JsonValue[], server: readonly JsonValue[], mergeKey: string): JsonValue[] {
  const orderPos = firstPositions(order, mergeKey);
  const serverPos = firstPositions(server, mergeKey);
  interface Item {
    value: JsonValue;
    order: number;
    server: number | undefined;
  }
  const inPatch: Item[] = [];
  const serverOnly: Item[] = [];
  merged.forEach((value, i) => {
    const id = identity(value, mergeKey);
    const o = id === NO_KEY ? undefined : orderPos.get(id);
    const s = id === NO_KEY ? i : serverPos.get(id);
    if (o !== undefined) inPatch.push({ value, order: o, server: s });
    else serverOnly.push({ value, order: -1, server: s });
  });
  inPatch.sort((a, b) => a.order - b.order);
  serverOnly.sort((a, b) => (a.server ?? Number.MAX_SAFE_INTEGER) - (b.server ?? Number.MAX_SAFE_INTEGER));

  const out: JsonValue[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < inPatch.length) {
    const left = serverOnly[i];
    const right = inPatch[j];
    if (left !== undefined && (right === undefined || (left.server !== undefined && right.server !== undefined && left.server < right.server))) {
      out.push(left.value);
      i++;
    } else if (right !== undefined) {
      out.push(right.value);
      j++;
    }
  }
  return out;
}

/** The patch list must follow the relative order of `$setElementOrder` (delete directives aside). */
function validateOrder(patchList: JsonValue[], order: JsonValue[], mergeKey: string): void {
  const items = patchList.filter((el) => !(isJsonObject(el) && hasOwn(el, DIRECTIVE)));
  if (items.length === 0 || order.length === 0) return;
  let p = 0;
  for (let s = 0; s < order.length && p < items.length; s++) {
    const a = items[p]!;
    const b = order[s]!;
    if (mergeKey !== '') {
      if (!isJsonObject(a) || !hasOwn(a, mergeKey)) throw noMergeKey(a, mergeKey);
      if (!isJsonObject(b) || !hasOwn(b, mergeKey)) throw noMergeKey(b, mergeKey);
      if (a[mergeKey] === b[mergeKey]) p++;
    } else if (a === b) {
      p++;
    }
  }
  if (p < items.length) {
    throw badRequest(`The order in patch list: ${describe(patchList)} doesn't match $setElementOrder list: ${describe(order)}`);
  }
}
