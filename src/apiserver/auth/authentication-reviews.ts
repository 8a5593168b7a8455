// authentication.k8s.io/v1 reviews, computed per request and never stored:
// SelfSubjectReview (`kubectl auth whoami`) reports the caller; TokenReview authenticates a token
// the way the server would (ServiceAccount JWTs for the requested audiences, then the server's own
// token authenticators), as upstream pkg/registry/authentication does.

import { badRequest, fieldErrors, invalid } from '../../machinery/status-error.ts';
import type { VirtualCreate } from '../api-registry.ts';
import { AUTHENTICATED_GROUP, type Authenticator, type UserInfo } from '../filters/authn.ts';
import type { ServiceAccountTokens } from './service-account-tokens.ts';

const GROUP = 'authentication.k8s.io';

export function selfSubjectReview(now: () => Date = () => new Date()): VirtualCreate {
  return {
    async create(obj, user) {
      return { ...obj, metadata: { ...obj.metadata, creationTimestamp: now().toISOString().replace(/\.\d{3}Z$/, 'Z') }, status: { userInfo: userInfoOf(user) } };
    },
  };
}

export interface TokenReviewDeps {
  /** The request authenticator; its token authenticators decide tokens that are not ServiceAccount JWTs. */
  authenticator: Authenticator;
  tokens: ServiceAccountTokens;
}

export function tokenReview(deps: TokenReviewDeps): VirtualCreate {
  return {
    async create(obj) {
      const spec = obj['spec'] ?? {};
      if (!isRecord(spec)) throw invalid('TokenReview', GROUP, '', [fieldErrors.typeInvalid('spec', spec, 'must be an object')]);
      const token = spec['token'];
      if (token === undefined || token === null || token === '') throw badRequest('token is required for TokenReview in authentication');
      if (typeof token !== 'string') throw invalid('TokenReview', GROUP, '', [fieldErrors.typeInvalid('spec.token', token, 'must be a string')]);
      const requested = spec['audiences'];
      if (requested !== undefined && requested !== null && (!Array.isArray(requested) || requested.some((a) => typeof a !== 'string'))) {
        throw invalid('TokenReview', GROUP, '', [fieldErrors.typeInvalid('spec.audiences', requested, 'must be a list of strings')]);
      }
      const apiAudiences = deps.tokens.apiAudiences;
      const audiences = Array.isArray(requested) && requested.length > 0 ? (requested as string[]) : [...apiAudiences];
      return { ...obj, status: await review(deps, token, audiences, apiAudiences) };
    },
  };
}

async function review(deps: TokenReviewDeps, token: string, audiences: string[], apiAudiences: readonly string[]): Promise<Record<string, unknown>> {
  const check = await deps.tokens.check(token, audiences);
  if (check.kind === 'authenticated') return { authenticated: true, user: userInfoOf(withAuthenticatedGroup(check.user)), audiences: check.audiences };
  if (check.kind === 'rejected') return { user: {}, error: check.error };
  // Other tokens (static tokens) carry no audience: they are good for the API server's audiences only.
  const matched = audiences.filter((a) => apiAudiences.includes(a));
  if (matched.length === 0) return { user: {}, error: `token audiences ${goQuoted(apiAudiences)} is invalid for the target audiences ${goQuoted(audiences)}` };
  // A request that carries nothing but the token, so no client certificate can answer instead.
  const user = await deps.authenticator.authenticate({ socket: {}, headers: { authorization: `Bearer ${token}` } });
  if (!user) return { user: {} };
  return { authenticated: true, user: userInfoOf(user), audiences: matched };
}

/** authentication/v1 UserInfo as upstream writes it (uid and extra omitted when empty). */
export function userInfoOf(user: UserInfo): Record<string, unknown> {
  const info: Record<string, unknown> = { username: user.username };
  if (user.uid) info['uid'] = user.uid;
  info['groups'] = [...user.groups];
  if (user.extra && Object.keys(user.extra).length > 0) info['extra'] = structuredClone(user.extra);
  return info;
}

function withAuthenticatedGroup(user: UserInfo): UserInfo {
  return user.groups.includes(AUTHENTICATED_GROUP) ? user : { ...user, groups: [...user.groups, AUTHENTICATED_GROUP] };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function goQuoted(values: readonly string[]): string {
  return `[${values.map((v) => JSON.stringify(v)).join(' ')}]`;
}
