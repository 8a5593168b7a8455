// Reads and writes the scale subresource of whatever an HPA targets (Deployment, ReplicaSet,
// StatefulSet, a custom kind with a scale subresource): the kind is turned into its resource
// through discovery of the target's group version, as upstream's RESTMapper and scale client.

import { parseApiVersion } from '../../api/types.ts';
import type { RestClient } from '../../client/index.ts';
import { failure } from '../../machinery/status-error.ts';
import type { Scale } from './types.ts';

interface ApiResourceList {
  resources?: { name: string; kind: string }[];
}

export interface ScaleTarget {
  apiVersion?: string;
  kind: string;
  name: string;
}

export class ScaleClient {
  readonly #client: RestClient;
  readonly #resources = new Map<string, ApiResourceList>();

  constructor(client: RestClient) {
    this.#client = client;
  }

  async get(namespace: string, target: ScaleTarget, signal?: AbortSignal): Promise<Scale> {
    return this.#client.request<Scale>('GET', await this.#path(namespace, target, signal), undefined, signal ? { signal } : {});
  }

  async update(namespace: string, target: ScaleTarget, scale: Scale, replicas: number, signal?: AbortSignal): Promise<Scale> {
    const body: Scale = { ...scale, spec: { ...scale.spec, replicas } };
    return this.#client.request<Scale>('PUT', await this.#path(namespace, target, signal), body, signal ? { signal } : {});
  }

  async #path(namespace: string, target: ScaleTarget, signal?: AbortSignal): Promise<string> {
    const { group, version } = parseApiVersion(target.apiVersion ?? '');
    const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
    let plural = await this.#plural(base, target.kind, false, signal);
    // A kind added since the last look (a new CRD): look again once before giving up.
    plural ??= await this.#plural(base, target.kind, true, signal);
    if (!plural) throw failure(404, 'NotFound', `no matches for kind "${target.kind}" in version "${target.apiVersion ?? ''}"`, {});
    return `${base}/namespaces/${encodeURIComponent(namespace)}/${plural}/${encodeURIComponent(target.name)}/scale`;
  }

  async #plural(base: string, kind: string, refresh: boolean, signal?: AbortSignal): Promise<string | undefined> {
    let list = refresh ? undefined : this.#resources.get(base);
    if (!list) {
      list = await this.#client.request<ApiResourceList>('GET', base, undefined, signal ? { signal } : {});
      this.#resources.set(base, list);
    }
    const names = new Set((list.resources ?? []).map((r) => r.name));
    return (list.resources ?? []).find((r) => r.kind === kind && !r.name.includes('/') && names.has(`${r.name}/scale`))?.name;
  }
}
