// Scheduling constraints: node selector terms (also used by PersistentVolume node affinity), pod
// affinity and anti-affinity, tolerations, taints and topology spread constraints.

import { isValidLabelValue, validateLabelName, validateLabelSelector, validateNamespaceName } from '../../machinery/index.ts';
import { fieldErrors, index, isRec, list, num, rec, recList, str, type Errs, type Rec } from './fields.ts';

function validateNodeSelectorRequirement(req: Rec, path: string): Errs {
  const errs: Errs = [];
  const values = list(req, 'values');
  switch (req['operator']) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(fieldErrors.required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errs.push(fieldErrors.forbidden(`${path}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1) errs.push(fieldErrors.required(`${path}.values`, "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      errs.push(fieldErrors.invalid(`${path}.operator`, req['operator'] ?? '', 'not a valid selector operator'));
  }
  errs.push(...validateLabelName(str(req, 'key'), `${path}.key`));
  values.forEach((v, i) => {
    const s = typeof v === 'string' ? v : String(v);
    errs.push(...isValidLabelValue(s).map((m) => fieldErrors.invalid(`${path}.values[${i}]`, v, m)));
  });
  return errs;
}

export function validateNodeSelectorTerm(term: Rec, path: string): Errs {
  const errs: Errs = [];
  recList(term, 'matchExpressions').forEach((req, i) => errs.push(...validateNodeSelectorRequirement(req, `${path}.matchExpressions[${i}]`)));
  recList(term, 'matchFields').forEach((req, i) => {
    const p = `${path}.matchFields[${i}]`;
    const op = req['operator'];
    if (op === 'In' || op === 'NotIn') {
      if (list(req, 'values').length !== 1) errs.push(fieldErrors.required(`${p}.values`, "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
    } else {
      errs.push(fieldErrors.invalid(`${p}.operator`, op ?? '', 'not a valid selector operator'));
    }
    if (str(req, 'key') !== 'metadata.name') errs.push(fieldErrors.invalid(`${p}.key`, str(req, 'key'), 'not a valid field selector key'));
  });
  return errs;
}

export function validateNodeSelector(selector: Rec, path: string): Errs {
  const terms = recList(selector, 'nodeSelectorTerms');
  if (terms.length === 0) return [fieldErrors.required(`${path}.nodeSelectorTerms`, 'must have at least one node selector term')];
  return terms.flatMap((t, i) => validateNodeSelectorTerm(t, `${path}.nodeSelectorTerms[${i}]`));
}

function validateWeight(weight: unknown, path: string): Errs {
  return typeof weight !== 'number' || weight <= 0 || weight > 100 ? [fieldErrors.invalid(path, weight ?? 0, 'must be in the range 1-100')] : [];
}

function validatePodAffinityTerm(term: Rec, path: string): Errs {
  const errs = [...validateLabelSelector(term['labelSelector'], `${path}.labelSelector`), ...validateLabelSelector(term['namespaceSelector'], `${path}.namespaceSelector`)];
  for (const ns of list(term, 'namespaces')) {
    const s = typeof ns === 'string' ? ns : '';
    errs.push(...validateNamespaceName(s, false).map((m) => fieldErrors.invalid(`${path}.namespace`, s, m)));
  }
  const topologyKey = str(term, 'topologyKey');
  if (!topologyKey) errs.push(fieldErrors.required(`${path}.topologyKey`, 'can not be empty'));
  errs.push(...validateLabelName(topologyKey, `${path}.topologyKey`));
  return errs;
}

function validatePodAffinity(affinity: Rec, path: string): Errs {
  const errs: Errs = [];
  recList(affinity, 'requiredDuringSchedulingIgnoredDuringExecution').forEach((t, i) =>
    errs.push(...validatePodAffinityTerm(t, `${path}.requiredDuringSchedulingIgnoredDuringExecution[${i}]`)),
  );
  recList(affinity, 'preferredDuringSchedulingIgnoredDuringExecution').forEach((w, i) => {
    const p = `${path}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
    errs.push(...validateWeight(w['weight'], `${p}.weight`));
    errs.push(...validatePodAffinityTerm(rec(w, 'podAffinityTerm') ?? {}, `${p}.podAffinityTerm`));
  });
  return errs;
}

export function validateAffinity(affinity: unknown, path: string): Errs {
  if (!isRec(affinity)) return [];
  const a = affinity;
  const errs: Errs = [];
  const node = rec(a, 'nodeAffinity');
  if (node) {
    const required = rec(node, 'requiredDuringSchedulingIgnoredDuringExecution');
    if (required) errs.push(...validateNodeSelector(required, `${path}.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution`));
    recList(node, 'preferredDuringSchedulingIgnoredDuringExecution').forEach((t, i) => {
      const p = `${path}.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
      errs.push(...validateWeight(t['weight'], `${p}.weight`));
      errs.push(...validateNodeSelectorTerm(rec(t, 'preference') ?? {}, `${p}.preference`));
    });
  }
  const podAffinity = rec(a, 'podAffinity');
  if (podAffinity) errs.push(...validatePodAffinity(podAffinity, `${path}.podAffinity`));
  const podAntiAffinity = rec(a, 'podAntiAffinity');
  if (podAntiAffinity) errs.push(...validatePodAffinity(podAntiAffinity, `${path}.podAntiAffinity`));
  return errs;
}

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

export function validateTolerations(tolerations: Rec[], path: string): Errs {
  const errs: Errs = [];
  tolerations.forEach((t, i) => {
    const p = index(path, i);
    const k = str(t, 'key');
    const operator = t['operator'] ?? '';
    const value = str(t, 'value');
    const effect = str(t, 'effect');
    if (k) errs.push(...validateLabelName(k, `${p}.key`));
    if (!k && operator !== 'Exists') {
      errs.push(fieldErrors.invalid(`${p}.operator`, operator, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t['tolerationSeconds'] !== undefined && t['tolerationSeconds'] !== null && effect !== 'NoExecute') {
      errs.push(fieldErrors.invalid(`${p}.effect`, effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (operator === 'Equal' || operator === '') {
      const msgs = isValidLabelValue(value);
      if (msgs.length > 0) errs.push(fieldErrors.invalid(`${p}.operator`, value, msgs.join(';')));
    } else if (operator === 'Exists') {
      if (value) errs.push(fieldErrors.invalid(`${p}.operator`, value, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(fieldErrors.notSupported(`${p}.operator`, operator, ['Equal', 'Exists']));
    }
    if (effect && !(TAINT_EFFECTS as readonly string[]).includes(effect)) errs.push(fieldErrors.notSupported(`${p}.effect`, effect, TAINT_EFFECTS));
  });
  return errs;
}

/** Node taints: valid key and value, a known effect, unique by key and effect. */
export function validateTaints(taints: Rec[], path: string): Errs {
  const errs: Errs = [];
  const seen = new Set<string>();
  taints.forEach((t, i) => {
    const p = index(path, i);
    const k = str(t, 'key');
    errs.push(...validateLabelName(k, `${p}.key`));
    const value = str(t, 'value');
    const msgs = isValidLabelValue(value);
    if (msgs.length > 0) errs.push(fieldErrors.invalid(`${p}.value`, value, msgs.join(';')));
    const effect = str(t, 'effect');
    if (!effect) errs.push(fieldErrors.required(`${p}.effect`, ''));
    else if (!(TAINT_EFFECTS as readonly string[]).includes(effect)) errs.push(fieldErrors.notSupported(`${p}.effect`, effect, TAINT_EFFECTS));
    const id = `${effect}\u0000${k}`;
    if (seen.has(id)) {
      errs.push({ type: 'FieldValueDuplicate', field: p, message: `Duplicate value: ${JSON.stringify(t)}: taints must be unique by key and effect pair` });
    }
    seen.add(id);
  });
  return errs;
}

export function validateTopologySpreadConstraints(constraints: Rec[], path: string): Errs {
  const errs: Errs = [];
  constraints.forEach((c, i) => {
    const p = index(path, i);
    const maxSkew = num(c, 'maxSkew') ?? 0;
    if (maxSkew <= 0) errs.push(fieldErrors.invalid(`${p}.maxSkew`, maxSkew, 'must be greater than zero'));
    if (!str(c, 'topologyKey')) errs.push(fieldErrors.required(`${p}.topologyKey`, 'can not be empty'));
    const when = c['whenUnsatisfiable'];
    if (when !== 'DoNotSchedule' && when !== 'ScheduleAnyway') errs.push(fieldErrors.notSupported(`${p}.whenUnsatisfiable`, when ?? '', ['DoNotSchedule', 'ScheduleAnyway']));
    const repeat = constraints.slice(i + 1).some((o) => str(o, 'topologyKey') === str(c, 'topologyKey') && o['whenUnsatisfiable'] === when);
    if (repeat) errs.push(fieldErrors.duplicate(`${p}.{topologyKey, whenUnsatisfiable}`, `{${str(c, 'topologyKey')}, ${String(when ?? '')}}`));
    const minDomains = c['minDomains'];
    if (typeof minDomains === 'number') {
      if (minDomains <= 0) errs.push(fieldErrors.invalid(`${p}.minDomains`, minDomains, 'must be greater than zero'));
      if (when !== 'DoNotSchedule') errs.push(fieldErrors.invalid(`${p}.minDomains`, minDomains, `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${String(when ?? '')}`));
    }
    for (const k of ['nodeAffinityPolicy', 'nodeTaintsPolicy']) {
      const v = c[k];
      if (v !== undefined && v !== null && v !== 'Honor' && v !== 'Ignore') errs.push(fieldErrors.notSupported(`${p}.${k}`, v, ['Honor', 'Ignore']));
    }
    errs.push(...validateLabelSelector(c['labelSelector'], `${p}.labelSelector`));
  });
  return errs;
}
