// Everything one CRD version's schema does to custom objects, compiled once when the CRD is
// served: defaulting and pruning (what decoding a request or a stored object does upstream),
// the unknown-field report for fieldValidation=Strict, and validation (OpenAPI value
// validations with ajv, embedded resources, list types, then CEL rules).

import { validateAnnotations, validateLabels, type FieldError } from '../../machinery/index.ts';
import { compileCelValidator, type CelValidator } from './cel.ts';
import { applySchemaDefaults, defaultsMissing, hasDefaults } from './defaults.ts';
import { child, crdFieldErrors, index, isRecord } from './field-errors.ts';
import { hasListTypes, validateListTypes } from './list-types.ts';
import { pruneObject, unknownFieldPaths } from './prune.ts';
import { compileSchemaValidator, type SchemaValidator } from './schema-validation.ts';
import { fieldNode, MAX_SCHEMA_DEPTH, structuralNode, walkNodes, type SchemaNode } from './structural.ts';
import type { CrdSchema } from './types.ts';

export interface VersionSchema {
  readonly root: SchemaNode;
  /** Whether reads must be defaulted too (the schema has `default`s). */
  readonly hasDefaults: boolean;
  /** Defaults, then prunes unknown fields, in place. */
  normalize(obj: unknown): void;
  applyDefaults(obj: unknown): void;
  /** Whether applyDefaults would change the object (a stored object written before a default existed). */
  defaultsMissing(obj: unknown): boolean;
  unknownFields(obj: unknown): string[];
  /** Field errors of an object; `old` is the stored object on update (transition rules, ratcheting). */
  validate(obj: unknown, old?: unknown): FieldError[];
}

/** A schema that keeps and accepts anything (a version without a schema). */
const OPEN: CrdSchema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

const NOT_CHECKED = 'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation';
/** Error types after which CEL rules are not run (upstream hasBlockingErr). */
const BLOCKING: ReadonlySet<FieldError['type']> = new Set(['FieldValueNotSupported', 'FieldValueRequired', 'FieldValueTooLong', 'FieldValueTooMany', 'FieldValueTypeInvalid']);

export function compileVersionSchema(schema: CrdSchema | undefined): VersionSchema {
  const source = schema ?? OPEN;
  const root = structuralNode(source);
  const values: SchemaValidator = compileSchemaValidator(source, { root: true });
  const cel: CelValidator | undefined = compileCelValidator(root);
  const lists = hasListTypes(root);
  const embedded = [...walkNodes(root)].some((n) => n.embedded);
  const defaults = hasDefaults(root);
  return {
    root,
    hasDefaults: defaults,
    normalize(obj) {
      applySchemaDefaults(root, obj);
      pruneObject(root, obj);
    },
    applyDefaults(obj) {
      if (defaults) applySchemaDefaults(root, obj);
    },
    defaultsMissing: (obj) => defaults && defaultsMissing(root, obj),
    unknownFields: (obj) => unknownFieldPaths(root, obj),
    validate(obj, old) {
      const prior = old === undefined ? undefined : { value: old };
      const errors = values(obj, prior);
      if (embedded) errors.push(...validateEmbedded(root, obj, '', 0));
      if (lists) errors.push(...validateListTypes(root, obj));
      if (cel) {
        if (errors.some((e) => BLOCKING.has(e.type))) errors.push(crdFieldErrors.invalid('<nil>', null, NOT_CHECKED));
        else errors.push(...cel(obj, prior));
      }
      return errors;
    },
  };
}

/** x-kubernetes-embedded-resource values need apiVersion and kind, and sane metadata. */
function validateEmbedded(node: SchemaNode, value: unknown, path: string, depth: number): FieldError[] {
  if (depth > MAX_SCHEMA_DEPTH * 2 || value === null || typeof value !== 'object') return [];
  const out: FieldError[] = [];
  if (Array.isArray(value)) {
    if (node.items) value.forEach((v, i) => out.push(...validateEmbedded(node.items as SchemaNode, v, index(path, i), depth + 1)));
    return out;
  }
  const record = value as Record<string, unknown>;
  if (node.embedded && depth > 0) out.push(...embeddedResourceErrors(record, path));
  for (const [key, v] of Object.entries(record)) {
    const sub = fieldNode(node, key);
    if (sub) out.push(...validateEmbedded(sub, v, node.properties ? child(path, key) : index(path, key), depth + 1));
  }
  return out;
}

function embeddedResourceErrors(x: Record<string, unknown>, path: string): FieldError[] {
  const out: FieldError[] = [];
  for (const key of ['apiVersion', 'kind'] as const) {
    const v = x[key];
    const at = child(path, key);
    if (v === undefined) out.push(crdFieldErrors.required(at, 'must not be empty'));
    else if (typeof v !== 'string') out.push(crdFieldErrors.invalid(at, v, 'must be a string'));
    else if (v === '') out.push(crdFieldErrors.invalid(at, v, 'must not be empty'));
  }
  const meta = x['metadata'];
  if (meta !== undefined) {
    const at = child(path, 'metadata');
    if (!isRecord(meta)) out.push(crdFieldErrors.invalid(at, meta, 'must be an object'));
    else {
      out.push(...validateLabels(meta['labels'], child(at, 'labels')));
      out.push(...validateAnnotations(meta['annotations'], child(at, 'annotations')));
    }
  }
  return out;
}
