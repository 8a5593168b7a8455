// Small helpers for defaulting loosely typed JSON objects in place. Go's "zero value means unset"
// rules are spelled out per helper: strings treat "" as unset, pointers only undefined/null.

import { formatQuantity, roundUpToMilli, tryParseQuantity } from '../../machinery/index.ts';

export type Rec = Record<string, unknown>;

export function isRec(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The object at o[key], or undefined when absent or not an object. */
export function rec(o: Rec | undefined, key: string): Rec | undefined {
  const v = o?.[key];
  return isRec(v) ? v : undefined;
}

/** The object at o[key], created when absent; undefined when the field holds something else. */
export function ensureRec(o: Rec, key: string): Rec | undefined {
  const v = o[key];
  if (v === undefined || v === null) {
    const created: Rec = {};
    o[key] = created;
    return created;
  }
  return isRec(v) ? v : undefined;
}

/** The object elements of the list at o[key]. */
export function recs(o: Rec | undefined, key: string): Rec[] {
  const v = o?.[key];
  return Array.isArray(v) ? v.filter(isRec) : [];
}

/** Sets a pointer-like field (bool, int, object) when it is absent. */
export function defaultValue(o: Rec, key: string, value: unknown): void {
  if (o[key] === undefined || o[key] === null) o[key] = value;
}

/** Sets a string field when it is absent or empty. */
export function defaultString(o: Rec, key: string, value: string): void {
  if (o[key] === undefined || o[key] === null || o[key] === '') o[key] = value;
}

/** Sets a non-pointer int field when it is absent or zero. */
export function defaultNonZero(o: Rec, key: string, value: number): void {
  if (o[key] === undefined || o[key] === null || o[key] === 0) o[key] = value;
}

export function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isRec(v)) return Object.keys(v).length === 0;
  return v === '';
}

/**
 * Canonicalizes every valid quantity of a ResourceList after rounding it up to milli precision, as
 * upstream does on decode (so "1000m" reads back as "1" and "0.5m" as "1m"). Invalid values are left
 * for validation to report.
 */
export function canonicalizeResourceList(list: unknown): void {
  if (!isRec(list)) return;
  for (const [k, v] of Object.entries(list)) {
    const q = tryParseQuantity(v);
    if (q) list[k] = formatQuantity(roundUpToMilli(q));
  }
}

/** Canonicalizes a lone quantity field (no milli rounding, like a *resource.Quantity). */
export function canonicalizeQuantityField(o: Rec | undefined, key: string): void {
  if (!o) return;
  const q = tryParseQuantity(o[key]);
  if (q) o[key] = formatQuantity(q);
}
