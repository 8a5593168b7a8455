// authorization.k8s.io/v1 reviews, answered by the authorizer in force and never stored
// (upstream pkg/registry/authorization): SelfSubjectAccessReview (`kubectl auth can-i`),
// SubjectAccessReview and LocalSubjectAccessReview (about another subject, cluster-wide or in one
// namespace) and SelfSubjectRulesReview (`kubectl auth can-i --list`).

import type { KubeObject } from '../../api/types.ts';
import { badRequest, fieldErrors, invalid, type FieldError } from '../../machinery/status-error.ts';
import type { VirtualCreate } from '../api-registry.ts';
import type { UserInfo } from '../filters/authn.ts';
import type { AuthorizationAttributes, AuthorizationDecision, Authorizer } from './authorizer.ts';

const GROUP = 'authorization.k8s.io';
const RESOURCE_FIELDS = ['namespace', 'verb', 'group', 'version', 'resource', 'subresource', 'name'] as const;

type Spec = Record<string, unknown>;

export function selfSubjectAccessReview(authorizer: Authorizer): VirtualCreate {
  return {
    async create(obj, user) {
      const kind = 'SelfSubjectAccessReview';
      const spec = specOf(obj, kind);
      const errs = attributeErrors(spec);
      if (errs.length > 0) throw invalid(kind, GROUP, '', errs);
      return answer(obj, await decide(authorizer, attributesOf(user, spec)));
    },
  };
}

export function subjectAccessReview(authorizer: Authorizer): VirtualCreate {
  return {
    async create(obj) {
      const kind = 'SubjectAccessReview';
      const spec = specOf(obj, kind);
      const errs = [...attributeErrors(spec), ...subjectErrors(spec)];
      if (errs.length > 0) throw invalid(kind, GROUP, '', errs);
      return answer(obj, await decide(authorizer, attributesOf(subjectOf(spec), spec)));
    },
  };
}

export function localSubjectAccessReview(authorizer: Authorizer): VirtualCreate {
  return {
    async create(obj, _user, namespace) {
      const kind = 'LocalSubjectAccessReview';
      if (!namespace) throw badRequest('namespace is required on this type: ');
      if (obj.metadata.namespace && obj.metadata.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      const spec = specOf(obj, kind);
      const errs = [...attributeErrors(spec), ...subjectErrors(spec)];
      const resourceAttributes = spec['resourceAttributes'];
      if (isRecord(resourceAttributes) && (resourceAttributes['namespace'] ?? '') !== namespace) {
        errs.push(fieldErrors.invalid('spec.resourceAttributes.namespace', resourceAttributes['namespace'] ?? '', 'must match metadata.namespace'));
      }
      if (spec['nonResourceAttributes'] !== undefined && spec['nonResourceAttributes'] !== null) {
        errs.push(fieldErrors.invalid('spec.nonResourceAttributes', spec['nonResourceAttributes'], 'disallowed on this kind of request'));
      }
      if (errs.length > 0) throw invalid(kind, GROUP, '', errs);
      const review = { ...obj, metadata: { ...obj.metadata, namespace } };
      return answer(review, await decide(authorizer, attributesOf(subjectOf(spec), spec)));
    },
  };
}

export function selfSubjectRulesReview(authorizer: Authorizer): VirtualCreate {
  return {
    async create(obj, user) {
      const spec = specOf(obj, 'SelfSubjectRulesReview');
      const namespace = spec['namespace'];
      if (namespace !== undefined && typeof namespace !== 'string') {
        throw invalid('SelfSubjectRulesReview', GROUP, '', [fieldErrors.typeInvalid('spec.namespace', namespace, 'must be a string')]);
      }
      if (!namespace) throw badRequest('no namespace on request');
      const rules = await authorizer.rulesFor(user, namespace);
      const status: Record<string, unknown> = { resourceRules: rules.resourceRules, nonResourceRules: rules.nonResourceRules, incomplete: rules.incomplete };
      if (rules.evaluationError) status['evaluationError'] = rules.evaluationError;
      return { ...obj, status };
    },
  };
}

function specOf(obj: KubeObject, kind: string): Spec {
  const spec = obj['spec'] ?? {};
  if (!isRecord(spec)) throw invalid(kind, GROUP, '', [fieldErrors.typeInvalid('spec', spec, 'must be an object')]);
  return spec;
}

/** Exactly one of resourceAttributes and nonResourceAttributes, each an object of strings. */
function attributeErrors(spec: Spec): FieldError[] {
  const errs: FieldError[] = [];
  const resource = spec['resourceAttributes'] ?? undefined;
  const nonResource = spec['nonResourceAttributes'] ?? undefined;
  if (resource !== undefined && nonResource !== undefined) {
    errs.push(fieldErrors.invalid('spec.nonResourceAttributes', nonResource, 'cannot be specified in combination with resourceAttributes'));
  }
  if (resource === undefined && nonResource === undefined) {
    errs.push(fieldErrors.invalid('spec.resourceAttributes', null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified'));
  }
  errs.push(...stringFields('spec.resourceAttributes', resource, RESOURCE_FIELDS));
  errs.push(...stringFields('spec.nonResourceAttributes', nonResource, ['path', 'verb']));
  return errs;
}

function stringFields(path: string, value: unknown, fields: readonly string[]): FieldError[] {
  if (value === undefined) return [];
  if (!isRecord(value)) return [fieldErrors.typeInvalid(path, value, 'must be an object')];
  return fields.filter((f) => value[f] !== undefined && value[f] !== null && typeof value[f] !== 'string').map((f) => fieldErrors.typeInvalid(`${path}.${f}`, value[f], 'must be a string'));
}

/** A SubjectAccessReview names its subject: a user, groups, or both. */
function subjectErrors(spec: Spec): FieldError[] {
  const errs: FieldError[] = [];
  const { user, groups, uid, extra } = spec;
  if (user !== undefined && user !== null && typeof user !== 'string') errs.push(fieldErrors.typeInvalid('spec.user', user, 'must be a string'));
  if (uid !== undefined && uid !== null && typeof uid !== 'string') errs.push(fieldErrors.typeInvalid('spec.uid', uid, 'must be a string'));
  if (groups !== undefined && groups !== null && (!Array.isArray(groups) || groups.some((g) => typeof g !== 'string'))) {
    errs.push(fieldErrors.typeInvalid('spec.groups', groups, 'must be a list of strings'));
  }
  if (extra !== undefined && extra !== null && (!isRecord(extra) || Object.values(extra).some((v) => !Array.isArray(v) || v.some((s) => typeof s !== 'string')))) {
    errs.push(fieldErrors.typeInvalid('spec.extra', extra, 'must be a map of string to list of strings'));
  }
  if (!user && (!Array.isArray(groups) || groups.length === 0)) errs.push(fieldErrors.invalid('spec.user', user ?? '', 'at least one of user or group must be specified'));
  return errs;
}

function subjectOf(spec: Spec): UserInfo {
  const subject: UserInfo = { username: typeof spec['user'] === 'string' ? spec['user'] : '', groups: Array.isArray(spec['groups']) ? [...(spec['groups'] as string[])] : [] };
  if (typeof spec['uid'] === 'string' && spec['uid'] !== '') subject.uid = spec['uid'];
  if (isRecord(spec['extra'])) subject.extra = structuredClone(spec['extra'] as Record<string, string[]>);
  return subject;
}

/** upstream authorizationutil.ResourceAttributesFrom / NonResourceAttributesFrom. */
export function attributesOf(user: UserInfo, spec: Spec): AuthorizationAttributes {
  const resource = spec['resourceAttributes'];
  if (isRecord(resource)) {
    const s = (f: (typeof RESOURCE_FIELDS)[number]): string => (typeof resource[f] === 'string' ? resource[f] : '');
    return {
      user,
      verb: s('verb'),
      resourceRequest: true,
      group: s('group'),
      version: s('version'),
      resource: s('resource'),
      subresource: s('subresource'),
      namespace: s('namespace'),
      name: s('name'),
      path: '',
    };
  }
  const nonResource = isRecord(spec['nonResourceAttributes']) ? spec['nonResourceAttributes'] : {};
  const s = (f: string): string => (typeof nonResource[f] === 'string' ? nonResource[f] : '');
  return { user, verb: s('verb'), resourceRequest: false, group: '', version: '', resource: '', subresource: '', namespace: '', name: '', path: s('path') };
}

async function decide(authorizer: Authorizer, attributes: AuthorizationAttributes): Promise<Record<string, unknown>> {
  const decision: AuthorizationDecision = await authorizer.authorize(attributes);
  const status: Record<string, unknown> = { allowed: decision.allowed };
  if (decision.denied) status['denied'] = true;
  if (decision.reason) status['reason'] = decision.reason;
  if (decision.evaluationError) status['evaluationError'] = decision.evaluationError;
  return status;
}

function answer(obj: KubeObject, status: Record<string, unknown>): KubeObject {
  return { ...obj, status };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
