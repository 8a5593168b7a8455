// Public surface of authorization, the authentication and authorization review APIs, and
// ServiceAccount tokens.

export { AllowAuthenticated, isAuthenticated, ANONYMOUS_USER, UNAUTHENTICATED_GROUP } from './authorizer.ts';
export type { AuthorizationAttributes, AuthorizationDecision, Authorizer, NonResourceRule, ResourceRule, RulesInfo } from './authorizer.ts';
export { forbiddenError, forbiddenMessage, requestAttributes } from './request-attributes.ts';
export { registryObjectGetter, type ObjectGetter } from './object-getter.ts';
export { API_AUDIENCES, SERVICE_ACCOUNT_ISSUER, ServiceAccountJwt } from './service-account-jwt.ts';
export type { IssuedToken, IssueRequest, KubernetesClaim, ServiceAccountJwtOptions, VerifyResult } from './service-account-jwt.ts';
export { SERVICE_ACCOUNTS_GROUP, ServiceAccountTokens, serviceAccountUser } from './service-account-tokens.ts';
export type { ServiceAccountTokensOptions, TokenCheck } from './service-account-tokens.ts';
export { DEFAULT_EXPIRATION_SECONDS, tokenRequestHandler } from './token-request.ts';
export { registerAuthResources, type AuthResourcesDeps } from './register.ts';
