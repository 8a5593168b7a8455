// What the garbage collector knows of the API's resources, from discovery of every served group
// version: a REST mapper (apiVersion + kind → resource and scope, for the live GETs, patches and
// deletes of owners and dependents named only by ownerReferences) and the set of resources to
// monitor (each group's preferred version of every resource that can be listed, watched and
// deleted; Events are ignored, as upstream's default). Custom resources are found the same way,
// so re-discovering picks up new CRDs.

import type { RestClient } from '../../client/index.ts';
import { groupOf, versionOf } from './identity.ts';

export interface ResourceMapping {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
}

export interface DiscoveredResource extends ResourceMapping {
  verbs: readonly string[];
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
  verbs?: string[];
}

interface ApiGroupList {
  groups?: { name: string; preferredVersion?: { version: string }; versions?: { groupVersion: string; version: string }[] }[];
}

/** Resources the collector never monitors: Events have no dependents and churn constantly. */
export const IGNORED_RESOURCES: ReadonlySet<string> = new Set(['events', 'events.events.k8s.io']);

export const groupResource = (r: { group: string; resource: string }): string => (r.group ? `${r.resource}.${r.group}` : r.resource);

export class RestMapper {
  /** "group/version/kind" → mapping */
  readonly #byGvk = new Map<string, ResourceMapping>();
  /** "group/kind" → mapping at the group's preferred version */
  readonly #byGk = new Map<string, ResourceMapping>();
  readonly #monitorable: DiscoveredResource[] = [];

  constructor(resources: readonly DiscoveredResource[], preferredVersions: ReadonlyMap<string, string>) {
    for (const r of resources) {
      const mapping: ResourceMapping = { group: r.group, version: r.version, resource: r.resource, kind: r.kind, namespaced: r.namespaced };
      this.#byGvk.set(`${r.group}/${r.version}/${r.kind}`, mapping);
      const preferred = preferredVersions.get(r.group) === r.version;
      if (preferred || !this.#byGk.has(`${r.group}/${r.kind}`)) this.#byGk.set(`${r.group}/${r.kind}`, mapping);
      if (preferred && ['list', 'watch', 'delete'].every((v) => r.verbs.includes(v)) && !IGNORED_RESOURCES.has(groupResource(r))) this.#monitorable.push(r);
    }
  }

  /** The resource an ownerReference's apiVersion and kind name; another served version of the group when that version is not served. */
  mapping(apiVersion: string, kind: string): ResourceMapping | undefined {
    const group = groupOf(apiVersion);
    return this.#byGvk.get(`${group}/${versionOf(apiVersion)}/${kind}`) ?? this.#byGk.get(`${group}/${kind}`);
  }

  namespaced(apiVersion: string, kind: string): boolean | undefined {
    return this.mapping(apiVersion, kind)?.namespaced;
  }

  /** The resources the collector watches: one version per group resource, listable, watchable and deletable. */
  get monitorable(): readonly DiscoveredResource[] {
    return this.#monitorable;
  }
}

export interface Discovery {
  mapper: RestMapper;
  /** Groups whose discovery failed: their monitors are kept as they are. */
  failedGroups: Set<string>;
}

function resourcesOf(group: string, version: string, list: ApiResource[]): DiscoveredResource[] {
  return list
    .filter((r) => !r.name.includes('/'))
    .map((r) => ({ group, version, resource: r.name, kind: r.kind, namespaced: r.namespaced, verbs: r.verbs ?? [] }));
}

/** Discovers every version of every group (/api/v1, /apis, /apis/<group>/<version>). */
export async function discoverResources(client: RestClient, signal?: AbortSignal): Promise<Discovery> {
  const opts = signal ? { signal } : {};
  const core = await client.request<{ resources?: ApiResource[] }>('GET', '/api/v1', undefined, opts);
  const resources = resourcesOf('', 'v1', core.resources ?? []);
  const preferred = new Map<string, string>([['', 'v1']]);
  const failedGroups = new Set<string>();
  const groups = await client.request<ApiGroupList>('GET', '/apis', undefined, opts);
  const lists = await Promise.all(
    (groups.groups ?? []).flatMap((g) => {
      const pv = g.preferredVersion?.version ?? g.versions?.[0]?.version;
      if (pv) preferred.set(g.name, pv);
      return (g.versions ?? []).map(async (v) => {
        try {
          const list = await client.request<{ resources?: ApiResource[] }>('GET', `/apis/${v.groupVersion}`, undefined, opts);
          return resourcesOf(g.name, v.version, list.resources ?? []);
        } catch (err) {
          if (signal?.aborted) throw err;
          failedGroups.add(g.name);
          return [];
        }
      });
    }),
  );
  for (const l of lists) resources.push(...l);
  return { mapper: new RestMapper(resources, preferred), failedGroups };
}
