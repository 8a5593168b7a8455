// The objects pods refer to (ConfigMaps, Secrets, PersistentVolumeClaims, PersistentVolumes, the
// Node), read for env and volumes through the agent's client with a short TTL, as upstream's
// TTL-based configmap/secret managers do: each object is fetched at most once per TTL however
// many pods and containers use it, and a change reaches them within the TTL. Concurrent reads of
// one object share one request. A missing object is a NotFound StatusError whose message names the
// kind as the kubelet's managers do (`configmap "x" not found`), since that message ends up in
// pod statuses and events.

import type { KubeObject } from '../../api/types.ts';
import type { Clock } from '../../client/clock.ts';
import type { RestClient } from '../../client/index.ts';
import { isNotFound, notFound } from '../../machinery/status-error.ts';

export type SourceKind = 'configmap' | 'secret' | 'persistentvolumeclaim' | 'persistentvolume' | 'node';

const RESOURCES: Record<SourceKind, { group: string; version: string; resource: string; namespaced: boolean }> = {
  configmap: { group: '', version: 'v1', resource: 'configmaps', namespaced: true },
  secret: { group: '', version: 'v1', resource: 'secrets', namespaced: true },
  persistentvolumeclaim: { group: '', version: 'v1', resource: 'persistentvolumeclaims', namespaced: true },
  persistentvolume: { group: '', version: 'v1', resource: 'persistentvolumes', namespaced: false },
  node: { group: '', version: 'v1', resource: 'nodes', namespaced: false },
};

/** Reads objects by kind, namespace and name (namespace '' for cluster-scoped kinds). */
export interface ObjectSource {
  get<T extends KubeObject = KubeObject>(kind: SourceKind, namespace: string, name: string): Promise<T>;
}

/** Past this many entries, expired ones are dropped before another is added. */
const SWEEP_AT = 1024;

interface Entry {
  at: number;
  value: Promise<KubeObject>;
}

export class CachedObjectSource implements ObjectSource {
  readonly #fetch: (kind: SourceKind, namespace: string, name: string) => Promise<KubeObject>;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #entries = new Map<string, Entry>();

  constructor(fetch: (kind: SourceKind, namespace: string, name: string) => Promise<KubeObject>, clock: Clock, ttlMs: number) {
    this.#fetch = fetch;
    this.#clock = clock;
    this.#ttlMs = ttlMs;
  }

  /** A source that reads through the agent's client. */
  static forClient(client: RestClient, clock: Clock, ttlMs: number): CachedObjectSource {
    return new CachedObjectSource(async (kind, namespace, name) => {
      const r = RESOURCES[kind];
      try {
        return await client.get({ group: r.group, version: r.version, resource: r.resource, name, ...(r.namespaced ? { namespace } : {}) });
      } catch (err) {
        // The kubelet's wording (singular kind), which pods show in their statuses.
        if (isNotFound(err)) throw notFound({ group: '', resource: kind }, name);
        throw err;
      }
    }, clock, ttlMs);
  }

  async get<T extends KubeObject = KubeObject>(kind: SourceKind, namespace: string, name: string): Promise<T> {
    const key = `${kind}/${namespace}/${name}`;
    const now = this.#clock.now();
    const hit = this.#entries.get(key);
    if (hit && now - hit.at < this.#ttlMs) return hit.value as Promise<T>;
    const value = this.#fetch(kind, namespace, name);
    if (this.#entries.size >= SWEEP_AT) this.#sweep(now);
    this.#entries.set(key, { at: now, value });
    // A failure other than NotFound (the API unreachable) is not kept: the next read retries.
    value.catch((err: unknown) => {
      if (!isNotFound(err) && this.#entries.get(key)?.value === value) this.#entries.delete(key);
    });
    return value as Promise<T>;
  }

  /** Drops expired entries, so objects no pod reads any more do not stay in memory. */
  #sweep(now: number): void {
    for (const [key, e] of this.#entries) if (now - e.at >= this.#ttlMs) this.#entries.delete(key);
  }

  /** Forgets everything (tests; a pod worker that must see the newest objects at once). */
  invalidate(): void {
    this.#entries.clear();
  }
}
