// ServiceAccount tokens end to end: issuing them (for the TokenRequest subresource) and accepting
// them as bearer tokens. A token is accepted while its signature, times and audience hold and the
// ServiceAccount — and any Pod, Secret or Node it is bound to — still exists with the uid the
// token names (upstream pkg/serviceaccount validator), so deleting the ServiceAccount revokes it.

import type { KubeObject } from '../../api/types.ts';
import type { TokenAuthenticator, UserInfo } from '../filters/authn.ts';
import type { ObjectGetter } from './object-getter.ts';
import { API_AUDIENCES, SERVICE_ACCOUNT_USER_PREFIX, type IssuedToken, type IssueRequest, type KubernetesClaim, type ObjectRef, type ServiceAccountJwt } from './service-account-jwt.ts';

export const SERVICE_ACCOUNTS_GROUP = 'system:serviceaccounts';
/** User extra keys upstream sets for bound tokens. */
export const CREDENTIAL_ID_EXTRA = 'authentication.kubernetes.io/credential-id';
const POD_NAME_EXTRA = 'authentication.kubernetes.io/pod-name';
const POD_UID_EXTRA = 'authentication.kubernetes.io/pod-uid';
const NODE_NAME_EXTRA = 'authentication.kubernetes.io/node-name';
const NODE_UID_EXTRA = 'authentication.kubernetes.io/node-uid';

/** A deleted object's tokens stay valid this long past its deletionTimestamp (upstream grace). */
const DELETION_GRACE_MS = 60_000;

/** Not a ServiceAccount token (another authenticator may know it), rejected, or authenticated. */
export type TokenCheck =
  | { readonly kind: 'foreign' }
  | { readonly kind: 'rejected'; readonly error: string }
  | { readonly kind: 'authenticated'; readonly user: UserInfo; readonly audiences: string[] };

export interface ServiceAccountTokensOptions {
  jwt: ServiceAccountJwt;
  getObject: ObjectGetter;
  /** Audiences the API server accepts; also the default audiences of issued tokens. */
  apiAudiences?: readonly string[];
  now?: () => Date;
}

export class ServiceAccountTokens implements TokenAuthenticator {
  readonly apiAudiences: readonly string[];
  readonly getObject: ObjectGetter;
  readonly #jwt: ServiceAccountJwt;
  readonly #now: () => Date;

  constructor(options: ServiceAccountTokensOptions) {
    this.#jwt = options.jwt;
    this.getObject = options.getObject;
    this.apiAudiences = Object.freeze([...(options.apiAudiences ?? API_AUDIENCES)]);
    this.#now = options.now ?? (() => new Date());
  }

  issue(request: IssueRequest): Promise<IssuedToken> {
    return this.#jwt.issue(request);
  }

  /** The bearer-token path: valid for the API server's own audiences only. */
  async authenticate(token: string): Promise<UserInfo | undefined> {
    const check = await this.check(token, this.apiAudiences);
    return check.kind === 'authenticated' ? check.user : undefined;
  }

  /** Checks a token for the given audiences (TokenReview passes the ones it was asked about). */
  async check(token: string, audiences: readonly string[]): Promise<TokenCheck> {
    const verified = await this.#jwt.verify(token, audiences);
    if (verified.kind !== 'valid') return verified;
    const { kubernetes, audiences: matched, id } = verified.claims;
    const problem = await this.#boundObjectsProblem(kubernetes);
    if (problem !== undefined) return { kind: 'rejected', error: problem };
    return { kind: 'authenticated', user: serviceAccountUser(kubernetes, id), audiences: matched };
  }

  /** Why the token no longer holds (its ServiceAccount or bound object is gone or replaced). */
  async #boundObjectsProblem(claim: KubernetesClaim): Promise<string | undefined> {
    const ns = claim.namespace;
    const checks: [kind: string, resource: string, namespace: string | undefined, ref: ObjectRef | undefined][] = [
      ['ServiceAccount', 'serviceaccounts', ns, claim.serviceaccount],
      ['Secret', 'secrets', ns, claim.secret],
      ['Pod', 'pods', ns, claim.pod],
      ['Node', 'nodes', undefined, claim.node],
    ];
    for (const [kind, resource, namespace, ref] of checks) {
      if (ref === undefined) continue;
      let obj = await this.getObject('', kind, namespace, ref.name);
      // The cache may lag a delete-and-recreate; decide a mismatch on a consistent read.
      if (obj?.metadata.uid !== ref.uid) obj = await this.getObject('', kind, namespace, ref.name, true);
      if (obj === undefined) return `${resource} ${JSON.stringify(ref.name)} not found`;
      if (obj.metadata.uid !== ref.uid) {
        const what = kind === 'ServiceAccount' ? 'claim' : `service account ${kind.toLowerCase()} ref claim`;
        return `${kind === 'ServiceAccount' ? 'service account' : kind.toLowerCase()} UID (${obj.metadata.uid ?? ''}) does not match ${what} (${ref.uid})`;
      }
      if (deletedLongAgo(obj, this.#now())) return 'service account token has been invalidated';
    }
    return undefined;
  }
}

function deletedLongAgo(obj: KubeObject, now: Date): boolean {
  const deleted = obj.metadata.deletionTimestamp;
  return deleted !== undefined && Date.parse(deleted) + DELETION_GRACE_MS < now.getTime();
}

/** The identity of a verified token: system:serviceaccount:<ns>:<name> in the ServiceAccount groups. */
export function serviceAccountUser(claim: KubernetesClaim, id: string | undefined): UserInfo {
  const extra: Record<string, string[]> = {};
  if (id) extra[CREDENTIAL_ID_EXTRA] = [`JTI=${id}`];
  if (claim.pod) {
    extra[POD_NAME_EXTRA] = [claim.pod.name];
    extra[POD_UID_EXTRA] = [claim.pod.uid];
  }
  if (claim.node) {
    extra[NODE_NAME_EXTRA] = [claim.node.name];
    extra[NODE_UID_EXTRA] = [claim.node.uid];
  }
  const user: UserInfo = {
    username: `${SERVICE_ACCOUNT_USER_PREFIX}${claim.namespace}:${claim.serviceaccount.name}`,
    uid: claim.serviceaccount.uid,
    groups: [SERVICE_ACCOUNTS_GROUP, `${SERVICE_ACCOUNTS_GROUP}:${claim.namespace}`],
  };
  if (Object.keys(extra).length > 0) user.extra = extra;
  return user;
}
