// Serves the authentication and authorization API: the review kinds as computed create-only
// resources (their definitions come from the catalog; no strategy defaults or validates them)
// and the ServiceAccount `token` subresource.

import { REVIEW_RESOURCES } from '../../api/resources.ts';
import type { ApiRegistry, VirtualCreate } from '../api-registry.ts';
import type { Authenticator } from '../filters/authn.ts';
import { baseStrategy } from '../registry/strategy.ts';
import { selfSubjectReview, tokenReview } from './authentication-reviews.ts';
import { localSubjectAccessReview, selfSubjectAccessReview, selfSubjectRulesReview, subjectAccessReview } from './authorization-reviews.ts';
import type { Authorizer } from './authorizer.ts';
import type { ServiceAccountTokens } from './service-account-tokens.ts';
import { tokenRequestHandler } from './token-request.ts';

export interface AuthResourcesDeps {
  authenticator: Authenticator;
  authorizer: Authorizer;
  tokens: ServiceAccountTokens;
  now?: () => Date;
}

/** group/kind → handler of every review kind this server computes. */
function reviewHandlers(deps: AuthResourcesDeps): Map<string, VirtualCreate> {
  const now = deps.now ?? (() => new Date());
  return new Map([
    ['authentication.k8s.io/SelfSubjectReview', selfSubjectReview(now)],
    ['authentication.k8s.io/TokenReview', tokenReview({ authenticator: deps.authenticator, tokens: deps.tokens })],
    ['authorization.k8s.io/SelfSubjectAccessReview', selfSubjectAccessReview(deps.authorizer)],
    ['authorization.k8s.io/SubjectAccessReview', subjectAccessReview(deps.authorizer)],
    ['authorization.k8s.io/LocalSubjectAccessReview', localSubjectAccessReview(deps.authorizer)],
    ['authorization.k8s.io/SelfSubjectRulesReview', selfSubjectRulesReview(deps.authorizer)],
  ]);
}

/** Adds the review resources and the serviceaccounts/token subresource. */
export function registerAuthResources(registry: ApiRegistry, deps: AuthResourcesDeps): void {
  const handlers = reviewHandlers(deps);
  for (const def of REVIEW_RESOURCES) {
    const virtual = handlers.get(`${def.group}/${def.kind}`);
    if (!virtual) throw new Error(`no handler for the review kind ${def.group}/${def.kind}`);
    registry.add(def, baseStrategy(def), { virtual });
  }
  registry.addSubresource('', 'serviceaccounts', 'token', tokenRequestHandler(deps.tokens, deps.now));
}
