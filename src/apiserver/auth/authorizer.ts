// Authorization: may this user perform this verb on this resource or path? Like Kubernetes'
// authorizer.Authorizer, one interface answers both the request pipeline (every request after
// authentication) and the access reviews (SelfSubjectAccessReview, SubjectAccessReview,
// SelfSubjectRulesReview), so whatever authorizer is in force — today AllowAuthenticated, RBAC
// later — decides both the same way.

import { AUTHENTICATED_GROUP, type UserInfo } from '../filters/authn.ts';

/** What a request (or a review's spec) asks to do; absent parts are empty strings, as upstream. */
export interface AuthorizationAttributes {
  readonly user: UserInfo;
  /** get, list, watch, create, update, patch, delete, deletecollection; lower-case HTTP method for paths. */
  readonly verb: string;
  /** True for /api and /apis resource URLs; false for non-resource paths (/version, /apis, /healthz). */
  readonly resourceRequest: boolean;
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly subresource: string;
  readonly namespace: string;
  readonly name: string;
  /** The URL path of a non-resource request. */
  readonly path: string;
}

export interface AuthorizationDecision {
  readonly allowed: boolean;
  /** An explicit deny (upstream DecisionDeny): no other authorizer may allow it. */
  readonly denied?: boolean;
  readonly reason?: string;
  readonly evaluationError?: string;
}

export interface ResourceRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames?: string[];
}

export interface NonResourceRule {
  verbs: string[];
  nonResourceURLs: string[];
}

/** What a user may do in a namespace, as SelfSubjectRulesReview reports it. */
export interface RulesInfo {
  resourceRules: ResourceRule[];
  nonResourceRules: NonResourceRule[];
  /** True when the authorizer cannot list everything it would allow (e.g. a webhook). */
  incomplete: boolean;
  evaluationError?: string;
}

export interface Authorizer {
  authorize(attributes: AuthorizationAttributes): AuthorizationDecision | Promise<AuthorizationDecision>;
  rulesFor(user: UserInfo, namespace: string): RulesInfo | Promise<RulesInfo>;
}

export const UNAUTHENTICATED_GROUP = 'system:unauthenticated';
export const ANONYMOUS_USER = 'system:anonymous';

const ALLOWED: AuthorizationDecision = Object.freeze({ allowed: true });
const NOT_AUTHENTICATED: AuthorizationDecision = Object.freeze({ allowed: false, reason: 'only authenticated users are allowed' });

/**
 * Allows every authenticated user everything (the behaviour until RBAC arrives). Requests reach
 * the authorizer already authenticated; subjects of a SubjectAccessReview count as authenticated
 * unless they are anonymous or name no user and no group.
 */
export class AllowAuthenticated implements Authorizer {
  authorize(attributes: AuthorizationAttributes): AuthorizationDecision {
    return isAuthenticated(attributes.user) ? ALLOWED : NOT_AUTHENTICATED;
  }

  rulesFor(user: UserInfo): RulesInfo {
    if (!isAuthenticated(user)) return { resourceRules: [], nonResourceRules: [], incomplete: false };
    return {
      resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
      nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
      incomplete: false,
    };
  }
}

export function isAuthenticated(user: UserInfo): boolean {
  if (user.groups.includes(AUTHENTICATED_GROUP)) return true;
  if (user.username === ANONYMOUS_USER || user.groups.includes(UNAUTHENTICATED_GROUP)) return false;
  return user.username !== '' || user.groups.length > 0;
}
