// Controllers that own pods through a template: apps/v1 Deployment, ReplicaSet, StatefulSet,
// DaemonSet and ControllerRevision, and core/v1 ReplicationController.

import {
  intOrPercentValue,
  isEmptyLabelSelector,
  isValidPercent,
  labelSelectorMatches,
  parsePercent,
  validateLabelSelector,
} from '../../machinery/index.ts';
import { deepEqual, fieldErrors, has, immutable, isRec, nonNegative, obj, rec, recList, str, type Errs, type Rec } from './fields.ts';
import { templateLabels, validatePodTemplateSpec } from './pod-spec.ts';

const SELECTOR_MISMATCH = '`selector` does not match template `labels`';

/** An int-or-percent that must not be negative (maxSurge, maxUnavailable, partition-like fields). */
export function validatePositiveIntOrPercent(value: unknown, path: string): Errs {
  if (typeof value === 'string') return isValidPercent(value).map((m) => fieldErrors.invalid(path, value, m));
  if (typeof value === 'number' && Number.isInteger(value)) return nonNegative(value, path);
  return [fieldErrors.invalid(path, value ?? null, "must be an integer or percentage (e.g '5%')")];
}

export function isNotMoreThan100Percent(value: unknown, path: string): Errs {
  const pct = parsePercent(value);
  return pct !== undefined && pct > 100 ? [fieldErrors.invalid(path, value, 'must not be greater than 100%')] : [];
}

/**
 * The apps/v1 selector rules: required, well-formed, not empty; when usable it must select the
 * template's labels. Returns the errors; the template itself is validated by the caller.
 */
function validateSelectorAndTemplateLabels(spec: Rec, kind: string): Errs {
  const errs: Errs = [];
  const selector = spec['selector'];
  if (selector === undefined || selector === null) return [fieldErrors.required('spec.selector', '')];
  const selErrs = validateLabelSelector(selector, 'spec.selector');
  errs.push(...selErrs);
  if (isEmptyLabelSelector(selector)) errs.push(fieldErrors.invalid('spec.selector', selector, `empty selector is invalid for ${kind}`));
  const labels = templateLabels(spec['template']);
  if (selErrs.length === 0 && !isEmptyLabelSelector(selector) && !labelSelectorMatches(selector, labels)) {
    errs.push(fieldErrors.invalid('spec.template.metadata.labels', labels, SELECTOR_MISMATCH));
  }
  return errs;
}

/** Template rules for controllers whose pods must always restart. */
function validateRestartingTemplate(spec: Rec, controller: string, opts: { extraVolumes?: string[] }): Errs {
  const template = spec['template'];
  if (!isRec(template)) return [fieldErrors.required('spec.template', '')];
  let toValidate = template;
  if (opts.extraVolumes && opts.extraVolumes.length > 0) {
    // StatefulSet pods also get a volume per claim template; mounts may refer to those.
    toValidate = structuredClone(template);
    const podSpec = obj(toValidate, 'spec');
    const volumes = Array.isArray(podSpec['volumes']) ? podSpec['volumes'] : [];
    podSpec['volumes'] = [...volumes, ...opts.extraVolumes.map((name) => ({ name, persistentVolumeClaim: { claimName: name } }))];
    toValidate['spec'] = podSpec;
  }
  const errs = validatePodTemplateSpec(toValidate, 'spec.template');
  if (opts.extraVolumes) {
    // Errors about the synthetic volumes would point at indices the user never wrote.
    const first = (Array.isArray(obj(template, 'spec')['volumes']) ? (obj(template, 'spec')['volumes'] as unknown[]).length : 0);
    for (let i = errs.length - 1; i >= 0; i--) {
      const m = /^spec\.template\.spec\.volumes\[(\d+)\]/.exec(errs[i]?.field ?? '');
      if (m && Number(m[1]) >= first) errs.splice(i, 1);
    }
  }
  const podSpec = obj(template, 'spec');
  const restartPolicy = podSpec['restartPolicy'];
  if (restartPolicy !== 'Always') errs.push(fieldErrors.notSupported('spec.template.spec.restartPolicy', restartPolicy ?? '', ['Always']));
  if (has(podSpec, 'activeDeadlineSeconds')) {
    errs.push(fieldErrors.forbidden('spec.template.spec.activeDeadlineSeconds', `activeDeadlineSeconds in ${controller} is not Supported`));
  }
  return errs;
}

function validateRollingUpdateDeployment(ru: Rec, path: string): Errs {
  const errs = [...validatePositiveIntOrPercent(ru['maxUnavailable'], `${path}.maxUnavailable`), ...validatePositiveIntOrPercent(ru['maxSurge'], `${path}.maxSurge`)];
  if (intOrPercentValue(ru['maxUnavailable']) === 0 && intOrPercentValue(ru['maxSurge']) === 0) {
    errs.push(fieldErrors.invalid(`${path}.maxUnavailable`, ru['maxUnavailable'] ?? 0, 'may not be 0 when `maxSurge` is 0'));
  }
  errs.push(...isNotMoreThan100Percent(ru['maxUnavailable'], `${path}.maxUnavailable`));
  return errs;
}

export function validateDeployment(d: Rec): Errs {
  const spec = obj(d, 'spec');
  const errs = nonNegative(spec['replicas'], 'spec.replicas');
  errs.push(...validateSelectorAndTemplateLabels(spec, 'deployment'));
  errs.push(...validateRestartingTemplate(spec, 'ReplicaSet', {}));
  const strategy = obj(spec, 'strategy');
  switch (strategy['type']) {
    case 'Recreate':
      if (has(strategy, 'rollingUpdate')) errs.push(fieldErrors.forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"));
      break;
    case 'RollingUpdate': {
      const ru = rec(strategy, 'rollingUpdate');
      if (!ru) errs.push(fieldErrors.required('spec.strategy.rollingUpdate', 'this should be defaulted and never be nil'));
      else errs.push(...validateRollingUpdateDeployment(ru, 'spec.strategy.rollingUpdate'));
      break;
    }
    default:
      errs.push(fieldErrors.notSupported('spec.strategy', strategy['type'] ?? '', ['Recreate', 'RollingUpdate']));
  }
  errs.push(...nonNegative(spec['minReadySeconds'], 'spec.minReadySeconds'));
  errs.push(...nonNegative(spec['revisionHistoryLimit'], 'spec.revisionHistoryLimit'));
  const pds = spec['progressDeadlineSeconds'];
  if (typeof pds === 'number') {
    errs.push(...nonNegative(pds, 'spec.progressDeadlineSeconds'));
    const minReady = typeof spec['minReadySeconds'] === 'number' ? spec['minReadySeconds'] : 0;
    if (pds <= minReady) errs.push(fieldErrors.invalid('spec.progressDeadlineSeconds', pds, 'must be greater than minReadySeconds'));
  }
  return errs;
}

/** apps/v1 forbids changing the selector of Deployments, ReplicaSets and DaemonSets. */
export function validateSelectorImmutable(obj0: Rec, old: Rec): Errs {
  return immutable(obj(obj0, 'spec')['selector'], obj(old, 'spec')['selector'], 'spec.selector');
}

export function validateReplicaSet(rs: Rec): Errs {
  const spec = obj(rs, 'spec');
  const errs = [...nonNegative(spec['replicas'], 'spec.replicas'), ...nonNegative(spec['minReadySeconds'], 'spec.minReadySeconds')];
  errs.push(...validateSelectorAndTemplateLabels(spec, 'deployment'));
  errs.push(...validateRestartingTemplate(spec, 'ReplicaSet', {}));
  return errs;
}

export function validateDaemonSet(ds: Rec): Errs {
  const spec = obj(ds, 'spec');
  const errs = validateSelectorAndTemplateLabels(spec, 'daemonset');
  errs.push(...validateRestartingTemplate(spec, 'DaemonSet', {}));
  errs.push(...nonNegative(spec['minReadySeconds'], 'spec.minReadySeconds'));
  errs.push(...nonNegative(spec['templateGeneration'], 'spec.templateGeneration'));
  const strategy = obj(spec, 'updateStrategy');
  switch (strategy['type']) {
    case 'OnDelete':
      break;
    case 'RollingUpdate': {
      const ru = rec(strategy, 'rollingUpdate');
      if (!ru) {
        errs.push(fieldErrors.required('spec.updateStrategy.rollingUpdate', ''));
        break;
      }
      const p = 'spec.updateStrategy.rollingUpdate';
      errs.push(...validatePositiveIntOrPercent(ru['maxUnavailable'], `${p}.maxUnavailable`), ...validatePositiveIntOrPercent(ru['maxSurge'], `${p}.maxSurge`));
      errs.push(...isNotMoreThan100Percent(ru['maxUnavailable'], `${p}.maxUnavailable`), ...isNotMoreThan100Percent(ru['maxSurge'], `${p}.maxSurge`));
      const hasUnavailable = intOrPercentValue(ru['maxUnavailable']) !== 0;
      const hasSurge = intOrPercentValue(ru['maxSurge']) !== 0;
      if (hasUnavailable && hasSurge) errs.push(fieldErrors.invalid(`${p}.maxSurge`, ru['maxSurge'], 'may not be set when maxUnavailable is non-zero'));
      if (!hasUnavailable && !hasSurge) errs.push(fieldErrors.required(`${p}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
      break;
    }
    default:
      errs.push(fieldErrors.notSupported('spec.updateStrategy', strategy['type'] ?? '', ['RollingUpdate', 'OnDelete']));
  }
  errs.push(...nonNegative(spec['revisionHistoryLimit'], 'spec.revisionHistoryLimit'));
  return errs;
}

export function validateStatefulSet(sts: Rec): Errs {
  const spec = obj(sts, 'spec');
  const errs: Errs = [];
  const policy = spec['podManagementPolicy'];
  if (policy === undefined || policy === null || policy === '') errs.push(fieldErrors.required('spec.podManagementPolicy', ''));
  else if (policy !== 'OrderedReady' && policy !== 'Parallel') errs.push(fieldErrors.invalid('spec.podManagementPolicy', policy, "must be 'OrderedReady' or 'Parallel'"));
  const strategy = obj(spec, 'updateStrategy');
  const ru = rec(strategy, 'rollingUpdate');
  switch (strategy['type'] ?? '') {
    case '':
      errs.push(fieldErrors.required('spec.updateStrategy', ''));
      break;
    case 'OnDelete':
      if (ru) errs.push(fieldErrors.invalid('spec.updateStrategy.rollingUpdate', ru, "only allowed for updateStrategy 'RollingUpdate'"));
      break;
    case 'RollingUpdate':
      if (ru) {
        const p = 'spec.updateStrategy.rollingUpdate';
        errs.push(...nonNegative(ru['partition'], `${p}.partition`));
        if (ru['maxUnavailable'] !== undefined && ru['maxUnavailable'] !== null) {
          errs.push(...validatePositiveIntOrPercent(ru['maxUnavailable'], `${p}.maxUnavailable`));
          if (intOrPercentValue(ru['maxUnavailable']) === 0) errs.push(fieldErrors.invalid(`${p}.maxUnavailable`, ru['maxUnavailable'], 'cannot be 0'));
          errs.push(...isNotMoreThan100Percent(ru['maxUnavailable'], `${p}.maxUnavailable`));
        }
      }
      break;
    default:
      errs.push(fieldErrors.invalid('spec.updateStrategy', strategy, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  const retention = rec(spec, 'persistentVolumeClaimRetentionPolicy');
  for (const k of ['whenDeleted', 'whenScaled']) {
    if (!retention) break;
    const v = retention[k];
    if (v !== 'Retain' && v !== 'Delete') errs.push(fieldErrors.notSupported(`spec.persistentVolumeClaimRetentionPolicy.${k}`, v ?? '', ['Retain', 'Delete']));
  }
  errs.push(...nonNegative(spec['replicas'], 'spec.replicas'), ...nonNegative(spec['minReadySeconds'], 'spec.minReadySeconds'));
  errs.push(...nonNegative(rec(spec, 'ordinals')?.['start'], 'spec.ordinals.start'));
  errs.push(...validateSelectorAndTemplateLabels(spec, 'statefulset'));
  const claimNames = recList(spec, 'volumeClaimTemplates').map((c) => str(obj(c, 'metadata'), 'name')).filter((n) => n !== '');
  errs.push(...validateRestartingTemplate(spec, 'StatefulSet', { extraVolumes: claimNames }));
  return errs;
}

const STS_MUTABLE = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

export function validateStatefulSetUpdate(sts: Rec, old: Rec): Errs {
  const spec = { ...obj(sts, 'spec') };
  const oldSpec = { ...obj(old, 'spec') };
  for (const k of STS_MUTABLE) {
    delete spec[k];
    delete oldSpec[k];
  }
  if (deepEqual(spec, oldSpec)) return [];
  return [
    fieldErrors.forbidden(
      'spec',
      "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ),
  ];
}

export function validateReplicationController(rc: Rec): Errs {
  const spec = obj(rc, 'spec');
  const errs = nonNegative(spec['minReadySeconds'], 'spec.minReadySeconds');
  const selector = rec(spec, 'selector') ?? {};
  if (Object.keys(selector).length === 0) errs.push(fieldErrors.required('spec.selector', ''));
  errs.push(...nonNegative(spec['replicas'], 'spec.replicas'));
  const template = spec['template'];
  if (!isRec(template)) return [...errs, fieldErrors.required('spec.template', '')];
  const labels = templateLabels(template);
  if (Object.keys(selector).length > 0 && !Object.entries(selector).every(([k, v]) => labels[k] === v)) {
    errs.push(fieldErrors.invalid('spec.template.metadata.labels', labels, SELECTOR_MISMATCH));
  }
  errs.push(...validateRestartingTemplate(spec, 'ReplicationController', {}));
  return errs;
}

export function validateControllerRevision(cr: Rec): Errs {
  const errs: Errs = [];
  if (cr['data'] === undefined || cr['data'] === null) errs.push(fieldErrors.required('data', 'data is mandatory'));
  errs.push(...nonNegative(cr['revision'], 'revision'));
  return errs;
}

export function validateControllerRevisionUpdate(cr: Rec, old: Rec): Errs {
  return immutable(cr['data'], old['data'], 'data');
}
