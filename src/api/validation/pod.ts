// Pod, PodTemplate and Binding validation, including the rules for what a pod update may change.

import { validateContainersOnlyForPod } from './container.ts';
import { deepEqual, fieldErrors, list, obj, rec, recList, str, type Errs, type Rec } from './fields.ts';
import { validatePodSpec, validatePodTemplateSpec } from './pod-spec.ts';

const MAX_INT32 = 2147483647;

export const POD_UPDATE_FORBIDDEN_MSG =
  'pod updates may not change fields other than ' +
  [
    '`spec.containers[*].image`',
    '`spec.initContainers[*].image`',
    '`spec.activeDeadlineSeconds`',
    '`spec.tolerations` (only additions to existing tolerations)',
    '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
  ].join(',');

/** Rules shared by create and update (upstream validatePodMetadataAndSpec, minus metadata). */
export function validatePodCommon(pod: Rec): Errs {
  const spec = obj(pod, 'spec');
  const errs = validatePodSpec(spec, 'spec', { resourceIsPod: true });
  if (!str(spec, 'serviceAccountName')) {
    recList(spec, 'volumes').forEach((v, vi) => {
      recList(rec(v, 'projected'), 'sources').forEach((s, si) => {
        if (rec(s, 'serviceAccountToken')) {
          errs.push(fieldErrors.forbidden(`spec.volumes[${vi}].projected.sources[${si}].serviceAccountToken`, 'must not be specified when serviceAccountName is not set'));
        }
      });
    });
  }
  errs.push(...validateContainersOnlyForPod(recList(spec, 'containers'), 'spec.containers'));
  errs.push(...validateContainersOnlyForPod(recList(spec, 'initContainers'), 'spec.initContainers'));
  return errs;
}

/** Create-only rules: ephemeral containers come through their subresource, gates before binding. */
export function validatePodCreate(pod: Rec): Errs {
  const spec = obj(pod, 'spec');
  const errs: Errs = [];
  if (list(spec, 'ephemeralContainers').length > 0) errs.push(fieldErrors.forbidden('spec.ephemeralContainers', 'cannot be set on create'));
  if (str(spec, 'nodeName') && list(spec, 'schedulingGates').length > 0) {
    errs.push(fieldErrors.forbidden('spec.nodeName', 'cannot be set until all schedulingGates have been cleared'));
  }
  return errs;
}

function containerImageUpdates(containers: Rec[], old: Rec[], path: string): { errs: Errs; stop: boolean } {
  if (containers.length !== old.length) return { errs: [fieldErrors.forbidden(path, 'pod updates may not add or remove containers')], stop: true };
  const errs: Errs = [];
  containers.forEach((c, i) => {
    const image = str(c, 'image');
    if (!image) errs.push(fieldErrors.required(`${path}[${i}].image`, ''));
    if (image !== image.trim()) errs.push(fieldErrors.invalid(`${path}[${i}].image`, image, 'must not have leading or trailing whitespace'));
  });
  return { errs, stop: false };
}

function tolerationsOnlyAdded(tolerations: Rec[], old: Rec[]): boolean {
  const strip = (t: Rec) => ({ ...t, tolerationSeconds: undefined });
  return old.every((o) => tolerations.some((t) => deepEqual(strip(t), strip(o))));
}

/** What an update may change (validatePodCommon covers the rest). */
export function validatePodUpdate(pod: Rec, old: Rec): Errs {
  const errs: Errs = [];
  const spec = obj(pod, 'spec');
  const oldSpec = obj(old, 'spec');
  for (const k of ['containers', 'initContainers']) {
    const r = containerImageUpdates(recList(spec, k), recList(oldSpec, k), `spec.${k}`);
    errs.push(...r.errs);
    if (r.stop) return errs;
  }
  const ads = spec['activeDeadlineSeconds'];
  const oldAds = oldSpec['activeDeadlineSeconds'];
  if (typeof ads === 'number') {
    if (ads < 0 || ads > MAX_INT32) return [...errs, fieldErrors.invalid('spec.activeDeadlineSeconds', ads, `must be between 0 and ${MAX_INT32}, inclusive`)];
    if (typeof oldAds === 'number' && oldAds < ads) return [...errs, fieldErrors.invalid('spec.activeDeadlineSeconds', ads, 'must be less than or equal to previous value')];
  } else if (typeof oldAds === 'number') {
    errs.push(fieldErrors.invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  }
  const tolerations = recList(spec, 'tolerations');
  if (!tolerationsOnlyAdded(tolerations, recList(oldSpec, 'tolerations'))) {
    errs.push(fieldErrors.forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds'));
  }
  const oldGates = new Set(recList(oldSpec, 'schedulingGates').map((g) => str(g, 'name')));
  recList(spec, 'schedulingGates').forEach((g, i) => {
    const name = str(g, 'name');
    if (!oldGates.has(name)) errs.push(fieldErrors.forbidden(`spec.schedulingGates[${i}].name`, `only deletion is allowed, but found new scheduling gate '${name}'`));
  });
  if (deepEqual(spec, oldSpec)) return errs;

  // Put back everything an update may change, then anything still different is forbidden.
  const munged: Rec = structuredClone(spec);
  for (const k of ['containers', 'initContainers']) {
    const oldList = recList(oldSpec, k);
    recList(munged, k).forEach((c, i) => (c['image'] = oldList[i]?.['image']));
  }
  munged['activeDeadlineSeconds'] = oldSpec['activeDeadlineSeconds'];
  munged['schedulingGates'] = oldSpec['schedulingGates'];
  munged['tolerations'] = oldSpec['tolerations'];
  const oldGrace = oldSpec['terminationGracePeriodSeconds'];
  if (typeof oldGrace === 'number' && oldGrace < 0 && munged['terminationGracePeriodSeconds'] === 1) munged['terminationGracePeriodSeconds'] = oldGrace;
  if (oldGates.size > 0 && !deepEqual(munged['nodeSelector'], oldSpec['nodeSelector'])) {
    // Gated pods may gain node selector terms, but not lose or change them.
    const next = obj(munged, 'nodeSelector');
    const prev = obj(oldSpec, 'nodeSelector');
    if (Object.entries(prev).some(([k, v]) => next[k] !== v)) {
      errs.push(fieldErrors.invalid('spec.nodeSelector', next, 'only additions to spec.nodeSelector are allowed (no mutations or deletions)'));
    }
    munged['nodeSelector'] = oldSpec['nodeSelector'];
  }
  if (!deepEqual(munged, oldSpec)) errs.push(fieldErrors.forbidden('spec', POD_UPDATE_FORBIDDEN_MSG));
  return errs;
}

export function validatePodTemplate(obj0: Rec): Errs {
  return validatePodTemplateSpec(obj0['template'], 'template');
}

export function validateBinding(binding: Rec): Errs {
  const errs: Errs = [];
  const target = obj(binding, 'target');
  const kind = str(target, 'kind');
  if (kind && kind !== 'Node') errs.push(fieldErrors.notSupported('target.kind', kind, ['Node', '<empty>']));
  if (!str(target, 'name')) errs.push(fieldErrors.required('target.name', ''));
  return errs;
}
