// Validation of ObjectMeta (names, labels, annotations, owner references, finalizers) and of
// structured label selectors, built on the syntax checks in validation.ts.

import { fieldErrors, type FieldError } from './status-error.ts';
import {
  byteLength,
  IS_NEGATIVE_ERROR_MSG,
  isDNS1123Subdomain,
  validateNamespaceName,
  isQualifiedName,
  isValidLabelValue,
  maxLenError,
  type NameValidator,
} from './validation.ts';

// ---- metadata ------------------------------------------------------------------------------------

type Rec = Record<string, unknown>;

function isRec(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

export function validateLabelName(key: string, path: string): FieldError[] {
  return isQualifiedName(key).map((m) => fieldErrors.invalid(path, key, m));
}

/** Label keys and values; errors are reported against the map, as upstream does. */
export function validateLabels(labels: unknown, path: string): FieldError[] {
  if (labels === undefined || labels === null) return [];
  if (!isRec(labels)) return [fieldErrors.typeInvalid(path, labels, 'must be a map of string keys to string values')];
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels)) {
    errs.push(...validateLabelName(k, path));
    if (typeof v !== 'string') {
      errs.push(fieldErrors.typeInvalid(path, v, 'label values must be strings'));
      continue;
    }
    errs.push(...isValidLabelValue(v).map((m) => fieldErrors.invalid(path, v, m)));
  }
  return errs;
}

export function validateAnnotations(annotations: unknown, path: string): FieldError[] {
  if (annotations === undefined || annotations === null) return [];
  if (!isRec(annotations)) return [fieldErrors.typeInvalid(path, annotations, 'must be a map of string keys to string values')];
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations)) {
    // Annotation keys are qualified names, except that case does not matter.
    errs.push(...isQualifiedName(k.toLowerCase()).map((m) => fieldErrors.invalid(path, k, m)));
    if (typeof v !== 'string') {
      errs.push(fieldErrors.typeInvalid(path, v, 'annotation values must be strings'));
      continue;
    }
    total += byteLength(k) + byteLength(v);
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(fieldErrors.tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

export function validateOwnerReferences(refs: unknown, path: string): FieldError[] {
  if (refs === undefined || refs === null) return [];
  if (!Array.isArray(refs)) return [fieldErrors.typeInvalid(path, refs, 'must be a list of owner references')];
  const errs: FieldError[] = [];
  let firstController = '';
  for (const raw of refs) {
    const ref: Rec = isRec(raw) ? raw : {};
    const apiVersion = typeof ref['apiVersion'] === 'string' ? ref['apiVersion'] : '';
    const kind = typeof ref['kind'] === 'string' ? ref['kind'] : '';
    const name = typeof ref['name'] === 'string' ? ref['name'] : '';
    const uid = typeof ref['uid'] === 'string' ? ref['uid'] : '';
    const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
    // Upstream reports these against the list path, without an index.
    if (version.length === 0) errs.push(fieldErrors.invalid(`${path}.apiVersion`, apiVersion, 'version must not be empty'));
    if (kind.length === 0) errs.push(fieldErrors.invalid(`${path}.kind`, kind, 'must not be empty'));
    if (name.length === 0) errs.push(fieldErrors.invalid(`${path}.name`, name, 'must not be empty'));
    if (uid.length === 0) errs.push(fieldErrors.invalid(`${path}.uid`, uid, 'must not be empty'));
    if (apiVersion === 'v1' && kind === 'Event') errs.push(fieldErrors.invalid(path, ref, '/v1, Kind=Event is disallowed from being an owner'));
    if (ref['controller'] === true) {
      const current = `${kind}/${name}`;
      if (firstController) {
        errs.push(fieldErrors.invalid(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`));
      } else {
        firstController = current;
      }
    }
  }
  return errs;
}

export function validateFinalizers(finalizers: unknown, path: string): FieldError[] {
  if (finalizers === undefined || finalizers === null) return [];
  if (!Array.isArray(finalizers)) return [fieldErrors.typeInvalid(path, finalizers, 'must be a list of strings')];
  const errs: FieldError[] = [];
  for (const f of finalizers) {
    if (typeof f !== 'string') {
      errs.push(fieldErrors.typeInvalid(path, f, 'finalizers must be strings'));
      continue;
    }
    errs.push(...isQualifiedName(f).map((m) => fieldErrors.invalid(path, f, m)));
  }
  if (finalizers.includes('orphan') && finalizers.includes('foregroundDeletion')) {
    errs.push(fieldErrors.invalid(path, finalizers, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return errs;
}

export interface ObjectMetaValidationOptions {
  /** Whether the kind lives in a namespace (then metadata.namespace is required). */
  namespaced: boolean;
  nameValidator: NameValidator;
}

/**
 * Validates metadata on create. A missing name is accepted when generateName is set, because the
 * registry generates the name from it.
 */
export function validateObjectMeta(meta: unknown, opts: ObjectMetaValidationOptions, path = 'metadata'): FieldError[] {
  if (!isRec(meta)) return [fieldErrors.required(path, '')];
  const errs: FieldError[] = [];
  const name = meta['name'];
  const generateName = meta['generateName'];
  if (typeof generateName === 'string' && generateName.length > 0) {
    errs.push(...opts.nameValidator(generateName, true).map((m) => fieldErrors.invalid(`${path}.generateName`, generateName, m)));
  }
  if (typeof name !== 'string' || name.length === 0) {
    if (typeof generateName !== 'string' || generateName.length === 0) {
      errs.push(fieldErrors.required(`${path}.name`, 'name or generateName is required'));
    }
  } else {
    errs.push(...opts.nameValidator(name, false).map((m) => fieldErrors.invalid(`${path}.name`, name, m)));
  }
  const namespace = meta['namespace'];
  const hasNamespace = typeof namespace === 'string' && namespace.length > 0;
  if (opts.namespaced) {
    if (!hasNamespace) errs.push(fieldErrors.required(`${path}.namespace`, ''));
    else errs.push(...validateNamespaceName(namespace, false).map((m) => fieldErrors.invalid(`${path}.namespace`, namespace, m)));
  } else if (hasNamespace) {
    errs.push(fieldErrors.forbidden(`${path}.namespace`, 'not allowed on this type'));
  }
  const generation = meta['generation'];
  if (typeof generation === 'number' && generation < 0) errs.push(fieldErrors.invalid(`${path}.generation`, generation, IS_NEGATIVE_ERROR_MSG));
  errs.push(...validateLabels(meta['labels'], `${path}.labels`));
  errs.push(...validateAnnotations(meta['annotations'], `${path}.annotations`));
  errs.push(...validateOwnerReferences(meta['ownerReferences'], `${path}.ownerReferences`));
  errs.push(...validateFinalizers(meta['finalizers'], `${path}.finalizers`));
  return errs;
}

/**
 * Validates metadata on update: the create rules that still apply, plus no new finalizers once the
 * object is being deleted. Name, namespace, uid and timestamps are kept by the registry.
 */
export function validateObjectMetaUpdate(meta: unknown, oldMeta: unknown, path = 'metadata'): FieldError[] {
  const errs: FieldError[] = [];
  const m: Rec = isRec(meta) ? meta : {};
  const old: Rec = isRec(oldMeta) ? oldMeta : {};
  if (typeof old['deletionTimestamp'] === 'string' && old['deletionTimestamp'] !== '') {
    const before = new Set(Array.isArray(old['finalizers']) ? old['finalizers'] : []);
    const added = (Array.isArray(m['finalizers']) ? m['finalizers'] : []).filter((f) => !before.has(f));
    if (added.length > 0) {
      errs.push(fieldErrors.forbidden(`${path}.finalizers`, `no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify([...new Set(added)].sort())}`));
    }
  }
  const generation = m['generation'];
  const oldGeneration = old['generation'];
  if (typeof generation === 'number' && typeof oldGeneration === 'number' && generation < oldGeneration) {
    errs.push(fieldErrors.invalid(`${path}.generation`, generation, 'must not be decremented'));
  }
  errs.push(...validateLabels(m['labels'], `${path}.labels`));
  errs.push(...validateAnnotations(m['annotations'], `${path}.annotations`));
  errs.push(...validateOwnerReferences(m['ownerReferences'], `${path}.ownerReferences`));
  errs.push(...validateFinalizers(m['finalizers'], `${path}.finalizers`));
  return errs;
}

// ---- label selectors -----------------------------------------------------------------------------

export const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

/** A metav1.LabelSelector: matchLabels plus matchExpressions with In/NotIn/Exists/DoesNotExist. */
export function validateLabelSelector(selector: unknown, path: string): FieldError[] {
  if (selector === undefined || selector === null) return [];
  if (!isRec(selector)) return [fieldErrors.typeInvalid(path, selector, 'must be a label selector')];
  const errs = validateLabels(selector['matchLabels'], `${path}.matchLabels`);
  const exprs = selector['matchExpressions'];
  if (exprs === undefined || exprs === null) return errs;
  if (!Array.isArray(exprs)) return [...errs, fieldErrors.typeInvalid(`${path}.matchExpressions`, exprs, 'must be a list')];
  exprs.forEach((raw, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    const expr: Rec = isRec(raw) ? raw : {};
    const operator = expr['operator'];
    const values = Array.isArray(expr['values']) ? expr['values'] : [];
    if (operator === 'In' || operator === 'NotIn') {
      if (values.length === 0) errs.push(fieldErrors.required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (operator === 'Exists' || operator === 'DoesNotExist') {
      if (values.length > 0) errs.push(fieldErrors.forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else {
      errs.push(fieldErrors.invalid(`${p}.operator`, operator ?? '', 'not a valid selector operator'));
    }
    const key = typeof expr['key'] === 'string' ? expr['key'] : '';
    errs.push(...validateLabelName(key, `${p}.key`));
    values.forEach((v, j) => {
      const s = typeof v === 'string' ? v : String(v);
      errs.push(...isValidLabelValue(s).map((m) => fieldErrors.invalid(`${p}.values[${j}]`, v, m)));
    });
  });
  return errs;
}

/** Whether a label selector (in its structured form) selects a label set. Invalid selectors match nothing. */
export function labelSelectorMatches(selector: unknown, labels: Readonly<Record<string, unknown>> | undefined): boolean {
  if (!isRec(selector)) return false;
  const set = labels ?? {};
  const matchLabels = isRec(selector['matchLabels']) ? selector['matchLabels'] : {};
  for (const [k, v] of Object.entries(matchLabels)) {
    if (set[k] !== v) return false;
  }
  const exprs = Array.isArray(selector['matchExpressions']) ? selector['matchExpressions'] : [];
  for (const raw of exprs) {
    if (!isRec(raw)) return false;
    const key = String(raw['key'] ?? '');
    const values = Array.isArray(raw['values']) ? raw['values'] : [];
    const has = Object.hasOwn(set, key);
    switch (raw['operator']) {
      case 'In':
        if (!has || !values.includes(set[key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(set[key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** True when a structured selector has neither matchLabels nor matchExpressions. */
export function isEmptyLabelSelector(selector: unknown): boolean {
  if (!isRec(selector)) return true;
  const ml = isRec(selector['matchLabels']) ? Object.keys(selector['matchLabels']).length : 0;
  const me = Array.isArray(selector['matchExpressions']) ? selector['matchExpressions'].length : 0;
  return ml + me === 0;
}
