// JSON type checks against the schema, the errors Go's decoder raises before any validation:
// a string where an int32 belongs, an object where a list belongs, a malformed quantity,
// timestamp or base64 value. Messages follow encoding/json's wording, e.g.
//   json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32

import { builtinResolver, deref, type Resolver, type StructNode } from './structure.ts';
import type { SchemaFieldError } from './types.ts';
import { MAX_DEPTH } from './unknown-fields.ts';

const MAX_ERRORS = 32;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
/** The canonical quantity grammar, as upstream reports it. */
const QUANTITY_PATTERN = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
const QUANTITY_RE = new RegExp(QUANTITY_PATTERN);
const RFC3339_RE = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

interface Context {
  /** Reported path: spec.containers[0].image */
  path: string;
  /** Go's path: spec.containers.image (no indices, no map keys) */
  goPath: string;
  /** Innermost Go struct, e.g. Container */
  struct: string;
}

/** JSON type errors in a built-in object; [] when the definition is unknown. */
export function typeCheck(definition: string, obj: unknown): SchemaFieldError[] {
  return typeCheckIn(builtinResolver, definition, obj);
}

export function typeCheckIn(scope: Resolver, definition: string, obj: unknown): SchemaFieldError[] {
  const out: SchemaFieldError[] = [];
  const root = definition.slice(definition.lastIndexOf('.') + 1);
  check(scope.resolve(definition), obj, { path: '', goPath: '', struct: root }, out, 0);
  return out;
}

function check(schema: StructNode, value: unknown, ctx: Context, out: SchemaFieldError[], depth: number): void {
  if (value === null || value === undefined || depth > MAX_DEPTH || out.length >= MAX_ERRORS) return;
  const node = deref(schema);
  switch (node.kind) {
    case 'any':
    case 'ref':
      return;
    case 'scalar':
      return checkScalar(node.type, node.format, node.goType, value, ctx, out);
    case 'int-or-string':
      if (typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value))) return;
      return mismatch(value, node.goType, ctx, out);
    case 'quantity':
      if (typeof value === 'number') return;
      if (typeof value !== 'string') return mismatch(value, 'resource.Quantity', ctx, out);
      if (!QUANTITY_RE.test(value)) out.push({ field: ctx.path, message: `quantities must match the regular expression '${QUANTITY_PATTERN}'` });
      return;
    case 'array':
      if (!Array.isArray(value)) return mismatch(value, node.goType, ctx, out);
      for (let i = 0; i < value.length; i++) {
        check(node.items, value[i], { ...ctx, path: `${ctx.path}[${i}]` }, out, depth + 1);
      }
      return;
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return mismatch(value, node.goType, ctx, out);
      const isMap = node.goType.startsWith('map[');
      const struct = isMap ? ctx.struct : node.goType.slice(node.goType.lastIndexOf('.') + 1);
      for (const [key, child] of Object.entries(value)) {
        const field = node.fields.get(key);
        const path = ctx.path === '' ? key : `${ctx.path}.${key}`;
        if (field) {
          const goPath = ctx.goPath === '' ? key : `${ctx.goPath}.${key}`;
          check(field, child, { path, goPath, struct }, out, depth + 1);
        } else if (node.values) {
          check(node.values, child, { path, goPath: ctx.goPath, struct }, out, depth + 1);
        }
      }
      return;
    }
  }
}

function checkScalar(
  type: 'string' | 'integer' | 'number' | 'boolean', format: string | undefined, goType: string,
  value: unknown, ctx: Context, out: SchemaFieldError[],
): void {
  switch (type) {
    case 'string':
      if (typeof value !== 'string') return mismatch(value, goType, ctx, out);
      if (format === 'byte' && !BASE64_RE.test(value)) {
        out.push({ field: ctx.path, message: `illegal base64 data at input byte ${firstBadBase64Byte(value)}` });
      } else if (format === 'date-time' && !RFC3339_RE.test(value)) {
        out.push({ field: ctx.path, message: `parsing time ${JSON.stringify(value)} as "2006-01-02T15:04:05Z07:00": not an RFC 3339 timestamp` });
      }
      return;
    case 'boolean':
      if (typeof value !== 'boolean') mismatch(value, goType, ctx, out);
      return;
    case 'number':
      if (typeof value !== 'number') mismatch(value, goType, ctx, out);
      return;
    case 'integer': {
      if (typeof value !== 'number') return mismatch(value, goType, ctx, out);
      const fits = Number.isInteger(value) && (format === 'int32' ? value >= INT32_MIN && value <= INT32_MAX : Number.isSafeInteger(value));
      if (!fits) mismatch(value, goType, ctx, out, `number ${value}`);
      return;
    }
  }
}

function mismatch(value: unknown, goType: string, ctx: Context, out: SchemaFieldError[], kind = jsonKind(value)): void {
  const target = ctx.goPath === '' ? `Go value of type ${goType}` : `Go struct field ${ctx.struct}.${ctx.goPath} of type ${goType}`;
  out.push({ field: ctx.path, message: `json: cannot unmarshal ${kind} into ${target}` });
}

/** encoding/json's name for the offending value: "string", "number", "bool", "array", "object". */
function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'string': return 'string';
    case 'boolean': return 'bool';
    case 'number': return 'number';
    default: return 'object';
  }
}

function firstBadBase64Byte(value: string): number {
  for (let i = 0; i < value.length; i++) if (!/[A-Za-z0-9+/=]/.test(value[i] as string)) return i;
  return Math.max(0, value.length - (value.length % 4 || 4));
}
