// Bootstrap tokens (upstream's kubeadm join tokens): `<id>.<secret>`, stored as a Secret
// `kube-system/bootstrap-token-<id>` of type bootstrap.kubernetes.io/token. A valid, unexpired
// token authenticates as `system:bootstrap:<id>` in `system:bootstrappers` plus its extra groups;
// deleting the Secret revokes it. The format helpers are shared with `strata token`.

import { randomInt, timingSafeEqual } from 'node:crypto';
import type { KubeObject } from '../../api/types.ts';
import type { ObjectGetter } from '../auth/object-getter.ts';
import type { TokenAuthenticator, UserInfo } from './authn.ts';

export const BOOTSTRAP_TOKEN_SECRET_TYPE = 'bootstrap.kubernetes.io/token';
export const BOOTSTRAP_TOKEN_SECRET_PREFIX = 'bootstrap-token-';
export const BOOTSTRAP_USER_PREFIX = 'system:bootstrap:';
export const BOOTSTRAPPERS_GROUP = 'system:bootstrappers';
/** The extra group `strata token create` grants, as kubeadm's default. */
export const DEFAULT_BOOTSTRAP_EXTRA_GROUP = 'system:bootstrappers:kubeadm:default-node-token';
const TOKEN_PATTERN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const EXTRA_GROUP_PATTERN = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export interface BootstrapToken {
  readonly id: string;
  readonly secret: string;
}

/** The id and secret of a well-formed token, or undefined. */
export function parseBootstrapToken(token: string): BootstrapToken | undefined {
  const match = TOKEN_PATTERN.exec(token);
  if (!match) return undefined;
  return { id: match[1] ?? '', secret: match[2] ?? '' };
}

export function formatBootstrapToken(token: BootstrapToken): string {
  return `${token.id}.${token.secret}`;
}

function randomString(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/** A fresh random token (crypto-random, uniform over [a-z0-9]). */
export function generateBootstrapToken(): BootstrapToken {
  return { id: randomString(6), secret: randomString(16) };
}

export interface BootstrapTokenSecretOptions {
  /** Lifetime in ms; 0 means the token never expires. */
  ttlMs: number;
  now: Date;
  description?: string;
  extraGroups?: readonly string[];
}

/** The Secret that stores a token for the authenticator (stringData-free: data is base64). */
export function bootstrapTokenSecret(token: BootstrapToken, options: BootstrapTokenSecretOptions): KubeObject {
  const data: Record<string, string> = {
    'token-id': token.id,
    'token-secret': token.secret,
    'usage-bootstrap-authentication': 'true',
    'usage-bootstrap-signing': 'true',
    'auth-extra-groups': (options.extraGroups ?? [DEFAULT_BOOTSTRAP_EXTRA_GROUP]).join(','),
  };
  if (options.ttlMs > 0) data['expiration'] = new Date(options.now.getTime() + options.ttlMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (options.description !== undefined) data['description'] = options.description;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: BOOTSTRAP_TOKEN_SECRET_PREFIX + token.id, namespace: 'kube-system' },
    type: BOOTSTRAP_TOKEN_SECRET_TYPE,
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}

/** A token Secret's data fields decoded (missing fields are absent). */
export function bootstrapTokenData(secret: KubeObject): Record<string, string> {
  const data = (secret['data'] ?? {}) as Record<string, string>;
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}

/** Why a token Secret does not authenticate `token`, or the user it authenticates. */
export function checkBootstrapTokenSecret(token: BootstrapToken, secret: KubeObject | undefined, now: Date): { user: UserInfo } | { problem: string } {
  if (secret === undefined) return { problem: 'no token secret' };
  if (secret['type'] !== BOOTSTRAP_TOKEN_SECRET_TYPE) return { problem: 'secret has the wrong type' };
  if (secret.metadata.deletionTimestamp) return { problem: 'token secret is being deleted' };
  const data = bootstrapTokenData(secret);
  if (data['token-id'] !== token.id) return { problem: 'token id does not match its secret' };
  const stored = Buffer.from(data['token-secret'] ?? '');
  const given = Buffer.from(token.secret);
  if (stored.length !== given.length || !timingSafeEqual(stored, given)) return { problem: 'wrong token secret' };
  if (data['usage-bootstrap-authentication'] !== 'true') return { problem: 'token not usable for authentication' };
  const expiration = data['expiration'];
  if (expiration !== undefined) {
    const at = Date.parse(expiration);
    if (Number.isNaN(at) || at <= now.getTime()) return { problem: 'token expired' };
  }
  const groups = [BOOTSTRAPPERS_GROUP];
  for (const group of (data['auth-extra-groups'] ?? '').split(',').map((g) => g.trim()).filter((g) => g !== '')) {
    // Upstream refuses a token whose extra groups leave the system:bootstrappers: prefix.
    if (!EXTRA_GROUP_PATTERN.test(group)) return { problem: `invalid extra group ${group}` };
    if (!groups.includes(group)) groups.push(group);
  }
  return { user: { username: BOOTSTRAP_USER_PREFIX + token.id, groups } };
}

export interface BootstrapTokenAuthenticatorOptions {
  getObject: ObjectGetter;
  now?: () => Date;
}

export class BootstrapTokenAuthenticator implements TokenAuthenticator {
  readonly #getObject: ObjectGetter;
  readonly #now: () => Date;

  constructor(options: BootstrapTokenAuthenticatorOptions) {
    this.#getObject = options.getObject;
    this.#now = options.now ?? (() => new Date());
  }

  async authenticate(raw: string): Promise<UserInfo | undefined> {
    const token = parseBootstrapToken(raw);
    if (token === undefined) return undefined; // not a bootstrap token: another authenticator's
    const name = BOOTSTRAP_TOKEN_SECRET_PREFIX + token.id;
    let secret = await this.#getObject('', 'Secret', 'kube-system', name);
    let check = checkBootstrapTokenSecret(token, secret, this.#now());
    // The watch cache may lag a just-created or replaced Secret: confirm a refusal with a consistent read.
    if ('problem' in check && secret !== undefined) {
      secret = await this.#getObject('', 'Secret', 'kube-system', name, true);
      check = checkBootstrapTokenSecret(token, secret, this.#now());
    }
    return 'user' in check ? check.user : undefined;
  }
}
