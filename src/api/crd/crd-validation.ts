// Defaulting and validation of CustomResourceDefinition objects (upstream's apiextensions
// validation): names, group, scope, versions (exactly one storage version, at least one served),
// per-version schemas (structural), subresources, printer columns, selectable fields, and the
// conversion strategy. Webhook conversion is refused: this server cannot call webhooks.

import {
  isDNS1035Label, isDNS1123Subdomain, jsonEqual, nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate, type FieldError,
} from '../../machinery/index.ts';
import { crdFieldErrors as fe, isRecord } from './field-errors.ts';
import { dotPathFields, parseJsonPath } from './jsonpath.ts';
import { validateCrdSchema } from './schema-check.ts';
import { MAX_SCHEMA_DEPTH, structuralNode, type SchemaNode } from './structural.ts';
import type { CrdSchema } from './types.ts';

type Rec = Record<string, unknown>;

const COLUMN_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];
const COLUMN_FORMATS = ['byte', 'date', 'date-time', 'double', 'float', 'int32', 'int64', 'password'];
const APPROVAL_ANNOTATION = 'api-approved.kubernetes.io';
export const WEBHOOK_CONVERSION_MESSAGE = 'conversion webhooks are not supported by this server; use strategy None (all versions share one schema shape and only apiVersion is rewritten)';

function rec(v: unknown): Rec {
  return isRecord(v) ? v : {};
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** Fills in what upstream defaults: conversion None, names.singular and names.listKind. */
export function defaultCrd(crd: Rec): void {
  const spec = crd['spec'];
  if (!isRecord(spec)) return;
  if (spec['conversion'] === undefined || spec['conversion'] === null) spec['conversion'] = { strategy: 'None' };
  else if (isRecord(spec['conversion']) && spec['conversion']['strategy'] === undefined) spec['conversion']['strategy'] = 'None';
  const names = spec['names'];
  if (isRecord(names) && typeof names['kind'] === 'string' && names['kind'] !== '') {
    if (!names['singular']) names['singular'] = names['kind'].toLowerCase();
    if (!names['listKind']) names['listKind'] = `${names['kind']}List`;
  }
}

export function validateCrd(crd: Rec): FieldError[] {
  const errs = validateObjectMeta(crd['metadata'], { namespaced: false, nameValidator: nameIsDNSSubdomain });
  errs.push(...validateSpec(crd));
  return errs;
}

export function validateCrdUpdate(crd: Rec, old: Rec): FieldError[] {
  const errs = validateObjectMetaUpdate(crd['metadata'], old['metadata']);
  // An unchanged spec was valid when written (status and metadata writes skip compiling schemas).
  if (!jsonEqual(crd['spec'], old['spec'])) errs.push(...validateSpec(crd));
  const spec = rec(crd['spec']);
  const prev = rec(old['spec']);
  const immutable = (path: string, now: unknown, before: unknown): void => {
    if (now !== before) errs.push(fe.invalid(path, now, 'field is immutable'));
  };
  immutable('spec.group', spec['group'], prev['group']);
  immutable('spec.names.plural', rec(spec['names'])['plural'], rec(prev['names'])['plural']);
  immutable('spec.scope', spec['scope'], prev['scope']);
  immutable('spec.names.kind', rec(spec['names'])['kind'], rec(prev['names'])['kind']);
  errs.push(...validateStatus(crd));
  return errs;
}

/** status.storedVersions must name versions that still exist (their data may still be stored). */
export function validateStatus(crd: Rec): FieldError[] {
  const errs: FieldError[] = [];
  const versions = Array.isArray(rec(crd['spec'])['versions']) ? (rec(crd['spec'])['versions'] as unknown[]).map((v) => rec(v)['name']) : [];
  const stored = rec(crd['status'])['storedVersions'];
  if (stored === undefined) return errs;
  if (!Array.isArray(stored)) return [fe.invalid('status.storedVersions', stored, 'must be a list of version names')];
  stored.forEach((v, i) => {
    if (!versions.includes(v)) errs.push(fe.invalid(`status.storedVersions[${i}]`, v, 'must appear in spec.versions'));
  });
  return errs;
}

function validateSpec(crd: Rec): FieldError[] {
  const errs: FieldError[] = [];
  const spec = crd['spec'];
  if (!isRecord(spec)) return [fe.required('spec', '')];
  const meta = rec(crd['metadata']);
  const group = spec['group'];
  if (typeof group !== 'string' || group === '') errs.push(fe.required('spec.group', ''));
  else {
    for (const m of isDNS1123Subdomain(group)) errs.push(fe.invalid('spec.group', group, m));
    if (!group.includes('.')) errs.push(fe.invalid('spec.group', group, 'should be a domain with at least one dot'));
    const protectedGroup = /(^|\.)(k8s\.io|kubernetes\.io)$/.test(group);
    if (protectedGroup && !rec(meta['annotations'])[APPROVAL_ANNOTATION]) {
      errs.push(fe.required(`metadata.annotations[${APPROVAL_ANNOTATION}]`, `protected groups must have approval annotation "${APPROVAL_ANNOTATION}", see https://github.com/kubernetes/enhancements/pull/1111`));
    }
  }
  const scope = spec['scope'];
  if (scope === undefined || scope === '') errs.push(fe.required('spec.scope', ''));
  else if (scope !== 'Cluster' && scope !== 'Namespaced') errs.push(fe.notSupported('spec.scope', scope, ['Cluster', 'Namespaced']));
  errs.push(...validateNames(spec['names']));
  const names = rec(spec['names']);
  if (typeof meta['name'] === 'string' && typeof names['plural'] === 'string' && meta['name'] !== `${names['plural']}.${str(group)}`) {
    errs.push(fe.invalid('metadata.name', meta['name'], 'must be spec.names.plural+"."+spec.group'));
  }
  if (spec['preserveUnknownFields'] === true) {
    errs.push(fe.invalid('spec.preserveUnknownFields', true, 'must be false in apiextensions.k8s.io/v1; set x-kubernetes-preserve-unknown-fields: true in the version schemas instead'));
  }
  errs.push(...validateConversion(spec['conversion']));
  errs.push(...validateVersions(spec['versions']));
  return errs;
}

function validateConversion(conversion: unknown): FieldError[] {
  if (conversion === undefined) return [];
  if (!isRecord(conversion)) return [fe.invalid('spec.conversion', conversion, 'must be an object')];
  const strategy = conversion['strategy'];
  if (strategy === 'Webhook') return [fe.forbidden('spec.conversion.strategy', WEBHOOK_CONVERSION_MESSAGE)];
  if (strategy !== 'None') return [fe.notSupported('spec.conversion.strategy', strategy, ['None', 'Webhook'])];
  if (conversion['webhook'] !== undefined && conversion['webhook'] !== null) {
    return [fe.forbidden('spec.conversion.webhook', 'must not be set when strategy is None')];
  }
  return [];
}

function validateNames(raw: unknown): FieldError[] {
  const path = 'spec.names';
  if (!isRecord(raw)) return [fe.required(path, '')];
  const errs: FieldError[] = [];
  const label = (field: string, value: unknown, lower: boolean): void => {
    if (value === undefined || value === '') {
      errs.push(fe.required(`${path}.${field}`, ''));
      return;
    }
    if (typeof value !== 'string') return void errs.push(fe.invalid(`${path}.${field}`, value, 'must be a string'));
    const problems = isDNS1035Label(lower ? value.toLowerCase() : value);
    if (problems.length > 0) errs.push(fe.invalid(`${path}.${field}`, value, (lower ? 'may have mixed case, but should otherwise match: ' : '') + problems.join(',')));
  };
  label('plural', raw['plural'], false);
  label('singular', raw['singular'], false);
  label('kind', raw['kind'], true);
  label('listKind', raw['listKind'], true);
  if (typeof raw['kind'] === 'string' && raw['kind'] !== '' && raw['kind'] === raw['listKind']) {
    errs.push(fe.invalid(`${path}.listKind`, raw['listKind'], 'kind and listKind may not be the same or parsing become ambiguous'));
  }
  for (const field of ['shortNames', 'categories'] as const) {
    const list = raw[field];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      errs.push(fe.invalid(`${path}.${field}`, list, 'must be a list of strings'));
      continue;
    }
    list.forEach((v, i) => {
      const problems = typeof v === 'string' ? isDNS1035Label(v) : ['must be a string'];
      if (problems.length > 0) errs.push(fe.invalid(`${path}.${field}[${i}]`, v, problems.join(',')));
    });
  }
  return errs;
}

function validateVersions(raw: unknown): FieldError[] {
  const path = 'spec.versions';
  if (!Array.isArray(raw) || raw.length === 0) return [fe.invalid(path, raw ?? null, 'must have at least one version')];
  const errs: FieldError[] = [];
  const names = raw.map((v) => rec(v)['name']);
  if (new Set(names).size !== names.length) errs.push(fe.invalid(path, names, 'must contain unique version names'));
  if (raw.filter((v) => rec(v)['storage'] === true).length !== 1) errs.push(fe.invalid(path, names, 'must have exactly one version marked as storage version'));
  if (!raw.some((v) => rec(v)['served'] === true)) errs.push(fe.invalid(path, names, 'must have at least one served version'));
  raw.forEach((v, i) => errs.push(...validateVersion(v, `${path}[${i}]`)));
  return errs;
}

function validateVersion(raw: unknown, path: string): FieldError[] {
  if (!isRecord(raw)) return [fe.invalid(path, raw, 'must be an object')];
  const errs: FieldError[] = [];
  const name = raw['name'];
  if (typeof name !== 'string' || name === '') errs.push(fe.required(`${path}.name`, ''));
  else for (const m of isDNS1035Label(name)) errs.push(fe.invalid(`${path}.name`, name, m));
  for (const flag of ['served', 'storage'] as const) {
    if (typeof raw[flag] !== 'boolean') errs.push(fe.required(`${path}.${flag}`, 'must be true or false'));
  }
  const schema = rec(raw['schema'])['openAPIV3Schema'];
  const schemaPath = `${path}.schema.openAPIV3Schema`;
  const schemaErrors = validateCrdSchema(schema, schemaPath);
  errs.push(...schemaErrors);
  const root = schemaErrors.length === 0 ? structuralNode(schema as CrdSchema) : undefined;
  errs.push(...validateSubresources(raw['subresources'], `${path}.subresources`));
  errs.push(...validateColumns(raw['additionalPrinterColumns'], `${path}.additionalPrinterColumns`));
  errs.push(...validateSelectableFields(raw['selectableFields'], `${path}.selectableFields`, root));
  return errs;
}

function validateSubresources(raw: unknown, path: string): FieldError[] {
  if (raw === undefined || raw === null) return [];
  if (!isRecord(raw)) return [fe.invalid(path, raw, 'must be an object')];
  const errs: FieldError[] = [];
  if (raw['status'] !== undefined && raw['status'] !== null && !isRecord(raw['status'])) errs.push(fe.invalid(`${path}.status`, raw['status'], 'must be an object'));
  const scale = raw['scale'];
  if (scale === undefined || scale === null) return errs;
  if (!isRecord(scale)) return [...errs, fe.invalid(`${path}.scale`, scale, 'must be an object')];
  const check = (field: string, under: string[], required: boolean): void => {
    const value = scale[field];
    const at = `${path}.scale.${field}`;
    if (value === undefined || value === '') {
      if (required) errs.push(fe.required(at, ''));
      return;
    }
    const fields = typeof value === 'string' ? dotPathFields(value) : undefined;
    if (!fields || !under.includes(fields[0] as string) || fields.length < 2) {
      errs.push(fe.invalid(at, value, `should be a json path under ${under.map((u) => `.${u}`).join(' or ')}`));
    }
  };
  check('specReplicasPath', ['spec'], true);
  check('statusReplicasPath', ['status'], true);
  check('labelSelectorPath', ['spec', 'status'], false);
  return errs;
}

function validateColumns(raw: unknown, path: string): FieldError[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) return [fe.invalid(path, raw, 'must be a list')];
  const errs: FieldError[] = [];
  raw.forEach((col, i) => {
    const at = `${path}[${i}]`;
    if (!isRecord(col)) return void errs.push(fe.invalid(at, col, 'must be an object'));
    if (typeof col['name'] !== 'string' || col['name'] === '') errs.push(fe.required(`${at}.name`, ''));
    if (col['type'] === undefined || col['type'] === '') errs.push(fe.required(`${at}.type`, ''));
    else if (!COLUMN_TYPES.includes(col['type'] as string)) errs.push(fe.notSupported(`${at}.type`, col['type'], COLUMN_TYPES));
    if (col['format'] !== undefined && col['format'] !== '' && !COLUMN_FORMATS.includes(col['format'] as string)) errs.push(fe.notSupported(`${at}.format`, col['format'], COLUMN_FORMATS));
    if (col['priority'] !== undefined && (typeof col['priority'] !== 'number' || !Number.isSafeInteger(col['priority']) || col['priority'] < 0)) {
      errs.push(fe.invalid(`${at}.priority`, col['priority'], 'must be a non-negative integer'));
    }
    const jsonPath = col['jsonPath'];
    if (jsonPath === undefined || jsonPath === '') errs.push(fe.required(`${at}.jsonPath`, ''));
    else if (typeof jsonPath !== 'string' || !jsonPath.startsWith('.')) errs.push(fe.invalid(`${at}.jsonPath`, jsonPath, 'must be a simple json path starting with .'));
    else {
      try {
        parseJsonPath(jsonPath);
      } catch (err) {
        errs.push(fe.invalid(`${at}.jsonPath`, jsonPath, `must be a valid JSONPath: ${(err as Error).message}`));
      }
    }
  });
  return errs;
}

function validateSelectableFields(raw: unknown, path: string, root: SchemaNode | undefined): FieldError[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) return [fe.invalid(path, raw, 'must be a list')];
  const errs: FieldError[] = [];
  if (raw.length > 8) errs.push(fe.tooMany(path, raw.length, 8));
  const seen = new Set<string>();
  raw.forEach((f, i) => {
    const at = `${path}[${i}].jsonPath`;
    const jsonPath = rec(f)['jsonPath'];
    const fields = typeof jsonPath === 'string' ? dotPathFields(jsonPath) : undefined;
    if (jsonPath === undefined || jsonPath === '') return void errs.push(fe.required(at, ''));
    if (!fields) return void errs.push(fe.invalid(at, jsonPath, 'must be a simple json path starting with .'));
    if (fields[0] === 'metadata') return void errs.push(fe.invalid(at, jsonPath, 'must not point to fields in metadata'));
    if (seen.has(jsonPath as string)) errs.push(fe.duplicate(at, jsonPath));
    seen.add(jsonPath as string);
    if (!root) return;
    let node: SchemaNode | undefined = root;
    for (const field of fields.slice(0, MAX_SCHEMA_DEPTH)) node = node?.properties?.get(field);
    if (!node) errs.push(fe.invalid(at, jsonPath, 'is an invalid path: does not refer to a field in the schema'));
    else if (!['string', 'integer', 'boolean'].includes(node.type)) errs.push(fe.invalid(at, jsonPath, 'must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed.'));
  });
  return errs;
}
