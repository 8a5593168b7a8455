// Validation of custom objects against a CRD version's OpenAPI v3 schema with ajv, compiled once
// per version. The schema is translated into JSON Schema ajv understands (nullable, boolean
// exclusive bounds, int-or-string, root metadata), and ajv's errors are translated into the field
// errors kube-openapi reports (`spec.replicas: Invalid value: "x": spec.replicas in body must be
// of type integer: "string"`, `spec.foo: Required value`, `Unsupported value`, `Too long`, ...).

import { RE2JS } from '@bufbuild/re2';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { jsonEqual, type FieldError } from '../../machinery/index.ts';
import { child, crdFieldErrors, index, isRecord, isSchema, jsonTypeOf } from './field-errors.ts';
import { MAX_SCHEMA_DEPTH } from './structural.ts';
import type { CrdSchema } from './types.ts';

/**
 * Validates a value; with `old` (an update), errors at paths whose value did not change are
 * dropped, as upstream's validation ratcheting does.
 */
export type SchemaValidator = (value: unknown, old?: { value: unknown }) => FieldError[];

type Json = Record<string, unknown>;

const COPIED = [
  'format', 'maximum', 'minimum', 'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems', 'uniqueItems', 'multipleOf',
  'maxProperties', 'minProperties', 'required',
] as const;

/** Compiles a schema; `root` validates a whole object (metadata is judged by ObjectMeta rules). */
export function compileSchemaValidator(schema: CrdSchema, options: { root: boolean; prefix?: string }): SchemaValidator {
  const prefix = options.prefix ?? '';
  const ajv = newAjv();
  const validate: ValidateFunction = ajv.compile(toAjvSchema(schema, options.root, 0));
  return (value, old) => {
    if (validate(value)) return [];
    let errors = validate.errors ?? [];
    if (old !== undefined) errors = errors.filter((e) => !unchangedAt(e.instancePath, value, old.value));
    return translateErrors(errors, value, prefix);
  };
}

function newAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false, code: { regExp: patternEngine } });
  for (const [name, check] of Object.entries(FORMATS)) ajv.addFormat(name, check);
  return ajv;
}

/**
 * How `pattern` is compiled: RE2, as upstream (Go's regexp). It matches in linear time, so a
 * CRD's pattern cannot stall the event loop on a crafted value, and it refuses what RE2 refuses
 * (lookarounds, backreferences).
 */
function patternEngine(pattern: string, _flags: string): { test(s: string): boolean } {
  const re = RE2JS.compile(pattern);
  return { test: (s) => re.test(s) };
}
patternEngine.code = 'RE2JS.compile';

/** Checks that a pattern compiles (for CRD validation). */
export function patternError(pattern: string): string | undefined {
  try {
    patternEngine(pattern, 'u');
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME_RE = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const UUID_RE = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;
const DURATION_RE = /^[-+]?(\d+(\.\d*)?(ns|us|µs|ms|s|m|h))+$|^0$/;
const BYTE_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HOSTNAME_RE = /^(?=.{1,253}$)[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*\.?$/;
const IPV4_RE = /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const MAC_RE = /^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$/;

function isIPv6(s: string): boolean {
  return s.includes(':') && /^[0-9A-Fa-f:.]+$/.test(s) && URL.canParse(`http://[${s}]/`);
}

/** The formats kube-openapi checks; any other format is accepted as a plain annotation. */
const FORMATS: Record<string, (s: string) => boolean> = {
  int32: () => true,
  int64: () => true,
  float: () => true,
  double: () => true,
  password: () => true,
  byte: (s) => BYTE_RE.test(s),
  date: (s) => DATE_RE.test(s) && !Number.isNaN(Date.parse(s)),
  'date-time': (s) => DATE_TIME_RE.test(s) && !Number.isNaN(Date.parse(s.replace(' ', 'T'))),
  datetime: (s) => DATE_TIME_RE.test(s) && !Number.isNaN(Date.parse(s.replace(' ', 'T'))),
  duration: (s) => DURATION_RE.test(s),
  uuid: (s) => UUID_RE.test(s),
  hostname: (s) => HOSTNAME_RE.test(s),
  ipv4: (s) => IPV4_RE.test(s),
  ipv6: isIPv6,
  cidr: (s) => {
    const slash = s.indexOf('/');
    if (slash < 0) return false;
    const ip = s.slice(0, slash);
    const bits = s.slice(slash + 1);
    if (!/^\d{1,3}$/.test(bits)) return false;
    return IPV4_RE.test(ip) ? Number(bits) <= 32 : isIPv6(ip) && Number(bits) <= 128;
  },
  mac: (s) => MAC_RE.test(s),
  email: (s) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(s),
  uri: (s) => URL.canParse(s),
};

/** Translates a CRD schema node into ajv's JSON Schema dialect (draft-07). */
export function toAjvSchema(s: CrdSchema, root: boolean, depth: number): Json {
  if (!isRecord(s) || depth > MAX_SCHEMA_DEPTH) return {};
  const out: Json = {};
  const nullable = s.nullable === true;
  if (s['x-kubernetes-int-or-string'] === true) out['type'] = nullable ? ['integer', 'string', 'null'] : ['integer', 'string'];
  else if (typeof s.type === 'string') out['type'] = nullable ? [s.type, 'null'] : s.type;
  for (const key of COPIED) if (s[key] !== undefined) out[key] = s[key];
  if (Array.isArray(s.enum)) out['enum'] = nullable && !s.enum.includes(null) ? [...s.enum, null] : s.enum;
  if (s.exclusiveMaximum === true && typeof s.maximum === 'number') {
    out['exclusiveMaximum'] = s.maximum;
    delete out['maximum'];
  }
  if (s.exclusiveMinimum === true && typeof s.minimum === 'number') {
    out['exclusiveMinimum'] = s.minimum;
    delete out['minimum'];
  }
  if (isRecord(s.properties)) {
    const props: Json = {};
    for (const [name, sub] of Object.entries(s.properties)) {
      if (!isSchema(sub)) continue;
      props[name] = root && name === 'metadata' ? rootMetadata(sub) : toAjvSchema(sub, false, depth + 1);
    }
    out['properties'] = props;
  }
  if (isRecord(s.additionalProperties)) out['additionalProperties'] = toAjvSchema(s.additionalProperties as CrdSchema, false, depth + 1);
  if (isRecord(s.items)) out['items'] = toAjvSchema(s.items, false, depth + 1);
  for (const junctor of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = s[junctor];
    if (Array.isArray(list) && list.length > 0) out[junctor] = list.map((sub) => toAjvSchema(sub, false, depth + 1));
  }
  if (isRecord(s.not)) out['not'] = toAjvSchema(s.not, false, depth + 1);
  return out;
}

/** At the root, a schema may only constrain metadata.name and metadata.generateName. */
function rootMetadata(s: CrdSchema): Json {
  const out: Json = {};
  const props: Record<string, CrdSchema> = isSchema(s) && isSchema(s.properties) ? s.properties : {};
  const kept: Json = {};
  for (const name of ['name', 'generateName']) {
    const sub = props[name];
    if (isSchema(sub)) kept[name] = toAjvSchema(sub, false, 1);
  }
  if (Object.keys(kept).length > 0) out['properties'] = kept;
  return out;
}

// ---- errors ----

/** Errors inside one branch of anyOf/oneOf only explain why the junctor failed. */
const BRANCH = /\/(anyOf|oneOf)\/\d+(\/|$)/;

function translateErrors(errors: readonly ErrorObject[], data: unknown, prefix: string): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (BRANCH.test(e.schemaPath)) continue;
    const err = translate(e, data, prefix);
    const key = `${err.field}\u0000${err.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(err);
  }
  return out;
}

function translate(e: ErrorObject, data: unknown, prefix: string): FieldError {
  const found = locate(data, e.instancePath);
  const value = found.value;
  const path = prefix === '' ? found.path : found.path === '' ? prefix : found.path.startsWith('[') ? prefix + found.path : `${prefix}.${found.path}`;
  const p = e.params as Record<string, unknown>;
  const name = path === '' ? 'body' : path;
  const at = (detail: string): string => `${name} in body ${detail}`;
  switch (e.keyword) {
    case 'type': {
      const expected = String(p['type'] ?? '').split(',').filter((t) => t !== 'null').join(',');
      return crdFieldErrors.typeInvalid(path, value, at(`must be of type ${expected}: "${jsonTypeOf(value)}"`));
    }
    case 'required':
      return crdFieldErrors.required(child(path, String(p['missingProperty'])), '');
    case 'enum': {
      const allowed = Array.isArray(p['allowedValues']) ? (p['allowedValues'] as unknown[]) : [];
      return crdFieldErrors.notSupported(path, value, allowed.filter((v) => v !== null).map((v) => (typeof v === 'string' ? v : JSON.stringify(v))));
    }
    case 'maxLength':
      return crdFieldErrors.tooLong(path, Number(p['limit']));
    case 'minLength':
      return crdFieldErrors.invalid(path, value, at(`should be at least ${String(p['limit'])} chars long`));
    case 'maximum':
      return crdFieldErrors.invalid(path, value, at(`should be less than or equal to ${String(p['limit'])}`));
    case 'exclusiveMaximum':
      return crdFieldErrors.invalid(path, value, at(`should be less than ${String(p['limit'])}`));
    case 'minimum':
      return crdFieldErrors.invalid(path, value, at(`should be greater than or equal to ${String(p['limit'])}`));
    case 'exclusiveMinimum':
      return crdFieldErrors.invalid(path, value, at(`should be greater than ${String(p['limit'])}`));
    case 'multipleOf':
      return crdFieldErrors.invalid(path, value, at(`should be a multiple of ${String(p['multipleOf'])}`));
    case 'pattern':
      return crdFieldErrors.invalid(path, value, at(`should match '${String(p['pattern'])}'`));
    case 'maxItems':
      return crdFieldErrors.tooMany(path, Array.isArray(value) ? value.length : -1, Number(p['limit']));
    case 'minItems':
      return crdFieldErrors.invalid(path, value, at(`should have at least ${String(p['limit'])} items`));
    case 'maxProperties':
      return crdFieldErrors.tooMany(path, isRecord(value) ? Object.keys(value).length : -1, Number(p['limit']));
    case 'minProperties':
      return crdFieldErrors.invalid(path, value, at(`should have at least ${String(p['limit'])} properties`));
    case 'uniqueItems': {
      const j = Number(p['i']);
      return crdFieldErrors.duplicate(index(path, j), Array.isArray(value) ? value[j] : value);
    }
    case 'format':
      return crdFieldErrors.typeInvalid(path, value, at(`must be of type ${String(p['format'])}: ${JSON.stringify(value)}`));
    case 'anyOf':
      return crdFieldErrors.invalid(path, value, at('must validate at least one schema (anyOf)'));
    case 'oneOf':
      return crdFieldErrors.invalid(path, value, at('must validate one and only one schema (oneOf)'));
    case 'not':
      return crdFieldErrors.invalid(path, value, at('must not validate the schema (not)'));
    default:
      return crdFieldErrors.invalid(path, value, at(e.message ?? `failed ${e.keyword}`));
  }
}

function unchangedAt(pointer: string, value: unknown, old: unknown): boolean {
  const now = valueAt(value, pointer);
  const before = valueAt(old, pointer);
  return now.found && before.found && jsonEqual(now.value, before.value);
}

function valueAt(data: unknown, pointer: string): { found: boolean; value: unknown } {
  let value = data;
  if (pointer === '') return { found: true, value };
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(value)) value = value[Number(seg)];
    else if (isRecord(value) && Object.hasOwn(value, seg)) value = value[seg];
    else return { found: false, value: undefined };
    if (value === undefined) return { found: false, value: undefined };
  }
  return { found: true, value };
}

/** Turns ajv's JSON pointer into a field path (`spec.items[0].name`) and the value found there. */
function locate(data: unknown, pointer: string): { path: string; value: unknown } {
  let path = '';
  let value = data;
  if (pointer === '') return { path, value };
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(value)) {
      path = index(path, seg);
      value = value[Number(seg)];
    } else {
      path = child(path, seg);
      value = isRecord(value) ? value[seg] : undefined;
    }
  }
  return { path, value };
}
