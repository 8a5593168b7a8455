// ServiceAccount tokens as upstream issues them (bound tokens, pkg/serviceaccount/claims.go): an
// ES256 (or RS256) JWT signed with the cluster's service-account key, issuer
// https://kubernetes.default.svc.cluster.local, subject system:serviceaccount:<ns>:<name>, and
// the private `kubernetes.io` claim naming the ServiceAccount and any object the token is bound
// to. This file only signs and checks signatures and times; whether the ServiceAccount still
// exists is the authenticator's business.

import { createHash, createPrivateKey, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { decodeJwt, errors, jwtVerify, SignJWT } from 'jose';

export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
/** The audiences the API server itself accepts (upstream --api-audiences defaults to the issuer). */
export const API_AUDIENCES: readonly string[] = Object.freeze([SERVICE_ACCOUNT_ISSUER]);
export const SERVICE_ACCOUNT_USER_PREFIX = 'system:serviceaccount:';

/** Leeway for clock skew on exp/nbf (go-jose's DefaultLeeway). */
const LEEWAY_SECONDS = 60;

export interface ObjectRef {
  name: string;
  uid: string;
}

/** The `kubernetes.io` private claim. */
export interface KubernetesClaim {
  namespace: string;
  serviceaccount: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
}

export interface IssueRequest {
  namespace: string;
  serviceAccount: ObjectRef;
  audiences: readonly string[];
  expirationSeconds: number;
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
}

export interface IssuedToken {
  token: string;
  expirationTimestamp: Date;
  /** The token's `jti`, which the authenticator reports as the credential id. */
  id: string;
}

export interface VerifiedClaims {
  kubernetes: KubernetesClaim;
  /** The requested audiences the token is valid for. */
  audiences: string[];
  expiresAt: Date;
  id: string | undefined;
}

/** The outcome of checking a token: not one of ours (another authenticator may know it), rejected, or valid. */
export type VerifyResult = { readonly kind: 'foreign' } | { readonly kind: 'rejected'; readonly error: string } | { readonly kind: 'valid'; readonly claims: VerifiedClaims };

export interface ServiceAccountJwtOptions {
  /** PEM private key (PKCS#8, SEC1 or PKCS#1): EC P-256 signs ES256, P-384 ES384, RSA RS256. */
  privateKeyPem: string;
  issuer?: string;
  now?: () => Date;
}

export class ServiceAccountJwt {
  readonly issuer: string;
  readonly #privateKey: KeyObject;
  readonly #publicKey: KeyObject;
  readonly #alg: string;
  readonly #kid: string;
  readonly #now: () => Date;

  constructor(options: ServiceAccountJwtOptions) {
    this.issuer = options.issuer ?? SERVICE_ACCOUNT_ISSUER;
    this.#privateKey = createPrivateKey(options.privateKeyPem);
    this.#publicKey = createPublicKey(this.#privateKey);
    this.#alg = algorithmOf(this.#privateKey);
    this.#kid = keyId(this.#publicKey);
    this.#now = options.now ?? (() => new Date());
  }

  async issue(request: IssueRequest): Promise<IssuedToken> {
    const now = Math.floor(this.#now().getTime() / 1000);
    const exp = now + request.expirationSeconds;
    const id = randomUUID();
    const kubernetes: KubernetesClaim = { namespace: request.namespace, serviceaccount: { name: request.serviceAccount.name, uid: request.serviceAccount.uid } };
    if (request.node) kubernetes.node = { ...request.node };
    if (request.pod) kubernetes.pod = { ...request.pod };
    if (request.secret) kubernetes.secret = { ...request.secret };
    const token = await new SignJWT({ 'kubernetes.io': kubernetes })
      .setProtectedHeader({ alg: this.#alg, kid: this.#kid })
      .setIssuer(this.issuer)
      .setSubject(`${SERVICE_ACCOUNT_USER_PREFIX}${request.namespace}:${request.serviceAccount.name}`)
      .setAudience([...request.audiences])
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(exp)
      .setJti(id)
      .sign(this.#privateKey);
    return { token, expirationTimestamp: new Date(exp * 1000), id };
  }

  /** Checks signature, issuer, times and that the token is meant for one of `audiences`. */
  async verify(token: string, audiences: readonly string[]): Promise<VerifyResult> {
    let issuer: unknown;
    try {
      issuer = decodeJwt(token).iss;
    } catch {
      return { kind: 'foreign' };
    }
    if (issuer !== this.issuer) return { kind: 'foreign' };
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.#publicKey, {
        issuer: this.issuer,
        algorithms: [this.#alg],
        currentDate: this.#now(),
        clockTolerance: LEEWAY_SECONDS,
        requiredClaims: ['exp', 'sub', 'aud'],
      }));
    } catch (err) {
      return { kind: 'rejected', error: rejection(err) };
    }
    const tokenAudiences = typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? []);
    const matched = audiences.filter((a) => tokenAudiences.includes(a));
    if (matched.length === 0) {
      return { kind: 'rejected', error: `token audiences ${goQuoted(tokenAudiences)} is invalid for the target audiences ${goQuoted(audiences)}` };
    }
    const kubernetes = kubernetesClaim(payload['kubernetes.io']);
    if (!kubernetes || payload.sub !== `${SERVICE_ACCOUNT_USER_PREFIX}${kubernetes.namespace}:${kubernetes.serviceaccount.name}`) {
      return { kind: 'rejected', error: 'service account token claims are malformed' };
    }
    return { kind: 'valid', claims: { kubernetes, audiences: matched, expiresAt: new Date((payload.exp as number) * 1000), id: payload.jti } };
  }
}

function algorithmOf(key: KeyObject): string {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return 'ES256';
    if (curve === 'secp384r1') return 'ES384';
    throw new Error(`unsupported EC curve ${curve ?? 'unknown'} for the service account key`);
  }
  throw new Error(`unsupported service account key type ${key.asymmetricKeyType ?? 'unknown'}`);
}

/** upstream keyIDFromPublicKey: base64url(SHA-256(DER SubjectPublicKeyInfo)). */
function keyId(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url');
}

function kubernetesClaim(value: unknown): KubernetesClaim | undefined {
  if (!isRecord(value) || typeof value['namespace'] !== 'string' || value['namespace'] === '') return undefined;
  const serviceaccount = objectRef(value['serviceaccount']);
  if (!serviceaccount) return undefined;
  const claim: KubernetesClaim = { namespace: value['namespace'], serviceaccount };
  for (const field of ['pod', 'secret', 'node'] as const) {
    if (value[field] === undefined) continue;
    const ref = objectRef(value[field]);
    if (!ref) return undefined;
    claim[field] = ref;
  }
  return claim;
}

function objectRef(value: unknown): ObjectRef | undefined {
  if (!isRecord(value) || typeof value['name'] !== 'string' || value['name'] === '' || typeof value['uid'] !== 'string') return undefined;
  return { name: value['name'], uid: value['uid'] };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function rejection(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'service account token has expired';
  if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'nbf') return 'service account token is not valid yet';
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'service account token signature is invalid';
  if (err instanceof errors.JOSEAlgNotAllowed) return 'service account token is signed with an unexpected algorithm';
  if (err instanceof errors.JOSEError) return `service account token is invalid: ${err.message}`;
  throw err;
}

/** Go's %q of a []string, as upstream error messages print audiences. */
function goQuoted(values: readonly string[]): string {
  return `[${values.map((v) => JSON.stringify(v)).join(' ')}]`;
}
