// JSON value helpers shared by the patch implementations: types, own-property access that is safe
// for keys such as "__proto__", and iterative (stack-safe) clone and equality for documents of any
// depth. Recursive patch code bounds its own depth with MAX_PATCH_DEPTH.

import { badRequest } from '../status-error.ts';

export type JsonPrimitive = null | boolean | number | string;
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Nesting depth a patch may reach before it is rejected; keeps recursion far from the stack limit. */
export const MAX_PATCH_DEPTH = 1000;

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function hasOwn(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

export function getOwn(obj: JsonObject, key: string): JsonValue | undefined {
  return hasOwn(obj, key) ? obj[key] : undefined;
}

/** Assigns an own enumerable property; plain assignment of "__proto__" would change the prototype. */
export function setOwn(obj: JsonObject, key: string, value: JsonValue): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

export function deleteOwn(obj: JsonObject, key: string): void {
  if (hasOwn(obj, key)) delete obj[key];
}

export function checkDepth(depth: number): void {
  if (depth > MAX_PATCH_DEPTH) {
    throw badRequest(`patch is nested too deeply: more than ${MAX_PATCH_DEPTH} levels`);
  }
}

/**
 * Deep copy of a JSON value without recursion. Values that are not JSON (undefined, functions) are
 * dropped from objects and become null in arrays, as JSON.stringify would.
 */
export function cloneJson(value: unknown): JsonValue {
  const root: { v: JsonValue } = { v: null };
  const stack: Array<[source: unknown, assign: (v: JsonValue) => void]> = [[value, (v) => (root.v = v)]];
  while (stack.length > 0) {
    const [src, assign] = stack.pop()!;
    if (Array.isArray(src)) {
      const out: JsonValue[] = new Array<JsonValue>(src.length).fill(null);
      assign(out);
      for (let i = 0; i < src.length; i++) {
        const item: unknown = src[i];
        if (typeof item === 'object' && item !== null) stack.push([item, (v) => (out[i] = v)]);
        else out[i] = toPrimitive(item) ?? null;
      }
    } else if (typeof src === 'object' && src !== null) {
      const out: JsonObject = {};
      assign(out);
      for (const key of Object.keys(src)) {
        const item: unknown = (src as Record<string, unknown>)[key];
        if (typeof item === 'object' && item !== null) stack.push([item, (v) => setOwn(out, key, v)]);
        else {
          const p = toPrimitive(item);
          if (p !== undefined) setOwn(out, key, p);
        }
      }
    } else {
      assign(toPrimitive(src) ?? null);
    }
  }
  return root.v;
}

function toPrimitive(v: unknown): JsonPrimitive | undefined {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) ? v : null;
    case 'bigint':
      return Number(v);
    default:
      return v === null ? null : undefined;
  }
}

/** Structural JSON equality (object key order ignored), without recursion. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  const stack: Array<[unknown, unknown]> = [[a, b]];
  while (stack.length > 0) {
    const [x, y] = stack.pop()!;
    if (x === y) continue;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
    if (Array.isArray(x)) {
      if (!Array.isArray(y) || x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) stack.push([x[i], y[i]]);
      continue;
    }
    if (Array.isArray(y)) return false;
    const xk = Object.keys(x);
    if (xk.length !== Object.keys(y).length) return false;
    for (const k of xk) {
      if (!hasOwn(y, k)) return false;
      stack.push([(x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k]]);
    }
  }
  return true;
}

/** Short, bounded rendering of a value for error messages. */
export function describe(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 200 ? `${s.slice(0, 200)}...` : s;
}
