// Building blocks for validating loosely typed JSON objects: field paths in upstream notation
// (`spec.containers[0].ports[1].name`, `data[key]`), typed reads that tolerate wrong types (the
// schema check reports those), semantic equality and the small checks every kind reuses.

import {
  FIELD_IMMUTABLE_ERROR_MSG,
  type FieldError,
  fieldErrors,
  IS_NEGATIVE_ERROR_MSG,
  isValidPortName,
  isValidPortNum,
} from '../../machinery/index.ts';

export type Rec = Record<string, unknown>;
export type Errs = FieldError[];

export { fieldErrors, type FieldError };

export function isRec(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function child(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

export function index(path: string, i: number): string {
  return `${path}[${i}]`;
}

export function key(path: string, k: string): string {
  return `${path}[${k}]`;
}

/** The object at o[k]; undefined when absent or not an object. */
export function rec(o: unknown, k: string): Rec | undefined {
  if (!isRec(o)) return undefined;
  const v = o[k];
  return isRec(v) ? v : undefined;
}

/** The object at o[k], or an empty object, for reading nested fields without guards. */
export function obj(o: unknown, k: string): Rec {
  return rec(o, k) ?? {};
}

/** The list at o[k] (empty when absent or not a list); elements keep their indices. */
export function list(o: unknown, k: string): unknown[] {
  if (!isRec(o)) return [];
  const v = o[k];
  return Array.isArray(v) ? v : [];
}

/** List elements as objects (non-objects read as {}), so indices still line up with the input. */
export function recList(o: unknown, k: string): Rec[] {
  return list(o, k).map((v) => (isRec(v) ? v : {}));
}

export function str(o: unknown, k: string): string {
  if (!isRec(o)) return '';
  const v = o[k];
  return typeof v === 'string' ? v : '';
}

export function num(o: unknown, k: string): number | undefined {
  if (!isRec(o)) return undefined;
  const v = o[k];
  return typeof v === 'number' ? v : undefined;
}

export function has(o: unknown, k: string): boolean {
  return isRec(o) && o[k] !== undefined && o[k] !== null;
}

/** String-valued entries of a map field. */
export function stringMap(o: unknown, k: string): Record<string, string> {
  const m = rec(o, k);
  if (!m) return {};
  const out: Record<string, string> = {};
  for (const [mk, mv] of Object.entries(m)) if (typeof mv === 'string') out[mk] = mv;
  return out;
}

function isEmptyValue(v: unknown): boolean {
  return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0) || (isRec(v) && Object.keys(v).length === 0);
}

/**
 * Semantic equality in the sense of upstream apiequality: absent, null, "", [] and {} are all the
 * empty value; everything else compares structurally.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isEmptyValue(a) && isEmptyValue(b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => deepEqual(v, b[i]));
  }
  if (isRec(a) && isRec(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!deepEqual(a[k], b[k])) return false;
    return true;
  }
  return false;
}

export function nonNegative(value: unknown, path: string): Errs {
  return typeof value === 'number' && value < 0 ? [fieldErrors.invalid(path, value, IS_NEGATIVE_ERROR_MSG)] : [];
}

export function immutable(newValue: unknown, oldValue: unknown, path: string): Errs {
  return deepEqual(newValue, oldValue) ? [] : [fieldErrors.invalid(path, newValue ?? null, FIELD_IMMUTABLE_ERROR_MSG)];
}

/** One of the allowed values; "" or absent is Required. */
export function oneOf(value: unknown, allowed: readonly string[], path: string): Errs {
  if (value === undefined || value === null || value === '') return [fieldErrors.required(path, '')];
  return typeof value === 'string' && allowed.includes(value) ? [] : [fieldErrors.notSupported(path, value, allowed)];
}

/** Like oneOf, but absent is fine. */
export function optionalOneOf(value: unknown, allowed: readonly string[], path: string): Errs {
  if (value === undefined || value === null) return [];
  return typeof value === 'string' && allowed.includes(value) ? [] : [fieldErrors.notSupported(path, value, allowed)];
}

/** An IntOrString port: a number 1-65535 or an IANA service name. */
export function validatePortNumOrName(port: unknown, path: string): Errs {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => fieldErrors.invalid(path, port, m));
  if (typeof port === 'string') return isValidPortName(port).map((m) => fieldErrors.invalid(path, port, m));
  return [fieldErrors.invalid(path, port ?? null, 'must be an integer or a port name')];
}

/** Upstream has a NotFound error type that FieldError does not model; this keeps its message. */
export function notFound(path: string, value: unknown): FieldError {
  return { type: 'FieldValueInvalid', field: path, message: `Not found: ${JSON.stringify(value)}` };
}

/** A name validator's messages as Invalid errors at path. */
export function nameErrors(messages: string[], path: string, value: string): Errs {
  return messages.map((m) => fieldErrors.invalid(path, value, m));
}

/** The problems with a set of strings that must be unique; reports each repeat as Duplicate. */
export function duplicates(values: readonly unknown[], pathOf: (i: number) => string): Errs {
  const seen = new Set<unknown>();
  const errs: Errs = [];
  values.forEach((v, i) => {
    if (seen.has(v)) errs.push(fieldErrors.duplicate(pathOf(i), v));
    seen.add(v);
  });
  return errs;
}

/** A relative path without '..' elements (subPath, keys projected into volumes). */
export function validateLocalDescendingPath(target: string, path: string): Errs {
  const errs: Errs = [];
  if (target.startsWith('/')) errs.push(fieldErrors.invalid(path, target, 'must be a relative path'));
  if (target.replaceAll('\\', '/').split('/').includes('..')) errs.push(fieldErrors.invalid(path, target, "must not contain '..'"));
  return errs;
}
