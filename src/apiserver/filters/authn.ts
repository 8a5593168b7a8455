// Request authentication: who is calling. Like the Kubernetes union authenticator it tries a
// client certificate verified against the cluster CA first, then the bearer token against each
// token authenticator in turn; the first one that recognises the caller wins. No identity means
// anonymous, which the server answers with 401.

import type { PeerCertificate } from 'node:tls';
import type { Logger } from 'pino';

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** Recognises a bearer token, or returns undefined when the token is not one of its own. */
export interface TokenAuthenticator {
  authenticate(token: string): Promise<UserInfo | undefined>;
}

/**
 * The part of a TLS socket the certificate check reads. The server is created with
 * `requestCert: true, rejectUnauthorized: false, ca: [clusterCa]`, so `authorized` says whether
 * the peer's chain verified against the cluster CA.
 */
export interface PeerCertificateSocket {
  readonly authorized?: boolean;
  getPeerCertificate?(detailed?: boolean): PeerCertificate | object | null;
}

export interface AuthnRequest {
  readonly socket: PeerCertificateSocket | object;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /**
   * Present on HTTP/2 compatibility requests. Their `socket` is a new proxy per stream, so the
   * per-connection cache is keyed on the session instead.
   */
  readonly stream?: { readonly session?: object | undefined } | undefined;
}

export interface AuthenticatorOptions {
  tokenAuthenticators?: readonly TokenAuthenticator[];
  logger?: Logger;
}

export const AUTHENTICATED_GROUP = 'system:authenticated';
const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';
const ANY_EXTENDED_KEY_USAGE_OID = '2.5.29.37.0';

export class Authenticator {
  readonly #tokenAuthenticators: TokenAuthenticator[];
  // The certificate identity of a connection never changes, so it is worked out once per TLS
  // connection rather than once per HTTP/2 stream. null records "no usable certificate".
  readonly #certificateUsers = new WeakMap<object, UserInfo | null>();
  readonly #log: Logger | undefined;

  constructor(options: AuthenticatorOptions = {}) {
    this.#tokenAuthenticators = [...(options.tokenAuthenticators ?? [])];
    this.#log = options.logger?.child({ component: 'authn' });
  }

  /** Adds a token authenticator tried after those already present (e.g. ServiceAccount JWTs). */
  addTokenAuthenticator(authenticator: TokenAuthenticator): void {
    this.#tokenAuthenticators.push(authenticator);
  }

  /** The caller's identity, always including system:authenticated; undefined when anonymous. */
  async authenticate(req: AuthnRequest): Promise<UserInfo | undefined> {
    const certificateUser = this.#certificateUser(req);
    if (certificateUser !== undefined) return withAuthenticatedGroup(certificateUser);

    const token = bearerToken(req.headers);
    if (token === undefined) return undefined;
    for (const authenticator of this.#tokenAuthenticators) {
      let user: UserInfo | undefined;
      try {
        user = await authenticator.authenticate(token);
      } catch (err) {
        // One failing authenticator must not lock out callers another one recognises; if none
        // does, the caller is anonymous and gets 401, as with Kubernetes' union authenticator.
        this.#log?.warn({ err }, 'token authenticator failed');
        continue;
      }
      if (user !== undefined) return withAuthenticatedGroup(user);
    }
    return undefined;
  }

  #certificateUser(req: AuthnRequest): UserInfo | undefined {
    const connection = req.stream?.session ?? req.socket;
    const cached = this.#certificateUsers.get(connection);
    if (cached !== undefined) return cached ?? undefined;
    const user = userFromPeerCertificate(req.socket as PeerCertificateSocket, this.#log);
    this.#certificateUsers.set(connection, user ?? null);
    return user;
  }
}

/** CN → username, each O → a group; only for a chain the TLS layer verified against the CA. */
function userFromPeerCertificate(socket: PeerCertificateSocket, log: Logger | undefined): UserInfo | undefined {
  if (typeof socket.getPeerCertificate !== 'function') return undefined; // not TLS
  const cert = socket.getPeerCertificate(false) as Partial<PeerCertificate> | null;
  if (cert === null || cert.subject === undefined) return undefined; // no certificate sent
  if (socket.authorized !== true) {
    log?.debug({ subject: cert.subject }, 'client certificate not signed by the cluster CA');
    return undefined;
  }
  // A certificate restricted to other purposes (a serving certificate) is no client identity.
  const usages = (cert as { ext_key_usage?: string[] }).ext_key_usage;
  if (usages !== undefined && !usages.includes(CLIENT_AUTH_OID) && !usages.includes(ANY_EXTENDED_KEY_USAGE_OID)) {
    return undefined;
  }
  const username = values(cert.subject.CN)[0];
  if (username === undefined || username === '') return undefined;
  return { username, groups: values(cert.subject.O) };
}

/** Node gives a repeated subject attribute as an array, a single one as a string. */
function values(attribute: string | string[] | undefined): string[] {
  if (attribute === undefined) return [];
  return Array.isArray(attribute) ? [...attribute] : [attribute];
}

/** The token of an `Authorization: Bearer <token>` header, parsed as Kubernetes does. */
export function bearerToken(headers: AuthnRequest['headers']): string | undefined {
  const header = headers.authorization;
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (value === undefined) return undefined;
  const parts = value.split(' ');
  if (parts.length < 2 || parts[0]?.toLowerCase() !== 'bearer') return undefined;
  const token = parts[1];
  return token === undefined || token === '' ? undefined : token;
}

/** A fresh copy (cached identities are shared) that includes system:authenticated. */
function withAuthenticatedGroup(user: UserInfo): UserInfo {
  const groups = user.groups.includes(AUTHENTICATED_GROUP) ? [...user.groups] : [...user.groups, AUTHENTICATED_GROUP];
  const copy: UserInfo = { username: user.username, groups };
  if (user.uid !== undefined) copy.uid = user.uid;
  if (user.extra !== undefined) {
    copy.extra = Object.fromEntries(Object.entries(user.extra).map(([key, v]) => [key, [...v]]));
  }
  return copy;
}
