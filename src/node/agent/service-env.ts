// The Service env vars upstream's kubelet gives every container (docker-link style): for the
// `kubernetes` Service of the default namespace always, and for every Service of the pod's own
// namespace unless enableServiceLinks is false: <NAME>_SERVICE_HOST, <NAME>_SERVICE_PORT,
// <NAME>_SERVICE_PORT_<PORTNAME>, <NAME>_PORT and <NAME>_PORT_<port>_<PROTO>[_PROTO|_PORT|_ADDR].
// Only Services with a cluster IP count. The user's own env wins over these.

import type { KubeObject } from '../../api/types.ts';
import type { Clock } from '../../client/clock.ts';
import type { RestClient } from '../../client/index.ts';

export interface ServiceObject extends KubeObject {
  spec?: { clusterIP?: string; ports?: { name?: string; port: number; protocol?: string }[] };
}

/** The Services of a namespace. */
export interface ServiceLister {
  list(namespace: string): Promise<ServiceObject[]>;
}

const envName = (name: string): string => name.toUpperCase().replaceAll('-', '_');

/** The env vars of these Services, later Services overriding earlier ones of the same name. */
export function serviceEnv(services: readonly ServiceObject[]): Map<string, string> {
  const env = new Map<string, string>();
  for (const svc of services) {
    const ip = svc.spec?.clusterIP ?? '';
    const ports = svc.spec?.ports ?? [];
    if (!ip || ip === 'None' || ports.length === 0) continue;
    const name = envName(svc.metadata.name ?? '');
    env.set(`${name}_SERVICE_HOST`, ip);
    env.set(`${name}_SERVICE_PORT`, String(ports[0]!.port));
    for (const p of ports) if (p.name) env.set(`${name}_SERVICE_PORT_${envName(p.name)}`, String(p.port));
    const first = ports[0]!;
    env.set(`${name}_PORT`, `${(first.protocol ?? 'TCP').toLowerCase()}://${ip}:${first.port}`);
    for (const p of ports) {
      const proto = p.protocol ?? 'TCP';
      const prefix = `${name}_PORT_${p.port}_${proto.toUpperCase()}`;
      env.set(prefix, `${proto.toLowerCase()}://${ip}:${p.port}`);
      env.set(`${prefix}_PROTO`, proto.toLowerCase());
      env.set(`${prefix}_PORT`, String(p.port));
      env.set(`${prefix}_ADDR`, ip);
    }
  }
  return env;
}

/** The Services whose env a pod gets: `kubernetes` from default, then its namespace's (service links). */
export async function podServiceEnv(lister: ServiceLister, namespace: string, serviceLinks: boolean): Promise<Map<string, string>> {
  const master = (await lister.list('default')).filter((s) => s.metadata.name === 'kubernetes');
  const own = serviceLinks ? (await lister.list(namespace)).filter((s) => !(namespace === 'default' && s.metadata.name === 'kubernetes')) : [];
  // Upstream lets the master service win over a same-named one of the pod's namespace.
  return serviceEnv([...own, ...master]);
}

/** Lists a namespace's Services through the agent's client, at most once per TTL. */
export class CachedServiceLister implements ServiceLister {
  readonly #client: RestClient;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #cache = new Map<string, { at: number; value: Promise<ServiceObject[]> }>();

  constructor(client: RestClient, clock: Clock, ttlMs: number) {
    this.#client = client;
    this.#clock = clock;
    this.#ttlMs = ttlMs;
  }

  list(namespace: string): Promise<ServiceObject[]> {
    const now = this.#clock.now();
    const hit = this.#cache.get(namespace);
    if (hit && now - hit.at < this.#ttlMs) return hit.value;
    const value = this.#client.list<ServiceObject>({ group: '', version: 'v1', resource: 'services', namespace }).then((l) => l.items);
    this.#cache.set(namespace, { at: now, value });
    value.catch(() => this.#cache.get(namespace)?.value === value && this.#cache.delete(namespace));
    return value;
  }
}
