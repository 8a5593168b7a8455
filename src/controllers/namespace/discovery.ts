// Which namespaced resources the namespace controller must empty: every resource of every group's
// preferred version, found through the API's discovery (/api/v1, /apis, /apis/<group>/<version>),
// that is namespaced, is not a subresource, and can be listed and deleted (custom kinds included).

import type { RestClient } from '../../client/index.ts';

export interface DeletableResource {
  group: string;
  version: string;
  resource: string;
  /** deletecollection is served: one request empties the namespace of this resource. */
  deleteCollection: boolean;
}

interface ApiResource {
  name: string;
  namespaced: boolean;
  verbs?: string[];
}

interface ApiGroupList {
  groups?: { name: string; preferredVersion?: { groupVersion: string; version: string }; versions?: { groupVersion: string; version: string }[] }[];
}

export interface DiscoveryResult {
  resources: DeletableResource[];
  /** Group versions whose discovery failed (the NamespaceDeletionDiscoveryFailure condition). */
  failed: { groupVersion: string; message: string }[];
}

function pick(group: string, version: string, list: ApiResource[]): DeletableResource[] {
  return list
    .filter((r) => r.namespaced && !r.name.includes('/'))
    .filter((r) => (r.verbs ?? []).includes('list') && ((r.verbs ?? []).includes('delete') || (r.verbs ?? []).includes('deletecollection')))
    .map((r) => ({ group, version, resource: r.name, deleteCollection: (r.verbs ?? []).includes('deletecollection') }));
}

export async function discoverDeletableResources(client: RestClient, signal?: AbortSignal): Promise<DiscoveryResult> {
  const opts = signal ? { signal } : {};
  const core = await client.request<{ resources?: ApiResource[] }>('GET', '/api/v1', undefined, opts);
  const resources = pick('', 'v1', core.resources ?? []);
  const failed: DiscoveryResult['failed'] = [];
  const groups = await client.request<ApiGroupList>('GET', '/apis', undefined, opts);
  const lists = await Promise.all(
    (groups.groups ?? []).map(async (g) => {
      const gv = g.preferredVersion ?? g.versions?.[0];
      if (!gv) return [];
      try {
        const list = await client.request<{ resources?: ApiResource[] }>('GET', `/apis/${gv.groupVersion}`, undefined, opts);
        return pick(g.name, gv.version, list.resources ?? []);
      } catch (err) {
        failed.push({ groupVersion: gv.groupVersion, message: err instanceof Error ? err.message : String(err) });
        return [];
      }
    }),
  );
  for (const l of lists) resources.push(...l);
  return { resources, failed };
}
