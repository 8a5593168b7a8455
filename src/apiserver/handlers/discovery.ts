// API discovery: legacy (/api, /apis, /api/v1, /apis/<g>, /apis/<g>/<v>) and aggregated
// discovery (apidiscovery.k8s.io v2 and v2beta1), built from the served resources and cached
// until the served set changes.

import type { ResourceDefinition } from '../../api/types.ts';
import { apiVersionOf } from '../../api/types.ts';
import type { ApiRegistry } from '../api-registry.ts';

export interface DiscoveryDoc {
  body: string;
  contentType: string;
}

type Versions = Map<string, ResourceDefinition[]>;

/** Preferred-version order within a group: GA before beta before alpha, higher numbers first. */
function versionRank(v: string): number[] {
  const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
  if (!m) return [0, 0, 0];
  const stability = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
  return [stability, Number(m[1]), Number(m[3] ?? 0)];
}

function compareVersions(a: string, b: string): number {
  const ra = versionRank(a);
  const rb = versionRank(b);
  for (let i = 0; i < 3; i++) if (ra[i] !== rb[i]) return (rb[i] as number) - (ra[i] as number);
  return a < b ? -1 : 1;
}

export class Discovery {
  readonly #registry: ApiRegistry;
  /** Groups served outside the registry (metrics.k8s.io): listed, never stored. */
  readonly #extra: readonly ResourceDefinition[];
  #generation = -1;
  #groups = new Map<string, Versions>();
  readonly #cache = new Map<string, DiscoveryDoc>();

  constructor(registry: ApiRegistry, extra: readonly ResourceDefinition[] = []) {
    this.#registry = registry;
    this.#extra = extra;
  }

  #refresh(): void {
    if (this.#generation === this.#registry.generation) return;
    this.#generation = this.#registry.generation;
    this.#cache.clear();
    const groups = new Map<string, Versions>();
    for (const def of [...this.#registry.all().map((s) => s.def), ...this.#extra]) {
      const versions = groups.get(def.group) ?? new Map<string, ResourceDefinition[]>();
      const list = versions.get(def.version) ?? [];
      list.push(def);
      versions.set(def.version, list);
      groups.set(def.group, versions);
    }
    this.#groups = groups;
  }

  #cached(key: string, build: () => DiscoveryDoc): DiscoveryDoc {
    this.#refresh();
    let doc = this.#cache.get(key);
    if (!doc) {
      doc = build();
      this.#cache.set(key, doc);
    }
    return doc;
  }

  #sortedVersions(group: string): string[] {
    return [...(this.#groups.get(group)?.keys() ?? [])].sort(compareVersions);
  }

  hasGroupVersion(group: string, version: string): boolean {
    this.#refresh();
    return this.#groups.get(group)?.has(version) ?? false;
  }

  hasGroup(group: string): boolean {
    this.#refresh();
    return this.#groups.has(group);
  }

  /** GET /api (legacy). */
  legacyCore(serverAddress: string): DiscoveryDoc {
    return this.#cached(`core:${serverAddress}`, () =>
      json({ kind: 'APIVersions', versions: this.#sortedVersions(''), serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] }),
    );
  }

  #apiGroup(group: string): Record<string, unknown> {
    const versions = this.#sortedVersions(group).map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
    return { name: group, versions, preferredVersion: versions[0] };
  }

  /** GET /apis (legacy). */
  legacyGroups(): DiscoveryDoc {
    return this.#cached('groups', () =>
      json({ kind: 'APIGroupList', apiVersion: 'v1', groups: [...this.#groups.keys()].filter((g) => g !== '').map((g) => this.#apiGroup(g)) }),
    );
  }

  /** GET /apis/<group>. */
  legacyGroup(group: string): DiscoveryDoc {
    return this.#cached(`group:${group}`, () => json({ kind: 'APIGroup', apiVersion: 'v1', ...this.#apiGroup(group) }));
  }

  /** GET /api/v1 or /apis/<group>/<version>. */
  resourceList(group: string, version: string): DiscoveryDoc {
    return this.#cached(`resources:${group}/${version}`, () => {
      const resources: Record<string, unknown>[] = [];
      for (const def of this.#groups.get(group)?.get(version) ?? []) {
        const entry: Record<string, unknown> = { name: def.plural, singularName: def.singular, namespaced: def.namespaced, kind: def.kind, verbs: [...def.verbs] };
        if (def.shortNames.length) entry['shortNames'] = [...def.shortNames];
        if (def.categories.length) entry['categories'] = [...def.categories];
        resources.push(entry);
        for (const sub of def.subresources) {
          const s: Record<string, unknown> = { name: `${def.plural}/${sub.name}`, singularName: '', namespaced: def.namespaced, kind: sub.kind.kind, verbs: [...sub.verbs] };
          if (sub.kind.group !== def.group || sub.kind.version !== def.version) {
            s['group'] = sub.kind.group;
            s['version'] = sub.kind.version;
          }
          resources.push(s);
        }
      }
      return json({ kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(group, version), resources });
    });
  }

  /** Aggregated discovery for /api (core only) or /apis (every named group). */
  aggregated(core: boolean, version: 'v2' | 'v2beta1'): DiscoveryDoc {
    return this.#cached(`aggregated:${core}:${version}`, () => {
      const items = [...this.#groups.keys()]
        .filter((g) => (core ? g === '' : g !== ''))
        .map((group) => ({
          metadata: { name: group, creationTimestamp: null },
          versions: this.#sortedVersions(group).map((v) => ({
            version: v,
            resources: (this.#groups.get(group)?.get(v) ?? []).map(aggregatedResource),
            freshness: 'Current',
          })),
        }));
      const body = JSON.stringify({ kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items });
      return { body, contentType: `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList` };
    });
  }
}

function aggregatedResource(def: ResourceDefinition): Record<string, unknown> {
  const r: Record<string, unknown> = {
    resource: def.plural,
    responseKind: { group: def.group, version: def.version, kind: def.kind },
    scope: def.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: def.singular,
    verbs: [...def.verbs],
  };
  if (def.shortNames.length) r['shortNames'] = [...def.shortNames];
  if (def.categories.length) r['categories'] = [...def.categories];
  if (def.subresources.length) {
    r['subresources'] = def.subresources.map((s) => ({ subresource: s.name, responseKind: s.kind, verbs: [...s.verbs] }));
  }
  return r;
}

function json(value: unknown): DiscoveryDoc {
  return { body: JSON.stringify(value), contentType: 'application/json' };
}

/** Which aggregated discovery version the Accept header asks for, if any. */
export function wantsAggregated(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  if (!accept) return undefined;
  for (const part of accept.split(',')) {
    if (!/as=APIGroupDiscoveryList/.test(part) || !/g=apidiscovery\.k8s\.io/.test(part)) continue;
    if (/v=v2beta1/.test(part)) return 'v2beta1';
    if (/v=v2(;|$|\s)/.test(part) || /v=v2$/.test(part.trim())) return 'v2';
  }
  return undefined;
}
