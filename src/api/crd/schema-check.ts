// Validation of a CRD version's openAPIV3Schema when the CRD is written: the schema must be
// structural (every specified field typed, no $ref, properties and additionalProperties apart,
// junctors only restating value validations), its extensions well formed, its patterns and CEL
// rules must compile, and its defaults must be valid and pruned. Paths are upstream's:
// `spec.versions[0].schema.openAPIV3Schema.properties[spec].type`.

import type { FieldError } from '../../machinery/index.ts';
import { compileRule } from './cel.ts';
import { crdFieldErrors as fe, isRecord, isSchema } from './field-errors.ts';
import { parseJsonPath } from './jsonpath.ts';
import { unknownFieldPaths } from './prune.ts';
import { compileSchemaValidator, patternError } from './schema-validation.ts';
import { MAX_SCHEMA_DEPTH, structuralNode } from './structural.ts';
import type { CrdSchema } from './types.ts';

const TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];
const FORBIDDEN_KEYS = ['$ref', '$schema', 'id', 'definitions', 'dependencies', 'patternProperties', 'additionalItems'];
/** What a value validation inside allOf/anyOf/oneOf/not may not say (it cannot shape the structure). */
const JUNCTOR_FORBIDDEN = [
  'type', 'default', 'nullable', 'additionalProperties', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource',
  'x-kubernetes-int-or-string', 'x-kubernetes-validations', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-map-type',
];
const REASONS = ['FieldValueInvalid', 'FieldValueForbidden', 'FieldValueRequired', 'FieldValueDuplicate'];

interface Ctx {
  errors: FieldError[];
  nodes: number;
}

/** Every problem with a version schema; [] when it can be served. */
export function validateCrdSchema(schema: unknown, path: string): FieldError[] {
  const ctx: Ctx = { errors: [], nodes: 0 };
  if (!isRecord(schema)) return [fe.required(path, 'schemas are required')];
  node(schema as CrdSchema, path, ctx, { root: true, junctor: false, depth: 0, intOrStringJunctor: false });
  if (ctx.errors.length > 0) return ctx.errors;
  try {
    compileSchemaValidator(schema as CrdSchema, { root: true });
  } catch (err) {
    return [fe.invalid(path, '', `the schema does not compile: ${(err as Error).message}`)];
  }
  checkDefaults(schema as CrdSchema, path, ctx, true, 0);
  return ctx.errors;
}

interface Where {
  root: boolean;
  junctor: boolean;
  depth: number;
  /** Inside the anyOf of an x-kubernetes-int-or-string node, which may restate integer|string. */
  intOrStringJunctor: boolean;
}

function node(s: CrdSchema, path: string, ctx: Ctx, where: Where): void {
  if (++ctx.nodes > 10_000) {
    if (ctx.nodes === 10_001) ctx.errors.push(fe.forbidden(path, 'the schema has too many nodes'));
    return;
  }
  if (where.depth > MAX_SCHEMA_DEPTH) {
    ctx.errors.push(fe.forbidden(path, `must not be nested deeper than ${MAX_SCHEMA_DEPTH} levels`));
    return;
  }
  const at = (k: string): string => `${path}.${k}`;
  const errs = ctx.errors;
  for (const key of FORBIDDEN_KEYS) if (key in s) errs.push(fe.forbidden(at(key), `${key} is not supported`));
  if (s.uniqueItems === true) errs.push(fe.forbidden(at('uniqueItems'), 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));
  if (s.additionalProperties === false) errs.push(fe.forbidden(at('additionalProperties'), 'additionalProperties cannot be set to false'));
  keywordTypes(s, path, errs);
  const type = s.type;
  if (type !== undefined && (typeof type !== 'string' || !TYPES.includes(type))) errs.push(fe.notSupported(at('type'), type, TYPES));
  const preserve = s['x-kubernetes-preserve-unknown-fields'];
  if (preserve !== undefined && preserve !== true) errs.push(fe.invalid(at('x-kubernetes-preserve-unknown-fields'), preserve, 'must be true or undefined'));
  const intOrString = s['x-kubernetes-int-or-string'] === true;
  const embedded = s['x-kubernetes-embedded-resource'] === true;

  if (where.junctor) {
    for (const key of JUNCTOR_FORBIDDEN) {
      if (!(key in s)) continue;
      if (key === 'type' && where.intOrStringJunctor && (type === 'integer' || type === 'string')) continue;
      errs.push(fe.forbidden(at(key), 'must not be used inside allOf, anyOf, oneOf or not'));
    }
  } else {
    if (where.root && type !== 'object') {
      errs.push(type === undefined ? fe.required(at('type'), 'must not be empty at the root') : fe.invalid(at('type'), type, 'must be object at the root'));
    } else if (type === undefined && !intOrString && preserve !== true) {
      errs.push(fe.required(at('type'), 'must not be empty for specified fields'));
    }
    if (intOrString && type !== undefined) errs.push(fe.invalid(at('type'), type, 'must be empty to be structural with x-kubernetes-int-or-string'));
    if (embedded && type !== 'object') errs.push(fe.invalid(at('type'), type ?? '', 'must be object if x-kubernetes-embedded-resource is true'));
    if (embedded && preserve !== true && !isRecord(s.properties)) {
      errs.push(fe.required(at('properties'), 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields'));
    }
  }
  if (s.properties !== undefined && s.additionalProperties !== undefined && s.additionalProperties !== false) {
    errs.push(fe.forbidden(at('additionalProperties'), 'additionalProperties and properties are mutual exclusive'));
  }
  if (typeof s.pattern === 'string') {
    const bad = patternError(s.pattern);
    if (bad) errs.push(fe.invalid(at('pattern'), s.pattern, `must be a valid regular expression, but isn't: ${bad}`));
  }
  if (type === 'array' && !where.junctor && !isRecord(s.items)) errs.push(fe.required(at('items'), 'must be specified'));
  if (s.items !== undefined && !isRecord(s.items)) errs.push(fe.forbidden(at('items'), 'items must be a schema object and not an array'));
  listExtensions(s, path, errs);
  rules(s, path, errs);

  if (s.properties !== undefined) {
    if (!isRecord(s.properties)) errs.push(fe.invalid(at('properties'), s.properties, 'must be an object'));
    else {
      for (const [name, sub] of Object.entries(s.properties)) {
        const p = `${path}.properties[${name}]`;
        if (!isRecord(sub)) {
          errs.push(fe.invalid(p, sub, 'must be a schema object'));
          continue;
        }
        if (where.root && name === 'metadata') metadata(sub as CrdSchema, p, errs);
        else node(sub as CrdSchema, p, ctx, { root: false, junctor: where.junctor, depth: where.depth + 1, intOrStringJunctor: false });
      }
    }
  }
  if (isRecord(s.additionalProperties)) node(s.additionalProperties as CrdSchema, at('additionalProperties'), ctx, { ...where, root: false, depth: where.depth + 1, intOrStringJunctor: false });
  if (isRecord(s.items)) node(s.items, at('items'), ctx, { ...where, root: false, depth: where.depth + 1, intOrStringJunctor: false });
  for (const junctor of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = s[junctor];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      errs.push(fe.invalid(at(junctor), list, 'must be a list of schemas'));
      continue;
    }
    list.forEach((sub, i) => {
      if (!isRecord(sub)) errs.push(fe.invalid(`${path}.${junctor}[${i}]`, sub, 'must be a schema object'));
      else node(sub, `${path}.${junctor}[${i}]`, ctx, { root: false, junctor: true, depth: where.depth + 1, intOrStringJunctor: intOrString });
    });
  }
  if (isRecord(s.not)) node(s.not, at('not'), ctx, { root: false, junctor: true, depth: where.depth + 1, intOrStringJunctor: false });
}

const NUMBER_KEYS = ['maximum', 'minimum'] as const;
const COUNT_KEYS = ['maxLength', 'minLength', 'maxItems', 'minItems', 'maxProperties', 'minProperties'] as const;
const BOOLEAN_KEYS = ['nullable', 'exclusiveMaximum', 'exclusiveMinimum', 'uniqueItems', 'x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string'] as const;
const STRING_KEYS = ['description', 'format', 'pattern', 'title'] as const;

/** Keyword values of the wrong JSON type (they would break compilation). */
function keywordTypes(s: CrdSchema, path: string, errs: FieldError[]): void {
  const at = (k: string): string => `${path}.${k}`;
  for (const k of NUMBER_KEYS) if (s[k] !== undefined && (typeof s[k] !== 'number' || !Number.isFinite(s[k]))) errs.push(fe.invalid(at(k), s[k], 'must be a number'));
  for (const k of COUNT_KEYS) if (s[k] !== undefined && (typeof s[k] !== 'number' || !Number.isSafeInteger(s[k]) || s[k] < 0)) errs.push(fe.invalid(at(k), s[k], 'must be a non-negative integer'));
  for (const k of BOOLEAN_KEYS) if (s[k] !== undefined && typeof s[k] !== 'boolean') errs.push(fe.invalid(at(k), s[k], 'must be a boolean'));
  for (const k of STRING_KEYS) if (s[k] !== undefined && typeof s[k] !== 'string') errs.push(fe.invalid(at(k), s[k], 'must be a string'));
  if (s.multipleOf !== undefined && (typeof s.multipleOf !== 'number' || !(s.multipleOf > 0))) errs.push(fe.invalid(at('multipleOf'), s.multipleOf, 'must be a positive number'));
  if (s.required !== undefined && (!Array.isArray(s.required) || s.required.some((r) => typeof r !== 'string'))) errs.push(fe.invalid(at('required'), s.required, 'must be a list of strings'));
  if (s.enum !== undefined && !Array.isArray(s.enum)) errs.push(fe.invalid(at('enum'), s.enum, 'must be a list'));
  const keys = s['x-kubernetes-list-map-keys'];
  if (keys !== undefined && (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string'))) errs.push(fe.invalid(at('x-kubernetes-list-map-keys'), keys, 'must be a list of strings'));
}

/** At the root, metadata may only restrict name and generateName (both strings). */
function metadata(s: CrdSchema, path: string, errs: FieldError[]): void {
  const allowed = new Set(['type', 'properties', 'description']);
  const props = isRecord(s.properties) ? s.properties : {};
  const extra = Object.keys(s).some((k) => !allowed.has(k));
  const badProps = Object.keys(props).some((k) => k !== 'name' && k !== 'generateName');
  if (extra || badProps || (s.type !== undefined && s.type !== 'object')) {
    errs.push(fe.forbidden(path, 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
    return;
  }
  for (const [name, sub] of Object.entries(props)) {
    if (!isRecord(sub) || sub.type !== 'string') errs.push(fe.invalid(`${path}.properties[${name}].type`, isRecord(sub) ? sub.type ?? '' : sub, 'must be string'));
  }
}

function listExtensions(s: CrdSchema, path: string, errs: FieldError[]): void {
  const listType = s['x-kubernetes-list-type'];
  const keys = s['x-kubernetes-list-map-keys'];
  const at = (k: string): string => `${path}.${k}`;
  if (listType !== undefined) {
    if (!['atomic', 'set', 'map'].includes(listType as string)) errs.push(fe.notSupported(at('x-kubernetes-list-type'), listType, ['atomic', 'map', 'set']));
    else if (s.type !== 'array') errs.push(fe.invalid(at('type'), s.type ?? '', 'must be array if x-kubernetes-list-type is specified'));
  }
  const items = isSchema(s.items) ? s.items : undefined;
  if (listType === 'map') {
    if (!Array.isArray(keys) || keys.length === 0) errs.push(fe.required(at('x-kubernetes-list-map-keys'), 'must not be empty if x-kubernetes-list-type is map'));
    if (items && items.type !== 'object') errs.push(fe.invalid(at('items.type'), items.type ?? '', 'must be object if parent array\'s x-kubernetes-list-type is map'));
    if (Array.isArray(keys) && items) {
      keys.forEach((k, i) => {
        const prop = isSchema(items.properties?.[String(k)]) ? items.properties?.[String(k)] : undefined;
        const kp = `${at('x-kubernetes-list-map-keys')}[${i}]`;
        if (typeof k !== 'string' || !prop) errs.push(fe.invalid(kp, k, 'entries must all be names of item properties'));
        else if (!['string', 'integer', 'number', 'boolean'].includes(String(prop.type)) && prop['x-kubernetes-int-or-string'] !== true) {
          errs.push(fe.invalid(kp, k, 'must be a scalar property of the items'));
        } else if (!(items.required ?? []).includes(k) && prop.default === undefined) {
          errs.push(fe.required(`${at('items.properties')}[${k}].default`, 'this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property'));
        }
      });
    }
  } else if (keys !== undefined) {
    errs.push(fe.forbidden(at('x-kubernetes-list-map-keys'), 'must be empty if x-kubernetes-list-type is not map'));
  }
  if (listType === 'set' && items && items.type === 'object' && items['x-kubernetes-map-type'] !== 'atomic') {
    errs.push(fe.invalid(at('items.x-kubernetes-map-type'), items['x-kubernetes-map-type'] ?? '', 'must be atomic as item of a list with x-kubernetes-list-type=set'));
  }
  const mapType = s['x-kubernetes-map-type'];
  if (mapType !== undefined && mapType !== 'atomic' && mapType !== 'granular') errs.push(fe.notSupported(at('x-kubernetes-map-type'), mapType, ['atomic', 'granular']));
}

function rules(s: CrdSchema, path: string, errs: FieldError[]): void {
  const list: unknown = s['x-kubernetes-validations'];
  if (list === undefined) return;
  const at = `${path}.x-kubernetes-validations`;
  if (!Array.isArray(list)) {
    errs.push(fe.invalid(at, list, 'must be a list of rules'));
    return;
  }
  list.forEach((r: unknown, i) => {
    const p = `${at}[${i}]`;
    const before = errs.length;
    if (!isRecord(r)) return void errs.push(fe.invalid(p, r, 'must be an object'));
    if (typeof r['rule'] !== 'string' || r['rule'].trim() === '') return void errs.push(fe.required(`${p}.rule`, ''));
    if (r['message'] !== undefined && (typeof r['message'] !== 'string' || r['message'].trim() === '' || r['message'].includes('\n'))) {
      errs.push(fe.invalid(`${p}.message`, r['message'], 'message must be a non-empty string without line breaks'));
    }
    if (r['messageExpression'] !== undefined && (typeof r['messageExpression'] !== 'string' || r['messageExpression'].trim() === '')) {
      errs.push(fe.required(`${p}.messageExpression`, 'messageExpression must be non-empty if specified'));
    }
    if (r['reason'] !== undefined && !REASONS.includes(r['reason'] as string)) errs.push(fe.notSupported(`${p}.reason`, r['reason'], REASONS));
    if (r['fieldPath'] !== undefined) {
      const fp = r['fieldPath'];
      let ok = typeof fp === 'string' && fp.startsWith('.');
      if (ok) {
        try {
          parseJsonPath(fp as string);
        } catch {
          ok = false;
        }
      }
      if (!ok) errs.push(fe.invalid(`${p}.fieldPath`, fp, 'must be a valid path starting with "."'));
    }
    if (errs.length > before) return;
    const compiled = compileRule(r as never);
    if ('error' in compiled) errs.push(fe.invalid(`${p}.${compiled.field}`, r[compiled.field], compiled.error));
  });
}

/** A default must be valid for its node and contain no field pruning would drop. */
function checkDefaults(s: CrdSchema, path: string, ctx: Ctx, root: boolean, depth: number): void {
  if (!isRecord(s) || depth > MAX_SCHEMA_DEPTH) return;
  if (s.default !== undefined) {
    const at = `${path}.default`;
    if (root) ctx.errors.push(fe.forbidden(at, 'must not be set at the root'));
    else {
      const unknown = unknownFieldPaths(structuralNode(s), s.default, false);
      if (unknown.length > 0) ctx.errors.push(fe.invalid(at, s.default, `must not have unknown fields: ${unknown.join(', ')}`));
      else {
        try {
          ctx.errors.push(...compileSchemaValidator(s, { root: false, prefix: at })(s.default));
        } catch (err) {
          ctx.errors.push(fe.invalid(at, s.default, (err as Error).message));
        }
      }
    }
  }
  if (isRecord(s.properties)) {
    for (const [name, sub] of Object.entries(s.properties)) {
      if (root && name === 'metadata') continue;
      if (isSchema(sub)) checkDefaults(sub, `${path}.properties[${name}]`, ctx, false, depth + 1);
    }
  }
  if (isRecord(s.additionalProperties)) checkDefaults(s.additionalProperties as CrdSchema, `${path}.additionalProperties`, ctx, false, depth + 1);
  if (isRecord(s.items)) checkDefaults(s.items, `${path}.items`, ctx, false, depth + 1);
}
