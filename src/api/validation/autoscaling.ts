// HorizontalPodAutoscaler (autoscaling/v1 and v2) and PodDisruptionBudget (policy/v1) validation.

import { isPathSegmentName, tryParseQuantity, validateLabelSelector } from '../../machinery/index.ts';
import { fieldErrors, has, num, obj, rec, recList, str, type Errs, type Rec } from './fields.ts';
import { validateContainerResourceName } from './resources.ts';
import { isNotMoreThan100Percent, validatePositiveIntOrPercent } from './workloads.ts';

const METRIC_TYPES = ['Object', 'Pods', 'Resource', 'External', 'ContainerResource'] as const;
const METRIC_FIELDS: Readonly<Record<string, string>> = {
  Object: 'object',
  Pods: 'pods',
  Resource: 'resource',
  External: 'external',
  ContainerResource: 'containerResource',
};

function validateScaleTargetRef(ref: Rec, path: string): Errs {
  const errs: Errs = [];
  for (const k of ['kind', 'name']) {
    const v = str(ref, k);
    if (!v) errs.push(fieldErrors.required(`${path}.${k}`, ''));
    else errs.push(...isPathSegmentName(v).map((m) => fieldErrors.invalid(`${path}.${k}`, v, m)));
  }
  return errs;
}

function validateReplicaBounds(spec: Rec): Errs {
  const errs: Errs = [];
  const min = spec['minReplicas'];
  const max = num(spec, 'maxReplicas') ?? 0;
  if (typeof min === 'number' && min < 1) errs.push(fieldErrors.invalid('spec.minReplicas', min, 'must be greater than or equal to 1'));
  if (max < 1) errs.push(fieldErrors.invalid('spec.maxReplicas', max, 'must be greater than 0'));
  if (typeof min === 'number' && max < min) errs.push(fieldErrors.invalid('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'));
  return errs;
}

function validateMetricTarget(target: Rec, path: string): Errs {
  const errs: Errs = [];
  const type = str(target, 'type');
  if (!type) errs.push(fieldErrors.required(`${path}.type`, 'must specify a metric target type'));
  else if (type !== 'Utilization' && type !== 'Value' && type !== 'AverageValue') errs.push(fieldErrors.invalid(`${path}.type`, type, 'must be either Utilization, Value, or AverageValue'));
  for (const k of ['value', 'averageValue']) {
    if (!has(target, k)) continue;
    const q = tryParseQuantity(target[k]);
    if (!q || q.nano <= 0n) errs.push(fieldErrors.invalid(`${path}.${k}`, target[k], 'must be positive'));
  }
  const util = target['averageUtilization'];
  if (typeof util === 'number' && util < 1) errs.push(fieldErrors.invalid(`${path}.averageUtilization`, util, 'must be greater than 0'));
  return errs;
}

function validateMetricSource(kind: string, src: Rec, path: string): Errs {
  const errs: Errs = [];
  const target = obj(src, 'target');
  if (kind === 'resource' || kind === 'containerResource') {
    const name = str(src, 'name');
    if (!name) errs.push(fieldErrors.required(`${path}.name`, 'must specify a resource name'));
    else errs.push(...validateContainerResourceName(name, `${path}.name`));
    if (kind === 'containerResource' && !str(src, 'container')) errs.push(fieldErrors.required(`${path}.container`, 'must specify a container'));
    errs.push(...validateMetricTarget(target, `${path}.target`));
    if (!has(target, 'averageUtilization') && !has(target, 'averageValue')) {
      errs.push(fieldErrors.required(`${path}.target.averageUtilization`, 'must set either a target raw value or a target utilization'));
    }
    if (has(target, 'averageUtilization') && has(target, 'averageValue')) {
      errs.push(fieldErrors.forbidden(`${path}.target.averageValue`, 'may not set both a target raw value and a target utilization'));
    }
    return errs;
  }
  if (!str(obj(src, 'metric'), 'name')) errs.push(fieldErrors.required(`${path}.metric.name`, 'must specify a metric name'));
  if (kind === 'object') {
    const described = obj(src, 'describedObject');
    if (!str(described, 'kind')) errs.push(fieldErrors.required(`${path}.describedObject.kind`, ''));
    if (!str(described, 'name')) errs.push(fieldErrors.required(`${path}.describedObject.name`, ''));
  }
  errs.push(...validateMetricTarget(target, `${path}.target`));
  return errs;
}

function validateMetrics(metrics: Rec[], minReplicas: unknown): Errs {
  const errs: Errs = [];
  let objectOrExternal = false;
  metrics.forEach((m, i) => {
    const p = `spec.metrics[${i}]`;
    const type = str(m, 'type');
    if (!type) errs.push(fieldErrors.required(`${p}.type`, 'must specify a metric source type'));
    if (!(METRIC_TYPES as readonly string[]).includes(type)) {
      errs.push(fieldErrors.notSupported(`${p}.type`, type, METRIC_TYPES));
      return;
    }
    if (type === 'Object' || type === 'External') objectOrExternal = true;
    const expected = METRIC_FIELDS[type] ?? '';
    const present = Object.values(METRIC_FIELDS).filter((f) => has(m, f));
    if (!present.includes(expected)) errs.push(fieldErrors.required(`${p}.${expected}`, 'must populate information for the given metric source'));
    else errs.push(...validateMetricSource(expected, obj(m, expected), `${p}.${expected}`));
    for (const other of present) if (other !== expected) errs.push(fieldErrors.forbidden(`${p}.${other}`, 'must populate the given metric source only'));
  });
  if (minReplicas === 0 && !objectOrExternal) {
    errs.push(fieldErrors.forbidden('spec.minReplicas', 'must specify at least one Object or External metric to support scaling to zero replicas'));
  }
  return errs;
}

function validateScalingRules(rules: Rec | undefined, path: string): Errs {
  if (!rules) return [];
  const errs: Errs = [];
  const window = rules['stabilizationWindowSeconds'];
  if (typeof window === 'number') {
    if (window < 0) errs.push(fieldErrors.invalid(`${path}.stabilizationWindowSeconds`, window, 'must be greater than or equal to zero'));
    if (window > 3600) errs.push(fieldErrors.invalid(`${path}.stabilizationWindowSeconds`, window, 'must be less than or equal to 3600'));
  }
  const select = rules['selectPolicy'];
  if (select !== undefined && select !== null && select !== 'Max' && select !== 'Min' && select !== 'Disabled') {
    errs.push(fieldErrors.notSupported(`${path}.selectPolicy`, select, ['Disabled', 'Max', 'Min']));
  }
  const policies = recList(rules, 'policies');
  if (policies.length === 0 && select !== 'Disabled') errs.push(fieldErrors.required(`${path}.policies`, 'must specify at least one Policy'));
  policies.forEach((policy, i) => {
    const p = `${path}.policies[${i}]`;
    const type = policy['type'];
    if (type !== 'Pods' && type !== 'Percent') errs.push(fieldErrors.invalid(`${p}.type`, type ?? '', 'must be either Pods or Percent'));
    const value = num(policy, 'value') ?? 0;
    if (value <= 0) errs.push(fieldErrors.invalid(`${p}.value`, value, 'must be greater than zero'));
    const period = num(policy, 'periodSeconds') ?? 0;
    if (period <= 0) errs.push(fieldErrors.invalid(`${p}.periodSeconds`, period, 'must be greater than zero'));
    if (period > 1800) errs.push(fieldErrors.invalid(`${p}.periodSeconds`, period, 'must be less than or equal to 1800'));
  });
  return errs;
}

export function validateHorizontalPodAutoscalerV2(hpa: Rec): Errs {
  const spec = obj(hpa, 'spec');
  const errs = validateReplicaBounds(spec);
  const refErrs = validateScaleTargetRef(obj(spec, 'scaleTargetRef'), 'spec.scaleTargetRef');
  if (refErrs.length > 0) return [...errs, ...refErrs];
  const metricErrs = validateMetrics(recList(spec, 'metrics'), spec['minReplicas']);
  if (metricErrs.length > 0) return [...errs, ...metricErrs];
  const behavior = rec(spec, 'behavior');
  errs.push(...validateScalingRules(rec(behavior, 'scaleUp'), 'spec.behavior.scaleUp'));
  errs.push(...validateScalingRules(rec(behavior, 'scaleDown'), 'spec.behavior.scaleDown'));
  return errs;
}

export function validateHorizontalPodAutoscalerV1(hpa: Rec): Errs {
  const spec = obj(hpa, 'spec');
  const errs = validateReplicaBounds(spec);
  errs.push(...validateScaleTargetRef(obj(spec, 'scaleTargetRef'), 'spec.scaleTargetRef'));
  const target = spec['targetCPUUtilizationPercentage'];
  if (typeof target === 'number' && target < 1) errs.push(fieldErrors.invalid('spec.targetCPUUtilizationPercentage', target, 'must be greater than 0'));
  return errs;
}

export function validatePodDisruptionBudget(pdb: Rec): Errs {
  const spec = obj(pdb, 'spec');
  const errs: Errs = [];
  if (has(spec, 'minAvailable') && has(spec, 'maxUnavailable')) errs.push(fieldErrors.invalid('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
  for (const k of ['minAvailable', 'maxUnavailable']) {
    if (!has(spec, k)) continue;
    errs.push(...validatePositiveIntOrPercent(spec[k], `spec.${k}`), ...isNotMoreThan100Percent(spec[k], `spec.${k}`));
  }
  errs.push(...validateLabelSelector(spec['selector'], 'spec.selector'));
  const policy = spec['unhealthyPodEvictionPolicy'];
  if (policy !== undefined && policy !== null && policy !== 'AlwaysAllow' && policy !== 'IfHealthyBudget') {
    errs.push(fieldErrors.notSupported('spec.unhealthyPodEvictionPolicy', policy, ['AlwaysAllow', 'IfHealthyBudget']));
  }
  return errs;
}
