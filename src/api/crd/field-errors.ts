// Field errors as upstream's apiextensions validation words them. A bad value is printed the way
// Go's field.Error prints it: simple types bare or quoted, maps and slices in %#v syntax
// (`map[string]interface {}{"a":1}`), nil as "null".

import type { FieldError } from '../../machinery/index.ts';
import type { CrdSchema } from './types.ts';

/** Go's %#v / %q rendering of a decoded JSON value, as field.Error.ErrorBody prints it. */
export function goValue(value: unknown): string {
  if (value === null || value === undefined) return '"null"';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return goSyntax(value, 0);
}

function goSyntax(value: unknown, depth: number): string {
  if (depth > 16) return '...';
  if (value === null || value === undefined) return 'interface {}(nil)';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return `[]interface {}{${value.map((v) => goSyntax(v, depth + 1)).join(', ')}}`;
  const keys = Object.keys(value).sort();
  const entries = keys.map((k) => `${JSON.stringify(k)}:${goSyntax((value as Record<string, unknown>)[k], depth + 1)}`);
  return `map[string]interface {}{${entries.join(', ')}}`;
}

/** The JSON type name a value has, as go-openapi's messages call it. */
export function jsonTypeOf(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

export const crdFieldErrors = {
  invalid: (field: string, value: unknown, detail: string): FieldError => ({ type: 'FieldValueInvalid', field, message: `Invalid value: ${goValue(value)}: ${detail}` }),
  typeInvalid: (field: string, value: unknown, detail: string): FieldError => ({ type: 'FieldValueTypeInvalid', field, message: `Invalid value: ${goValue(value)}: ${detail}` }),
  required: (field: string, detail = ''): FieldError => ({ type: 'FieldValueRequired', field, message: detail ? `Required value: ${detail}` : 'Required value' }),
  forbidden: (field: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field, message: `Forbidden: ${detail}` }),
  duplicate: (field: string, value: unknown): FieldError => ({ type: 'FieldValueDuplicate', field, message: `Duplicate value: ${goValue(value)}` }),
  notSupported: (field: string, value: unknown, valid: readonly string[]): FieldError => ({
    type: 'FieldValueNotSupported',
    field,
    message: `Unsupported value: ${goValue(value)}: supported values: ${valid.map((v) => `"${v}"`).join(', ')}`,
  }),
  tooLong: (field: string, max: number): FieldError => ({ type: 'FieldValueTooLong', field, message: `Too long: may not be more than ${max} bytes` }),
  tooMany: (field: string, actual: number, max: number): FieldError => ({ type: 'FieldValueTooMany', field, message: `Too many: ${actual}: must have at most ${max} items` }),
};

/** Appends a property to a field path (`spec` + `replicas` = `spec.replicas`). */
export function child(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

/** Appends a list index or map key (`spec.items` + 0 = `spec.items[0]`). */
export function index(path: string, i: number | string): string {
  return `${path}[${i}]`;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A schema node read from a CRD (structurally an object; keyword values still unchecked). */
export function isSchema(v: unknown): v is CrdSchema {
  return isRecord(v);
}
