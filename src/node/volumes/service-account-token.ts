// Service account tokens for projected volumes, as the kubelet's token manager gets them: a
// TokenRequest (serviceaccounts/<name>/token) for the pod's service account, bound to the pod,
// with the volume's audience and lifetime; cached per (account, audiences, lifetime, pod) and
// requested again once 80% of its lifetime has passed or it is older than 24 h, so the file the
// volume refreshes always holds a valid token.

import type { Clock } from '../../client/clock.ts';
import type { RestClient } from '../../client/index.ts';
import { resourcePath } from '../../client/rest-client.ts';

export interface TokenWish {
  namespace: string;
  serviceAccount: string;
  /** [] means the API server's own audiences. */
  audiences: string[];
  expirationSeconds: number;
  pod: { name: string; uid: string };
}

export interface TokenSource {
  token(wish: TokenWish): Promise<string>;
  /** Drops what is kept for a pod that is gone. */
  forgetPod?(uid: string): void;
}

/** What the API answered: the token and when it expires (ms since the epoch). */
export interface IssuedToken {
  token: string;
  expiresAt: number;
}

const MAX_TTL_MS = 24 * 3600 * 1000;

interface Cached extends IssuedToken {
  issuedAt: number;
}

export class TokenManager implements TokenSource {
  readonly #request: (wish: TokenWish) => Promise<IssuedToken>;
  readonly #clock: Clock;
  readonly #cache = new Map<string, Cached>();

  constructor(request: (wish: TokenWish) => Promise<IssuedToken>, clock: Clock) {
    this.#request = request;
    this.#clock = clock;
  }

  /** A manager that asks the API server through the agent's client. */
  static forClient(client: RestClient, clock: Clock): TokenManager {
    return new TokenManager(async (wish) => {
      const path = resourcePath({ group: '', version: 'v1', resource: 'serviceaccounts', namespace: wish.namespace, name: wish.serviceAccount }, 'token');
      const tr = await client.request<{ status?: { token?: string; expirationTimestamp?: string } }>('POST', path, {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: {
          audiences: wish.audiences,
          expirationSeconds: wish.expirationSeconds,
          boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: wish.pod.name, uid: wish.pod.uid },
        },
      });
      const token = tr.status?.token ?? '';
      const expiresAt = Date.parse(tr.status?.expirationTimestamp ?? '');
      if (!token || !Number.isFinite(expiresAt)) throw new Error(`the TokenRequest for ${wish.namespace}/${wish.serviceAccount} answered no token`);
      return { token, expiresAt };
    }, clock);
  }

  async token(wish: TokenWish): Promise<string> {
    const key = JSON.stringify([wish.namespace, wish.serviceAccount, wish.audiences, wish.expirationSeconds, wish.pod.uid]);
    const cached = this.#cache.get(key);
    if (cached && !this.#needsRefresh(cached)) return cached.token;
    try {
      const issued = await this.#request(wish);
      this.#cache.set(key, { ...issued, issuedAt: this.#clock.now() });
      return issued.token;
    } catch (err) {
      // A token that is still valid beats none while the API server is unreachable.
      if (cached && cached.expiresAt > this.#clock.now()) return cached.token;
      throw err;
    }
  }

  /** Drops the tokens of a pod that is gone. */
  forgetPod(uid: string): void {
    for (const key of this.#cache.keys()) if ((JSON.parse(key) as unknown[])[4] === uid) this.#cache.delete(key);
  }

  #needsRefresh(t: Cached): boolean {
    const now = this.#clock.now();
    const lifetime = t.expiresAt - t.issuedAt;
    return now >= t.issuedAt + lifetime * 0.8 || now >= t.issuedAt + MAX_TTL_MS;
  }
}
