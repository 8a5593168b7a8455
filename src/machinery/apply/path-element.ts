// One step of a field path, as structured-merge-diff names it: a struct or map field (`f:name`), a
// list-map item by its keys (`k:{"name":"x"}`), a set item by its value (`v:"x"`) or a list index
// (`i:0`). The serialized form doubles as the identity of the element, so it is canonical: key
// fields sorted by name and values encoded as Go's encoding/json writes them.

import type { JsonValue } from '../patch/json-value.ts';

export type PathElement =
  | { readonly kind: 'field'; readonly id: string; readonly name: string }
  | { readonly kind: 'key'; readonly id: string; readonly fields: readonly (readonly [string, JsonValue])[] }
  | { readonly kind: 'value'; readonly id: string; readonly value: JsonValue }
  | { readonly kind: 'index'; readonly id: string; readonly index: number };

/** A path from the root of an object, e.g. [f:spec, f:containers, k:{"name":"x"}, f:image]. */
export type FieldPath = readonly PathElement[];

const fieldCache = new Map<string, PathElement>();

export function fieldElement(name: string): PathElement {
  let pe = fieldCache.get(name);
  if (!pe) {
    pe = { kind: 'field', id: `f:${name}`, name };
    // Field names repeat across objects; memoize the common ones without growing without bound.
    if (fieldCache.size < 10_000) fieldCache.set(name, pe);
  }
  return pe;
}

export function keyElement(fields: readonly (readonly [string, JsonValue])[]): PathElement {
  const sorted = fields.length < 2 ? fields : [...fields].sort((a, b) => compareStrings(a[0], b[0]));
  const body = sorted.map(([k, v]) => `${goJson(k)}:${goJson(v)}`).join(',');
  return { kind: 'key', id: `k:{${body}}`, fields: sorted };
}

export function valueElement(value: JsonValue): PathElement {
  return { kind: 'value', id: `v:${goJson(value)}`, value };
}

export function indexElement(index: number): PathElement {
  return { kind: 'index', id: `i:${index}`, index };
}

/** Thrown for a serialized path element that cannot be read. */
export class PathElementSyntaxError extends Error {}

/**
 * Reads a serialized path element. Returns undefined for an unknown type prefix (a newer format:
 * upstream drops those rather than failing).
 */
export function parsePathElement(s: string): PathElement | undefined {
  if (s.length < 2 || s[1] !== ':') throw new PathElementSyntaxError(`invalid path element ${JSON.stringify(s)}`);
  const body = s.slice(2);
  switch (s[0]) {
    case 'f':
      return fieldElement(body);
    case 'k': {
      const parsed = parseJson(body);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new PathElementSyntaxError(`invalid key ${JSON.stringify(s)}`);
      return keyElement(Object.entries(parsed));
    }
    case 'v':
      return valueElement(parseJson(body));
    case 'i': {
      if (!/^-?\d+$/.test(body)) throw new PathElementSyntaxError(`invalid index ${JSON.stringify(s)}`);
      return indexElement(Number(body));
    }
    default:
      return undefined;
  }
}

function parseJson(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    throw new PathElementSyntaxError(`invalid JSON in path element: ${text}`);
  }
}

const KIND_ORDER = { field: 0, key: 1, value: 2, index: 3 } as const;

/** The total order upstream sorts path elements by (fields, then keys, values, indexes). */
export function comparePathElements(a: PathElement, b: PathElement): number {
  if (a.kind !== b.kind) return KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
  switch (a.kind) {
    case 'field':
      return compareStrings(a.name, (b as typeof a).name);
    case 'key': {
      const bf = (b as typeof a).fields;
      for (let i = 0; ; i++) {
        if (i >= a.fields.length && i >= bf.length) return 0;
        if (i >= a.fields.length) return -1;
        if (i >= bf.length) return 1;
        const [an, av] = a.fields[i]!;
        const [bn, bv] = bf[i]!;
        const c = compareStrings(an, bn) || compareValues(av, bv);
        if (c !== 0) return c;
      }
    }
    case 'value':
      return compareValues(a.value, (b as typeof a).value);
    case 'index':
      return a.index - (b as typeof a).index;
  }
}

function rank(v: JsonValue): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  if (Array.isArray(v)) return 3;
  if (v !== null) return 4;
  return 5;
}

/** Upstream value.Compare: numbers, then strings, booleans, lists, maps and null. */
export function compareValues(a: JsonValue, b: JsonValue): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number') return a < (b as number) ? -1 : a > (b as number) ? 1 : 0;
  if (typeof a === 'string') return compareStrings(a, b as string);
  if (typeof a === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (Array.isArray(a)) {
    const bl = b as JsonValue[];
    for (let i = 0; i < Math.min(a.length, bl.length); i++) {
      const c = compareValues(a[i]!, bl[i]!);
      if (c !== 0) return c;
    }
    return a.length - bl.length;
  }
  if (a === null) return 0;
  return compareStrings(goJson(a), goJson(b));
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** JSON as Go's encoding/json writes it: object keys sorted, <, > and & escaped. */
export function goJson(value: JsonValue): string {
  const text = JSON.stringify(value !== null && typeof value === 'object' ? sortKeys(value) : value);
  return GO_ESCAPED.test(text) ? text.replace(GO_ESCAPED_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : text;
}

const GO_ESCAPED = /[<>&\u2028\u2029]/;
const GO_ESCAPED_ALL = /[<>&\u2028\u2029]/g;

function sortKeys(value: JsonValue): JsonValue {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(sortKeys);
  const out: Record<string, JsonValue> = {};
  for (const k of Object.keys(value).sort(compareStrings)) out[k] = sortKeys(value[k]!);
  return out;
}

/** Upstream PathElement.String(): `.name`, `[name="x",port=80]`, `[="x"]`, `[0]`. */
export function pathElementString(pe: PathElement): string {
  switch (pe.kind) {
    case 'field':
      return `.${pe.name}`;
    case 'key':
      return `[${pe.fields.map(([k, v]) => `${k}=${valueString(v)}`).join(',')}]`;
    case 'value':
      return `[=${valueString(pe.value)}]`;
    case 'index':
      return `[${pe.index}]`;
  }
}

export function pathString(path: FieldPath): string {
  return path.map(pathElementString).join('');
}

function valueString(v: JsonValue): string {
  return typeof v === 'string' ? JSON.stringify(v) : goJson(v);
}
