// Total accessors for loosely typed API objects. Printers read stored objects that may be
// partial or carry fields of the wrong type; these helpers never throw and fall back to the
// Go zero value ("" / 0 / false / empty), which is what the upstream printers see after decoding.

export type Rec = Record<string, unknown>;

const EMPTY: Rec = Object.freeze({}) as Rec;

export function isRec(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value as an object, or a shared empty object. */
export function rec(v: unknown): Rec {
  return isRec(v) ? v : EMPTY;
}

/** The value as an object, or undefined when absent (a nil pointer upstream). */
export function optRec(v: unknown): Rec | undefined {
  return isRec(v) ? v : undefined;
}

export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** An integer field (int32/int64 upstream); anything else reads as 0. */
export function int(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0;
}

export function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

export function bool(v: unknown): boolean {
  return v === true;
}

export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** Array elements that are objects; other elements are dropped. */
export function recs(v: unknown): Rec[] {
  return list(v).filter(isRec);
}

export function strings(v: unknown): string[] {
  return list(v).filter((s): s is string => typeof s === 'string');
}

/** A string map (labels, selectors, data); non-string values are ignored. */
export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(rec(v))) if (typeof val === 'string') out[k] = val;
  return out;
}

/** Number of keys of an object-valued field (ConfigMap data, Secret data). */
export function keyCount(v: unknown): number {
  return Object.keys(rec(v)).length;
}

/** A resource.Quantity serialised as a string (or a bare number); `missing` when absent. */
export function quantity(v: unknown, missing: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return missing;
}

/** An IntOrString field printed the way intstr.String() does. */
export function intOrString(v: unknown): string {
  if (typeof v === 'string') return v;
  return String(int(v));
}
