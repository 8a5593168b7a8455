// rbac.authorization.k8s.io/v1: Role, ClusterRole, RoleBinding and ClusterRoleBinding.

import { nameIsDNSSubdomain, nameIsPathSegment, validateLabelSelector } from '../../machinery/index.ts';
import { deepEqual, fieldErrors, list, obj, rec, recList, str, type Errs, type Rec } from './fields.ts';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

function validatePolicyRule(rule: Rec, namespaced: boolean, path: string): Errs {
  const errs: Errs = [];
  if (list(rule, 'verbs').length === 0) errs.push(fieldErrors.required(`${path}.verbs`, 'verbs must contain at least one value'));
  const urls = list(rule, 'nonResourceURLs');
  if (urls.length > 0) {
    if (namespaced) errs.push(fieldErrors.invalid(`${path}.nonResourceURLs`, urls, 'namespaced rules cannot apply to non-resource URLs'));
    if (list(rule, 'apiGroups').length > 0 || list(rule, 'resources').length > 0 || list(rule, 'resourceNames').length > 0) {
      errs.push(fieldErrors.invalid(`${path}.nonResourceURLs`, urls, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if (list(rule, 'apiGroups').length === 0) errs.push(fieldErrors.required(`${path}.apiGroups`, 'resource rules must supply at least one api group'));
  if (list(rule, 'resources').length === 0) errs.push(fieldErrors.required(`${path}.resources`, 'resource rules must supply at least one resource'));
  return errs;
}

export function validateRole(role: Rec): Errs {
  return recList(role, 'rules').flatMap((r, i) => validatePolicyRule(r, true, `rules[${i}]`));
}

export function validateClusterRole(role: Rec): Errs {
  const errs = recList(role, 'rules').flatMap((r, i) => validatePolicyRule(r, false, `rules[${i}]`));
  const aggregation = rec(role, 'aggregationRule');
  if (aggregation) {
    const selectors = list(aggregation, 'clusterRoleSelectors');
    if (selectors.length === 0) errs.push(fieldErrors.required('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    selectors.forEach((s, i) => errs.push(...validateLabelSelector(s, `aggregationRule.clusterRoleSelectors[${i}]`)));
  }
  return errs;
}

function validateSubject(subject: Rec, namespaced: boolean, path: string): Errs {
  const errs: Errs = [];
  const name = str(subject, 'name');
  if (!name) errs.push(fieldErrors.required(`${path}.name`, ''));
  const apiGroup = str(subject, 'apiGroup');
  switch (subject['kind']) {
    case 'ServiceAccount':
      if (name) errs.push(...nameIsDNSSubdomain(name, false).map((m) => fieldErrors.invalid(`${path}.name`, name, m)));
      if (apiGroup) errs.push(fieldErrors.notSupported(`${path}.apiGroup`, apiGroup, ['']));
      if (!namespaced && !str(subject, 'namespace')) errs.push(fieldErrors.required(`${path}.namespace`, ''));
      break;
    case 'User':
    case 'Group':
      if (apiGroup !== RBAC_GROUP) errs.push(fieldErrors.notSupported(`${path}.apiGroup`, apiGroup, [RBAC_GROUP]));
      break;
    default:
      errs.push(fieldErrors.notSupported(`${path}.kind`, subject['kind'] ?? '', ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

function validateBinding(binding: Rec, namespaced: boolean): Errs {
  const errs: Errs = [];
  const roleRef = obj(binding, 'roleRef');
  const apiGroup = str(roleRef, 'apiGroup');
  if (apiGroup !== RBAC_GROUP) errs.push(fieldErrors.notSupported('roleRef.apiGroup', apiGroup, [RBAC_GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  const kind = roleRef['kind'];
  if (typeof kind !== 'string' || !kinds.includes(kind)) errs.push(fieldErrors.notSupported('roleRef.kind', kind ?? '', kinds));
  const name = str(roleRef, 'name');
  if (!name) errs.push(fieldErrors.required('roleRef.name', ''));
  else errs.push(...nameIsPathSegment(name, false).map((m) => fieldErrors.invalid('roleRef.name', name, m)));
  recList(binding, 'subjects').forEach((s, i) => errs.push(...validateSubject(s, namespaced, `subjects[${i}]`)));
  return errs;
}

export function validateRoleBinding(binding: Rec): Errs {
  return validateBinding(binding, true);
}

export function validateClusterRoleBinding(binding: Rec): Errs {
  return validateBinding(binding, false);
}

/** The role a binding grants is fixed for the binding's lifetime. */
export function validateBindingUpdate(binding: Rec, old: Rec): Errs {
  return deepEqual(binding['roleRef'], old['roleRef']) ? [] : [fieldErrors.invalid('roleRef', binding['roleRef'] ?? null, 'cannot change roleRef')];
}
