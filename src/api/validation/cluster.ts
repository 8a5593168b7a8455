// Namespace, Node, PriorityClass, Lease and Event validation.

import { isIPv6, isQualifiedName, isValidCIDR } from '../../machinery/index.ts';
import { validateTaints } from './affinity.ts';
import { deepEqual, fieldErrors, has, immutable, list, num, obj, recList, str, type Errs, type Rec } from './fields.ts';
import { validateResourceQuantityValue } from './resources.ts';

const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

export function validateNamespace(ns: Rec): Errs {
  const errs: Errs = [];
  for (const f of list(obj(ns, 'spec'), 'finalizers')) {
    const name = typeof f === 'string' ? f : '';
    errs.push(...isQualifiedName(name).map((m) => fieldErrors.invalid('spec.finalizers', name, m)));
    if (!name.includes('/') && !STANDARD_FINALIZERS.has(name)) {
      errs.push(fieldErrors.invalid('spec.finalizers', name, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  }
  return errs;
}

function validateNodeResources(node: Rec): Errs {
  const errs: Errs = [];
  const status = obj(node, 'status');
  for (const list of ['capacity', 'allocatable']) {
    for (const [k, v] of Object.entries(obj(status, list))) errs.push(...validateResourceQuantityValue(k, v, `status.${list}.${k}`));
  }
  return errs;
}

export function validateNode(node: Rec): Errs {
  const spec = obj(node, 'spec');
  const errs = validateTaints(recList(spec, 'taints'), 'spec.taints');
  errs.push(...validateNodeResources(node));
  const cidrs = list(spec, 'podCIDRs').map((c) => (typeof c === 'string' ? c : ''));
  cidrs.forEach((c, i) => errs.push(...isValidCIDR(c).map((m) => fieldErrors.invalid(`spec.podCIDRs[${i}]`, c, m))));
  if (cidrs.length > 1) {
    const families = cidrs.map((c) => isIPv6(c.split('/')[0] ?? ''));
    if (cidrs.length > 2 || families[0] === families[1]) errs.push(fieldErrors.invalid('spec.podCIDRs', cidrs, 'may specify no more than one CIDR for each IP family'));
    const seen = new Set<string>();
    cidrs.forEach((c, i) => {
      if (seen.has(c)) errs.push(fieldErrors.duplicate(`spec.podCIDRs[${i}]`, c));
      seen.add(c);
    });
  }
  return errs;
}

export function validateNodeUpdate(node: Rec, old: Rec): Errs {
  const errs: Errs = [];
  const spec = obj(node, 'spec');
  const oldSpec = obj(old, 'spec');
  const oldCIDRs = list(oldSpec, 'podCIDRs');
  if (oldCIDRs.length > 0 && !deepEqual(list(spec, 'podCIDRs'), oldCIDRs)) {
    errs.push(fieldErrors.forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  }
  const oldProvider = str(oldSpec, 'providerID');
  if (oldProvider && oldProvider !== str(spec, 'providerID')) {
    errs.push(fieldErrors.forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  const seen = new Set<string>();
  recList(obj(node, 'status'), 'addresses').forEach((a, i) => {
    const k = `${str(a, 'type')}/${str(a, 'address')}`;
    if (seen.has(k)) errs.push(fieldErrors.duplicate(`status.addresses[${i}]`, a));
    seen.add(k);
  });
  return errs;
}

const HIGHEST_USER_PRIORITY = 1_000_000_000;
const SYSTEM_PRIORITY_CLASSES: Readonly<Record<string, number>> = {
  'system-node-critical': 2_000_001_000,
  'system-cluster-critical': 2_000_000_000,
};

export function validatePriorityClass(pc: Rec): Errs {
  const errs: Errs = [];
  const name = str(obj(pc, 'metadata'), 'name');
  const value = num(pc, 'value') ?? 0;
  if (name.startsWith('system-')) {
    const expected = SYSTEM_PRIORITY_CLASSES[name];
    const why = expected === undefined ? `${name} is not a known system priority class` : value !== expected ? `value of ${name} PriorityClass must be ${expected}` : '';
    if (why) {
      errs.push(fieldErrors.forbidden('metadata.name', `priority class names with 'system-' prefix are reserved for system use only. error: ${why}`));
    }
  } else if (value > HIGHEST_USER_PRIORITY) {
    errs.push(fieldErrors.forbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_PRIORITY}`));
  }
  const policy = pc['preemptionPolicy'];
  if (policy !== undefined && policy !== null && policy !== 'PreemptLowerPriority' && policy !== 'Never') {
    errs.push(fieldErrors.notSupported('preemptionPolicy', policy, ['PreemptLowerPriority', 'Never']));
  }
  return errs;
}

export function validatePriorityClassUpdate(pc: Rec, old: Rec): Errs {
  const errs: Errs = [];
  if (pc['value'] !== old['value']) errs.push(fieldErrors.forbidden('value', 'may not be changed in an update.'));
  errs.push(...immutable(pc['preemptionPolicy'], old['preemptionPolicy'], 'preemptionPolicy'));
  return errs;
}

export function validateLease(lease: Rec): Errs {
  const spec = obj(lease, 'spec');
  const errs: Errs = [];
  const duration = spec['leaseDurationSeconds'];
  if (typeof duration === 'number' && duration <= 0) errs.push(fieldErrors.invalid('spec.leaseDurationSeconds', duration, 'must be greater than 0'));
  const transitions = spec['leaseTransitions'];
  if (typeof transitions === 'number' && transitions < 0) errs.push(fieldErrors.invalid('spec.leaseTransitions', transitions, 'must be greater than or equal to 0'));
  const strategy = spec['strategy'];
  if (strategy !== undefined && strategy !== null && strategy !== 'OldestEmulationVersion') {
    errs.push(fieldErrors.notSupported('spec.strategy', strategy, ['OldestEmulationVersion']));
  }
  if (str(spec, 'preferredHolder') && !str(spec, 'strategy')) errs.push(fieldErrors.forbidden('spec.preferredHolder', 'may only be specified if `strategy` is defined'));
  return errs;
}

/**
 * core/v1 Events (upstream legacyValidateEvent): old-style events (no eventTime) must name the
 * involved object's namespace; new-style ones must say who reported what.
 */
export function validateCoreEvent(ev: Rec): Errs {
  const errs: Errs = [];
  const namespace = str(obj(ev, 'metadata'), 'namespace');
  const involvedNs = str(obj(ev, 'involvedObject'), 'namespace');
  const mismatch = () => fieldErrors.invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace');
  if (!has(ev, 'eventTime')) {
    if (involvedNs ? namespace !== involvedNs : namespace !== '' && namespace !== 'default') errs.push(mismatch());
    return errs;
  }
  if (!involvedNs && namespace !== 'default' && namespace !== 'kube-system') errs.push(mismatch());
  const controller = str(ev, 'reportingComponent');
  if (!controller) errs.push(fieldErrors.required('reportingComponent', ''));
  errs.push(...isQualifiedName(controller).map((m) => fieldErrors.invalid('reportingComponent', controller, m)));
  const limits: [string, number][] = [['reportingInstance', 128], ['action', 128], ['reason', 128]];
  for (const [k, max] of limits) {
    const v = str(ev, k);
    if (!v) errs.push(fieldErrors.required(k, ''));
    if (v.length > max) errs.push(fieldErrors.invalid(k, '', `can have at most ${max} characters`));
  }
  if (str(ev, 'message').length > 1024) errs.push(fieldErrors.invalid('message', '', 'can have at most 1024 characters'));
  return errs;
}

/** events.k8s.io/v1 Events carry the newer, stricter fields. */
export function validateEventsV1Event(ev: Rec): Errs {
  const errs: Errs = [];
  if (!has(ev, 'eventTime')) errs.push(fieldErrors.required('eventTime', ''));
  const type = ev['type'];
  if (type !== 'Normal' && type !== 'Warning') errs.push(fieldErrors.invalid('type', '', `has invalid value: ${String(type ?? '')}`));
  const controller = str(ev, 'reportingController');
  if (!controller) errs.push(fieldErrors.required('reportingController', ''));
  else errs.push(...isQualifiedName(controller).map((m) => fieldErrors.invalid('reportingController', controller, m)));
  for (const k of ['reportingInstance', 'action', 'reason']) {
    const v = str(ev, k);
    if (!v) errs.push(fieldErrors.required(k, ''));
    if (v.length > 128) errs.push(fieldErrors.invalid(k, '', 'can have at most 128 characters'));
  }
  if (str(ev, 'note').length > 1024) errs.push(fieldErrors.invalid('note', '', 'can have at most 1024 characters'));
  if (has(ev, 'deprecatedFirstTimestamp')) errs.push(fieldErrors.invalid('deprecatedFirstTimestamp', '', 'needs to be unset'));
  if (has(ev, 'deprecatedLastTimestamp')) errs.push(fieldErrors.invalid('deprecatedLastTimestamp', '', 'needs to be unset'));
  return errs;
}

