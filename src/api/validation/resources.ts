// Resource names and quantities: container requests/limits, quota and limit-range lists, storage
// sizes. Mirrors upstream's standard/native/extended resource name rules.

import {
  compareQuantities,
  formatQuantity,
  IS_NEGATIVE_ERROR_MSG,
  isQualifiedName,
  type Quantity,
  quantityToMilli,
  tryParseQuantity,
} from '../../machinery/index.ts';
import { fieldErrors, isRec, key, type Errs } from './fields.ts';

const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
const STANDARD_RESOURCES = new Set([
  'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage', 'limits.cpu',
  'limits.memory', 'limits.ephemeral-storage', 'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets',
  'persistentvolumeclaims', 'configmaps', 'requests.storage', 'storage', 'services.nodeports', 'services.loadbalancers',
]);
const STANDARD_QUOTA_RESOURCES = new Set([
  'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.storage', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'pods', 'services', 'replicationcontrollers', 'resourcequotas',
  'secrets', 'configmaps', 'persistentvolumeclaims', 'services.nodeports', 'services.loadbalancers',
]);
const INTEGER_RESOURCES = new Set([
  'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims',
  'services.nodeports', 'services.loadbalancers',
]);

export const QUANTITY_FORMAT_MSG = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

export function isHugePageResourceName(name: string): boolean {
  return name.startsWith('hugepages-');
}

function isQuotaHugePageResourceName(name: string): boolean {
  return name.startsWith('hugepages-') || name.startsWith('requests.hugepages-');
}

/** Unprefixed names and kubernetes.io/ names belong to Kubernetes itself. */
export function isNativeResource(name: string): boolean {
  return !name.includes('/') || name.includes('kubernetes.io/');
}

export function isExtendedResourceName(name: string): boolean {
  if (isNativeResource(name) || name.startsWith('requests.')) return false;
  return isQualifiedName(`requests.${name}`).length === 0;
}

/** Hugepages and extended resources cannot be overcommitted: requests must equal limits. */
export function isOvercommitAllowed(name: string): boolean {
  return isNativeResource(name) && !isHugePageResourceName(name);
}

export function isIntegerResourceName(name: string): boolean {
  return INTEGER_RESOURCES.has(name) || isExtendedResourceName(name);
}

/** Parses a quantity field, reporting malformed values the way a decode failure reads. */
export function parseQuantityField(value: unknown, path: string, errs: Errs): Quantity | undefined {
  const q = tryParseQuantity(value);
  if (!q) errs.push(fieldErrors.invalid(path, value ?? null, QUANTITY_FORMAT_MSG));
  return q;
}

/** A quantity for a named resource: well-formed, not negative, whole for countable resources. */
export function validateResourceQuantityValue(resource: string, value: unknown, path: string): Errs {
  const errs: Errs = [];
  const q = parseQuantityField(value, path, errs);
  if (!q) return errs;
  if (q.nano < 0n) errs.push(fieldErrors.invalid(path, formatQuantity(q), IS_NEGATIVE_ERROR_MSG));
  if (isIntegerResourceName(resource) && quantityToMilli(q) % 1000n !== 0n) errs.push(fieldErrors.invalid(path, value, 'must be an integer'));
  return errs;
}

/** A positive quantity (sizes such as PVC storage). */
export function validatePositiveQuantity(value: unknown, path: string): Errs {
  const errs: Errs = [];
  const q = parseQuantityField(value, path, errs);
  if (q && q.nano <= 0n) errs.push(fieldErrors.invalid(path, formatQuantity(q), 'must be greater than zero'));
  return errs;
}

export function validateResourceName(name: string, path: string): Errs {
  const errs = isQualifiedName(name).map((m) => fieldErrors.invalid(path, name, m));
  if (errs.length > 0) return errs;
  if (!name.includes('/') && !STANDARD_RESOURCES.has(name) && !isQuotaHugePageResourceName(name)) {
    errs.push(fieldErrors.invalid(path, name, 'must be a standard resource type or fully qualified'));
  }
  return errs;
}

export function validateContainerResourceName(name: string, path: string): Errs {
  const errs = validateResourceName(name, path);
  if (!name.includes('/')) {
    if (!STANDARD_CONTAINER_RESOURCES.has(name) && !isHugePageResourceName(name)) {
      return [...errs, fieldErrors.invalid(path, name, 'must be a standard resource for containers')];
    }
  } else if (!isNativeResource(name) && !isExtendedResourceName(name)) {
    return [...errs, fieldErrors.invalid(path, name, "doesn't follow extended resource name standard")];
  }
  return errs;
}

export function validateQuotaResourceName(name: string, path: string): Errs {
  const errs = validateResourceName(name, path);
  if (!name.includes('/') && !STANDARD_QUOTA_RESOURCES.has(name) && !isQuotaHugePageResourceName(name)) {
    errs.push(fieldErrors.invalid(path, name, 'must be a standard resource for quota'));
  }
  return errs;
}

/** A ResourceList whose names are checked by nameFn; returns the parsed quantities by name. */
export function validateResourceList(
  list: unknown,
  path: string,
  nameFn: (name: string, path: string) => Errs,
  errs: Errs,
): Map<string, Quantity> {
  const parsed = new Map<string, Quantity>();
  if (!isRec(list)) return parsed;
  for (const [name, value] of Object.entries(list)) {
    const p = key(path, name);
    errs.push(...nameFn(name, p));
    const before = errs.length;
    errs.push(...validateResourceQuantityValue(name, value, p));
    const q = tryParseQuantity(value);
    if (q && errs.length === before) parsed.set(name, q);
  }
  return parsed;
}

/** Container (or pod-level) resources: names, quantities, requests not above limits. */
export function validateResourceRequirements(resources: unknown, path: string): Errs {
  const errs: Errs = [];
  if (resources === undefined || resources === null) return errs;
  if (!isRec(resources)) return [fieldErrors.typeInvalid(path, resources, 'must be an object')];
  const limPath = `${path}.limits`;
  const reqPath = `${path}.requests`;
  const limits = validateResourceList(resources['limits'], limPath, validateContainerResourceName, errs);
  const requests = validateResourceList(resources['requests'], reqPath, validateContainerResourceName, errs);
  let cpuOrMemory = false;
  let hugePages = false;
  for (const name of [...limits.keys(), ...requests.keys()]) {
    if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
    if (isHugePageResourceName(name)) hugePages = true;
  }
  for (const [name, request] of requests) {
    const limit = limits.get(name);
    if (limit) {
      const cmp = compareQuantities(request, limit);
      if (cmp !== 0 && !isOvercommitAllowed(name)) {
        errs.push(fieldErrors.invalid(reqPath, formatQuantity(request), `must be equal to ${name} limit of ${formatQuantity(limit)}`));
      } else if (cmp > 0) {
        errs.push(fieldErrors.invalid(reqPath, formatQuantity(request), `must be less than or equal to ${name} limit of ${formatQuantity(limit)}`));
      }
    } else if (!isOvercommitAllowed(name)) {
      errs.push(fieldErrors.required(limPath, 'Limit must be set for non overcommitable resources'));
    }
  }
  if (hugePages && !cpuOrMemory) errs.push(fieldErrors.forbidden(path, 'HugePages require cpu or memory'));
  return errs;
}
