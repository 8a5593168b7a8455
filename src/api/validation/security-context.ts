// Container and pod security contexts: user and group ids, proc mount, seccomp, sysctls.

import { isInRange } from '../../machinery/index.ts';
import { fieldErrors, isRec, list, optionalOneOf, recList, str, validateLocalDescendingPath, type Errs } from './fields.ts';

const MAX_ID = 4294967295;

export function validateSecurityContext(sc: unknown, path: string): Errs {
  if (!isRec(sc)) return [];
  const errs: Errs = [];
  for (const k of ['runAsUser', 'runAsGroup']) {
    const v = sc[k];
    if (typeof v === 'number') errs.push(...isInRange(v, 0, MAX_ID).map((m) => fieldErrors.invalid(`${path}.${k}`, v, m)));
  }
  const procMount = sc['procMount'];
  if (procMount !== undefined && procMount !== null && procMount !== 'Default' && procMount !== 'Unmasked') {
    errs.push(fieldErrors.notSupported(`${path}.procMount`, procMount, ['Default', 'Unmasked']));
  }
  errs.push(...validateSeccompProfile(sc['seccompProfile'], `${path}.seccompProfile`));
  if (sc['allowPrivilegeEscalation'] === false && sc['privileged'] === true) {
    errs.push(fieldErrors.invalid(path, sc, 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
  }
  return errs;
}

export function validateSeccompProfile(profile: unknown, path: string): Errs {
  if (!isRec(profile)) return [];
  const type = profile['type'];
  const errs: Errs = [];
  if (type === undefined || type === null || type === '') errs.push(fieldErrors.required(`${path}.type`, 'type is required when seccompProfile is set'));
  else if (type !== 'Localhost' && type !== 'RuntimeDefault' && type !== 'Unconfined') {
    errs.push(fieldErrors.notSupported(`${path}.type`, type, ['Localhost', 'RuntimeDefault', 'Unconfined']));
  }
  const localhost = profile['localhostProfile'];
  if (type === 'Localhost') {
    if (typeof localhost !== 'string') errs.push(fieldErrors.required(`${path}.localhostProfile`, 'must be set when seccomp type is Localhost'));
    else errs.push(...validateLocalDescendingPath(localhost, `${path}.localhostProfile`));
  } else if (localhost !== undefined && localhost !== null) {
    errs.push(fieldErrors.invalid(`${path}.localhostProfile`, profile, 'can only be set when seccomp type is Localhost'));
  }
  return errs;
}


export function validatePodSecurityContext(sc: unknown, path: string): Errs {
  if (!isRec(sc)) return [];
  const errs: Errs = [];
  for (const k of ['fsGroup', 'runAsUser', 'runAsGroup']) {
    const v = sc[k];
    if (typeof v === 'number') errs.push(...isInRange(v, 0, MAX_ID).map((m) => fieldErrors.invalid(`${path}.${k}`, v, m)));
  }
  list(sc, 'supplementalGroups').forEach((g, i) => {
    if (typeof g === 'number') errs.push(...isInRange(g, 0, MAX_ID).map((m) => fieldErrors.invalid(`${path}.supplementalGroups[${i}]`, g, m)));
  });
  const names = new Set<string>();
  recList(sc, 'sysctls').forEach((s, i) => {
    const p = `${path}.sysctls[${i}].name`;
    const name = str(s, 'name');
    const valid = /^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$/.test(name) && name.length <= 253;
    if (!name) errs.push(fieldErrors.required(p, ''));
    else if (!valid) errs.push(fieldErrors.invalid(p, name, 'must have at most 253 characters and match regex ^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$'));
    else if (names.has(name)) errs.push(fieldErrors.duplicate(p, name));
    names.add(name);
  });
  errs.push(...optionalOneOf(sc['fsGroupChangePolicy'], ['Always', 'OnRootMismatch'], `${path}.fsGroupChangePolicy`));
  errs.push(...optionalOneOf(sc['supplementalGroupsPolicy'], ['Merge', 'Strict'], `${path}.supplementalGroupsPolicy`));
  errs.push(...validateSeccompProfile(sc['seccompProfile'], `${path}.seccompProfile`));
  return errs;
}

