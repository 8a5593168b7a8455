// ResourceQuota and LimitRange validation: resource names, quantities, scopes and the ordering of
// min/default/max in limit ranges.

import { compareQuantities, formatQuantity, isQualifiedName, type Quantity, quantityToNumber } from '../../machinery/index.ts';
import { fieldErrors, isRec, list, obj, recList, str, type Errs, type Rec } from './fields.ts';
import { isOvercommitAllowed, validateContainerResourceName, validateQuotaResourceName, validateResourceList, validateResourceName } from './resources.ts';

const SCOPES = ['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'PriorityClass', 'CrossNamespacePodAffinity', 'VolumeAttributesClass'];
const POD_COMPUTE = new Set(['cpu', 'memory', 'limits.cpu', 'limits.memory', 'requests.cpu', 'requests.memory']);
const STANDARD_QUOTA = new Set([
  'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.storage', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'pods', 'services', 'replicationcontrollers', 'resourcequotas',
  'secrets', 'configmaps', 'persistentvolumeclaims', 'services.nodeports', 'services.loadbalancers',
]);

function scopeValidFor(scope: string, resource: string): boolean {
  switch (scope) {
    case 'Terminating':
    case 'NotTerminating':
    case 'NotBestEffort':
    case 'PriorityClass':
    case 'CrossNamespacePodAffinity':
      return resource === 'pods' || POD_COMPUTE.has(resource);
    case 'BestEffort':
      return resource === 'pods';
    case 'VolumeAttributesClass':
      return resource === 'persistentvolumeclaims' || resource === 'requests.storage' || resource.endsWith('.storageclass.storage.k8s.io/requests.storage');
    default:
      return true;
  }
}

const CONFLICTING_SCOPES = [
  ['BestEffort', 'NotBestEffort'],
  ['Terminating', 'NotTerminating'],
] as const;

export function validateResourceQuota(rq: Rec): Errs {
  const errs: Errs = [];
  const spec = obj(rq, 'spec');
  const hard = validateResourceList(spec['hard'], 'spec.hard', validateQuotaResourceName, errs);
  const standardHard = [...hard.keys()].filter((k) => STANDARD_QUOTA.has(k) || k.startsWith('requests.hugepages-') || k.startsWith('hugepages-')).sort();
  const scopes = list(spec, 'scopes').map((s) => (typeof s === 'string' ? s : ''));
  const scopeSet = new Set(scopes);
  for (const scope of scopes) {
    if (!SCOPES.includes(scope)) errs.push(fieldErrors.invalid('spec.scopes', scopes, 'unsupported scope'));
    for (const k of standardHard) if (!scopeValidFor(scope, k)) errs.push(fieldErrors.invalid('spec.scopes', scopes, 'unsupported scope applied to resource'));
  }
  for (const [a, b] of CONFLICTING_SCOPES) if (scopeSet.has(a) && scopeSet.has(b)) errs.push(fieldErrors.invalid('spec.scopes', scopes, 'conflicting scopes'));
  const selector = obj(spec, 'scopeSelector');
  const selScopes = new Set<string>();
  recList(selector, 'matchExpressions').forEach((req) => {
    const p = 'spec.scopeSelector.matchExpressions';
    const scope = str(req, 'scopeName');
    if (!SCOPES.includes(scope)) errs.push(fieldErrors.invalid(`${p}.scopeName`, scope, 'unsupported scope'));
    for (const k of standardHard) if (!scopeValidFor(scope, k)) errs.push(fieldErrors.invalid(p, selector, 'unsupported scope applied to resource'));
    const op = req['operator'];
    const values = list(req, 'values');
    if (['BestEffort', 'NotBestEffort', 'Terminating', 'NotTerminating', 'CrossNamespacePodAffinity'].includes(scope) && op !== 'Exists') {
      errs.push(fieldErrors.invalid(`${p}.operator`, op ?? '', 'must be \'Exists\' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity'));
    }
    if (op === 'In' || op === 'NotIn') {
      if (values.length === 0) errs.push(fieldErrors.required(`${p}.values`, "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"));
    } else if (op === 'Exists' || op === 'DoesNotExist') {
      if (values.length > 0) errs.push(fieldErrors.invalid(`${p}.values`, values, "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"));
    } else {
      errs.push(fieldErrors.invalid(`${p}.operator`, op ?? '', 'not a valid selector operator'));
    }
    selScopes.add(scope);
  });
  for (const [a, b] of CONFLICTING_SCOPES) if (selScopes.has(a) && selScopes.has(b)) errs.push(fieldErrors.invalid('spec.scopeSelector.matchExpressions', scopes, 'conflicting scopes'));
  const status = obj(rq, 'status');
  validateResourceList(status['hard'], 'status.hard', validateQuotaResourceName, errs);
  validateResourceList(status['used'], 'status.used', validateQuotaResourceName, errs);
  return errs;
}

export function validateResourceQuotaUpdate(rq: Rec, old: Rec): Errs {
  const scopes = new Set(list(obj(rq, 'spec'), 'scopes'));
  const oldScopes = new Set(list(obj(old, 'spec'), 'scopes'));
  const same = scopes.size === oldScopes.size && [...scopes].every((s) => oldScopes.has(s));
  return same ? [] : [fieldErrors.invalid('spec.scopes', list(obj(rq, 'spec'), 'scopes'), 'field is immutable')];
}

const LIMIT_TYPES = new Set(['Pod', 'Container', 'PersistentVolumeClaim']);

function validateLimitRangeTypeName(type: string, path: string): Errs {
  const errs = isQualifiedName(type).map((m) => fieldErrors.invalid(path, type, m));
  if (errs.length === 0 && !type.includes('/') && !LIMIT_TYPES.has(type)) errs.push(fieldErrors.invalid(path, type, 'must be a standard limit type or fully qualified'));
  return errs;
}

const q = (x: Quantity) => formatQuantity(x);

export function validateLimitRange(lr: Rec): Errs {
  const errs: Errs = [];
  const types = new Set<string>();
  recList(obj(lr, 'spec'), 'limits').forEach((limit, i) => {
    const p = `spec.limits[${i}]`;
    const type = str(limit, 'type');
    errs.push(...validateLimitRangeTypeName(type, `${p}.type`));
    if (types.has(type)) errs.push(fieldErrors.duplicate(`${p}.type`, type));
    types.add(type);
    const nameFn = type === 'Pod' || type === 'Container' ? validateContainerResourceName : validateResourceName;
    const max = validateResourceList(limit['max'], `${p}.max`, nameFn, errs);
    const min = validateResourceList(limit['min'], `${p}.min`, nameFn, errs);
    let defaults = new Map<string, Quantity>();
    let defaultRequests = new Map<string, Quantity>();
    if (type === 'Pod') {
      if (isRec(limit['default']) && Object.keys(limit['default']).length > 0) errs.push(fieldErrors.forbidden(`${p}.default`, "may not be specified when `type` is 'Pod'"));
      if (isRec(limit['defaultRequest']) && Object.keys(limit['defaultRequest']).length > 0) errs.push(fieldErrors.forbidden(`${p}.defaultRequest`, "may not be specified when `type` is 'Pod'"));
    } else {
      defaults = validateResourceList(limit['default'], `${p}.default`, nameFn, errs);
      defaultRequests = validateResourceList(limit['defaultRequest'], `${p}.defaultRequest`, nameFn, errs);
    }
    if (type === 'PersistentVolumeClaim' && !min.has('storage') && !max.has('storage')) {
      errs.push(fieldErrors.required(`${p}.limits`, 'either minimum or maximum storage value is required, but neither was provided'));
    }
    const ratios = validateResourceList(limit['maxLimitRequestRatio'], `${p}.maxLimitRequestRatio`, nameFn, errs);
    const keys = new Set([...max.keys(), ...min.keys(), ...defaults.keys(), ...defaultRequests.keys(), ...ratios.keys()]);
    for (const k of keys) {
      const mn = min.get(k);
      const mx = max.get(k);
      const def = defaults.get(k);
      const req = defaultRequests.get(k);
      const ratio = ratios.get(k);
      if (mn && mx && compareQuantities(mn, mx) > 0) errs.push(fieldErrors.invalid(`${p}.min[${k}]`, q(mn), `min value ${q(mn)} is greater than max value ${q(mx)}`));
      if (req && mn && compareQuantities(mn, req) > 0) errs.push(fieldErrors.invalid(`${p}.defaultRequest[${k}]`, q(req), `min value ${q(mn)} is greater than default request value ${q(req)}`));
      if (req && mx && compareQuantities(req, mx) > 0) errs.push(fieldErrors.invalid(`${p}.defaultRequest[${k}]`, q(req), `default request value ${q(req)} is greater than max value ${q(mx)}`));
      if (req && def && compareQuantities(req, def) > 0) errs.push(fieldErrors.invalid(`${p}.defaultRequest[${k}]`, q(req), `default request value ${q(req)} is greater than default limit value ${q(def)}`));
      if (def && mn && compareQuantities(mn, def) > 0) errs.push(fieldErrors.invalid(`${p}.default[${k}]`, q(mn), `min value ${q(mn)} is greater than default value ${q(def)}`));
      if (def && mx && compareQuantities(def, mx) > 0) errs.push(fieldErrors.invalid(`${p}.default[${k}]`, q(mx), `default value ${q(def)} is greater than max value ${q(mx)}`));
      if (ratio && compareQuantities(ratio, '1') < 0) errs.push(fieldErrors.invalid(`${p}.maxLimitRequestRatio[${k}]`, q(ratio), `ratio ${q(ratio)} is less than 1`));
      if (ratio && mn && mx && quantityToNumber(mn) > 0) {
        const limit = quantityToNumber(mx) / quantityToNumber(mn);
        if (quantityToNumber(ratio) > limit) errs.push(fieldErrors.invalid(`${p}.maxLimitRequestRatio[${k}]`, q(ratio), `ratio ${q(ratio)} is greater than max/min = ${limit.toFixed(6)}`));
      }
      if (!isOvercommitAllowed(k) && def && req && compareQuantities(def, req) !== 0) {
        errs.push(fieldErrors.invalid(`${p}.defaultRequest[${k}]`, q(req), `default value ${q(def)} must equal to defaultRequest value ${q(req)} in ${k}`));
      }
    }
  });
  return errs;
}
